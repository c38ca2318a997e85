import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../platform/db/database.ts';
import type { QueueDepth } from '../platform/queue/queue.port.ts';

export interface MetricsSources {
  poolStats(): PoolStats;
  queueDepth(): Promise<QueueDepth[]>;
}

/**
 * Prometheus metrics, in a registry of this app's own (no global default registry, so two apps
 * in one test process never share counters). Label children are cached: looking a child up by a
 * labels object on every request costs more than the observation itself.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  readonly #duration: Histogram<'method' | 'route' | 'status_code'>;
  readonly #children = new Map<string, { observe(value: number): void }>();

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'marquee_' });
    this.#duration = new Histogram({
      name: 'marquee_http_request_duration_seconds',
      help: 'HTTP request latency by route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [this.registry],
    });
    const queueJobs = new Gauge({
      name: 'marquee_queue_jobs',
      help: 'Jobs in the queue by job type and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of await sources.queueDepth()) {
          this.set({ queue: queue.name, state: 'queued' }, queue.queued);
          this.set({ queue: queue.name, state: 'active' }, queue.active);
          this.set({ queue: queue.name, state: 'failed' }, queue.failed);
        }
      },
    });
    void queueJobs;
    new Gauge({
      name: 'marquee_db_pool_connections',
      help: 'Database pool connections by state (embedded PGlite is one connection)',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const stats = sources.poolStats();
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
        this.set({ state: 'max' }, stats.max);
      },
    });
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${route} ${statusCode}`;
    let child = this.#children.get(key);
    if (!child) {
      child = this.#duration.labels(method, route, String(statusCode));
      this.#children.set(key, child);
    }
    child.observe(seconds);
  }
}
