export { healthRoutes, type HealthRoutesOptions, type ReadinessCheck } from './health.routes.ts';
