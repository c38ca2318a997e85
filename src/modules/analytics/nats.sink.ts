import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AnalyticsEvent } from './analytics.events.ts';
import { FlushingSink } from './flushing-sink.ts';

const PUBLISH_BATCH = 500;
const DAY_MS = 86_400_000;
/** JetStream drops a message whose id it saw within this window: a retried batch is stored once. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;

/** The stream and its subjects: `<subject>.<event type>`, so a consumer can filter by type. */
export interface NatsStreamNames {
  stream: string;
  subject: string;
}
export const defaultStreamNames: NatsStreamNames = {
  stream: 'MARQUEE_ANALYTICS',
  subject: 'marquee.analytics',
};

/** The wire form of an event on the stream (dates as ISO 8601). */
type WireEvent = Omit<AnalyticsEvent, 'occurredAt'> & { occurredAt: string };
export const toWire = (event: AnalyticsEvent): WireEvent => ({
  ...event,
  occurredAt: event.occurredAt.toISOString(),
});
export const fromWire = (wire: WireEvent): AnalyticsEvent => ({
  ...wire,
  occurredAt: new Date(wire.occurredAt),
});

/** Creates (or updates) the stream: file storage, kept for the raw retention, deduplicated by event id. */
export async function ensureStream(
  connection: NatsConnection,
  options: NatsStreamNames & { retentionDays: number },
): Promise<void> {
  const manager = await jetstreamManager(connection);
  const config = {
    name: options.stream,
    subjects: [`${options.subject}.>`],
    max_age: nanos(options.retentionDays * DAY_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
  try {
    await manager.streams.info(options.stream);
    await manager.streams.update(options.stream, config);
  } catch {
    await manager.streams.add(config);
  }
}

export const connectNats = (url: string): Promise<NatsConnection> =>
  connect({ servers: url, name: 'marquee-analytics' });

/**
 * The NATS JetStream sink (ANALYTICS_SINK=nats): the same bounded buffer, flushed by publishing
 * each event with its id as the message id (JetStream's deduplication), acknowledged by the
 * stream before the next batch. Consumers (AnalyticsStreamConsumer, or a column store's) read it.
 */
export class NatsEventSink extends FlushingSink {
  readonly #client: JetStreamClient;
  readonly #names: NatsStreamNames;

  constructor(options: {
    connection: NatsConnection;
    names?: NatsStreamNames;
    clock: Clock;
    logger: Logger;
    flushMs: number;
    maxEvents: number;
  }) {
    super({ ...options, batchSize: PUBLISH_BATCH });
    this.#client = jetstream(options.connection);
    this.#names = options.names ?? defaultStreamNames;
  }

  /**
   * Published concurrently, each acknowledged by the stream; one failure fails the batch, which
   * goes back whole (the events that did land are dropped as duplicates on the retry).
   */
  protected async writeBatch(batch: readonly AnalyticsEvent[]): Promise<void> {
    const results = await Promise.allSettled(
      batch.map((event) =>
        this.#client.publish(`${this.#names.subject}.${event.type}`, JSON.stringify(toWire(event)), {
          msgID: `${event.eventId}:${event.occurredAt.getTime()}`,
        }),
      ),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** The durable consumer's settings: explicit acks, from the start of the stream. */
export const consumerConfig = (durable: string) => ({
  durable_name: durable,
  ack_policy: AckPolicy.Explicit,
  deliver_policy: DeliverPolicy.All,
  ack_wait: nanos(60_000),
});
