import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { defineError } from '../shared/errors.ts';
import type { HttpMetrics } from './metrics.ts';

const MetricsTokenRequired = defineError(
  'METRICS_TOKEN_REQUIRED',
  'unauthenticated',
  'A metrics token is required',
);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GET /metrics in Prometheus text format; behind a bearer token when METRICS_TOKEN is set. */
export const metricsRoute: FastifyPluginAsync<{ metrics: HttpMetrics; token: string | undefined }> = async (
  app,
  { metrics, token },
) => {
  if (token === undefined) {
    // Metrics name routes, job queues and pool sizes: useful to an attacker mapping the service.
    app.log.warn(
      'GET /metrics is public: set METRICS_TOKEN, or keep /metrics off the public network (e.g. at the proxy)',
    );
  }
  app.get(
    '/metrics',
    {
      schema: { hide: true },
      config: { access: { credential: 'metricsToken' }, quiet: true, pressureHandler: () => undefined },
    },
    async (request, reply) => {
      if (token !== undefined) {
        const header = request.headers.authorization ?? '';
        if (!header.startsWith('Bearer ') || !sameSecret(header.slice(7), token)) {
          throw MetricsTokenRequired('Send Authorization: Bearer <METRICS_TOKEN>');
        }
      }
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
};
