import { collectDefaultMetrics, Gauge, Registry, type Metric } from 'prom-client';
import type { PoolStats } from '../platform/db/database.ts';
import type { QueueDepth } from '../platform/queue/queue.port.ts';

export interface MetricsSources {
  poolStats(): PoolStats;
  queueDepth(): Promise<QueueDepth[]>;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

interface Series {
  labels: { method: string; route: string; status_code: string };
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * The request-latency histogram, kept in plain arrays and exposed to prom-client as a metric of
 * its own. prom-client's Histogram costs about 1.5 µs per observation (label hashing, objects);
 * this costs a bucket search and three additions — on every request, so it matters (bench:http).
 */
class LatencyHistogram {
  readonly name = 'marquee_http_request_duration_seconds';
  readonly help = 'HTTP request latency by route template and status code';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #series = new Map<string, Series>();

  observe(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${route} ${statusCode}`;
    let series = this.#series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status_code: String(statusCode) },
        counts: new Float64Array(BUCKETS.length + 1),
        sum: 0,
        count: 0,
      };
      this.#series.set(key, series);
    }
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > (BUCKETS[bucket] as number)) bucket += 1;
    series.counts[bucket] = (series.counts[bucket] ?? 0) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  /** What prom-client's registry asks of a metric: the samples, in its format. */
  get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const series of this.#series.values()) {
      let cumulative = 0;
      BUCKETS.forEach((le, index) => {
        cumulative += series.counts[index] ?? 0;
        values.push({
          labels: { le, ...series.labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      values.push({
        labels: { le: '+Inf', ...series.labels },
        value: series.count,
        metricName: `${this.name}_bucket`,
      });
      values.push({ labels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }

  reset(): void {
    this.#series.clear();
  }
}

/**
 * Prometheus metrics, in a registry of this app's own (no global default registry, so two apps
 * in one test process never share counters).
 */
export class HttpMetrics {
  readonly registry = new Registry();
  readonly #latency = new LatencyHistogram();

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'marquee_' });
    this.registry.registerMetric(this.#latency as unknown as Metric);
    new Gauge({
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
    this.#latency.observe(method, route, statusCode, seconds);
  }
}
