import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import { analyticsRoutes } from './analytics.routes.ts';
import { analyticsFiguresRoutes } from './analytics-figures.routes.ts';
import { AnalyticsFigures } from './analytics-figures.service.ts';
import { AnalyticsIngest, type LiveStream } from './analytics.service.ts';
import { AnalyticsJobs } from './analytics-jobs.service.ts';
import { AnalyticsReports } from './analytics-reports.service.ts';
import { AnalyticsEventsRepository } from './events.repository.ts';
import { RollupsRepository } from './rollups.repository.ts';
import { CountersRepository } from './counters.repository.ts';
import { QoeRollupsRepository } from './qoe-rollups.repository.ts';
import { openEventSink } from './sinks.ts';

export {
  qoeBeaconSchema,
  domainEventTypes,
  type AnalyticsEvent,
  type QoeBeacon,
} from './analytics.events.ts';
import type { EventSink } from './event-sink.port.ts';

export type { EventSink } from './event-sink.port.ts';
export { EventBuffer } from './event-buffer.ts';
export { AnalyticsIngest } from './analytics.service.ts';
export { AnalyticsJobs, ROLLUP_SETTLE_MS } from './analytics-jobs.service.ts';
export { PostgresEventSink } from './postgres.sink.ts';
export { NatsEventSink, connectNats, ensureStream, type NatsStreamNames } from './nats.sink.ts';
export { AnalyticsStreamConsumer } from './stream-consumer.ts';
export { AnalyticsEventsRepository } from './events.repository.ts';
export { startStreamConsumer } from './sinks.ts';
export { MAX_BEACONS_PER_BATCH } from './analytics.routes.ts';

export interface AnalyticsDeps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  liveStreamOf: (userId: string, sessionId: string) => Promise<LiveStream | undefined>;
  titleOf: (itemId: string) => Promise<string | undefined>;
  planIdOf: (userId: string) => Promise<string>;
  /** Playback's count of streams open now. */
  concurrentViewers: () => Promise<number>;
  /** The catalog's genre names of some titles. */
  genresOf: (titleIds: readonly string[]) => Promise<Map<string, string[]>>;
  config: Pick<Config, 'analytics' | 'catalog'>;
}

export interface Analytics {
  plugin: FastifyPluginAsync;
  ingest: AnalyticsIngest;
  sink: EventSink;
  /** Writes every waiting event (shutdown). */
  close(): Promise<void>;
}

/** Builds analytics' ingest and reports; the app registers `plugin` and subscribes `ingest`. */
export async function createAnalytics(deps: AnalyticsDeps): Promise<Analytics> {
  const { analytics } = deps.config;
  const opened = await openEventSink(deps);
  const sink = opened.sink;
  const ingest = new AnalyticsIngest({
    sink,
    clock: deps.clock,
    logger: deps.logger,
    liveStreamOf: deps.liveStreamOf,
    titleOf: deps.titleOf,
    planIdOf: deps.planIdOf,
    retentionDays: analytics.retentionDays,
  });
  const rollups = new RollupsRepository(deps.db);
  const reports = new AnalyticsReports({ rollups, qoe: new QoeRollupsRepository(deps.db) });
  const figures = new AnalyticsFigures({
    counters: new CountersRepository(deps.db),
    rollups,
    concurrentViewers: deps.concurrentViewers,
    genresOf: deps.genresOf,
  });
  const plugin = fp(
    async (app) => {
      await app.register(analyticsRoutes, {
        ingest,
        reports,
        countryHeader: deps.config.catalog.countryHeader,
      });
      await app.register(analyticsFiguresRoutes, { figures });
    },
    { name: 'marquee-analytics' },
  );
  return { plugin, ingest, sink, close: () => opened.close() };
}

/** The worker's side: partitions and rollups. */
export function createAnalyticsJobs(deps: {
  db: Kysely<DB>;
  clock: Clock;
  config: { analytics: Pick<Config['analytics'], 'retentionDays'> };
  /** Playback's count of streams open at an instant (the peak concurrency samples). */
  concurrentViewers: (now: Date) => Promise<number>;
}) {
  return new AnalyticsJobs({
    concurrentViewers: deps.concurrentViewers,
    events: new AnalyticsEventsRepository(deps.db),
    rollups: new RollupsRepository(deps.db),
    counters: new CountersRepository(deps.db),
    qoe: new QoeRollupsRepository(deps.db),
    transactor: transactorFor(deps.db),
    clock: deps.clock,
    retentionDays: deps.config.analytics.retentionDays,
  });
}
