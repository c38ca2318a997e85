import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Logger } from '../../platform/logger.ts';
import type { EventSink } from './event-sink.port.ts';
import { AnalyticsEventsRepository } from './events.repository.ts';
import { connectNats, defaultStreamNames, ensureStream, NatsEventSink } from './nats.sink.ts';
import { PostgresEventSink } from './postgres.sink.ts';
import { AnalyticsStreamConsumer } from './stream-consumer.ts';

interface SinkDeps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  config: Pick<Config, 'analytics'>;
}

/** The sink ANALYTICS_SINK names, and what closes it (and its connection) on shutdown. */
export async function openEventSink(deps: SinkDeps): Promise<{ sink: EventSink; close(): Promise<void> }> {
  const { analytics } = deps.config;
  const common = {
    clock: deps.clock,
    logger: deps.logger,
    flushMs: analytics.flushMs,
    maxEvents: analytics.bufferMax,
  };
  if (analytics.sink.kind === 'postgres') {
    const sink = new PostgresEventSink({ repository: new AnalyticsEventsRepository(deps.db), ...common });
    return { sink, close: () => sink.close() };
  }
  const connection = await connectNats(analytics.sink.url);
  await ensureStream(connection, { ...defaultStreamNames, retentionDays: analytics.retentionDays });
  const sink = new NatsEventSink({ connection, ...common });
  return {
    sink,
    close: async () => {
      await sink.close();
      await connection.drain();
    },
  };
}

/** With the NATS sink, the worker's consumer that reads the stream into the raw table; else nothing. */
export async function startStreamConsumer(deps: SinkDeps): Promise<{ close(): Promise<void> }> {
  const { analytics } = deps.config;
  if (analytics.sink.kind === 'postgres') return { close: async () => {} };
  const connection = await connectNats(analytics.sink.url);
  await ensureStream(connection, { ...defaultStreamNames, retentionDays: analytics.retentionDays });
  const consumer = new AnalyticsStreamConsumer({
    connection,
    repository: new AnalyticsEventsRepository(deps.db),
    clock: deps.clock,
    logger: deps.logger,
  });
  consumer.start();
  return {
    close: async () => {
      await consumer.stop();
      await connection.drain();
    },
  };
}
