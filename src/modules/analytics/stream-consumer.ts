import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AnalyticsEvent } from './analytics.events.ts';
import type { AnalyticsEventsRepository } from './events.repository.ts';
import { consumerConfig, defaultStreamNames, fromWire, type NatsStreamNames } from './nats.sink.ts';
import { partitionName } from './events.repository.ts';

const FETCH_MAX = 1000;
const DAY_MS = 86_400_000;

/**
 * Reads the JetStream analytics stream with a durable consumer and appends what it reads to the
 * partitioned raw table, acknowledging only after the insert commits (at-least-once; the table's
 * unique event id makes a redelivery harmless). The rollup job then builds the same rollups as
 * with the PostgreSQL sink. A column store would be another durable consumer of the same stream.
 */
export class AnalyticsStreamConsumer {
  readonly #connection: NatsConnection;
  readonly #repository: AnalyticsEventsRepository;
  readonly #names: NatsStreamNames;
  readonly #durable: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #knownPartitions = new Set<string>();
  #running: Promise<void> | undefined;
  #stopping = false;

  constructor(options: {
    connection: NatsConnection;
    repository: AnalyticsEventsRepository;
    clock: Clock;
    logger: Logger;
    names?: NatsStreamNames;
    durable?: string;
  }) {
    this.#connection = options.connection;
    this.#repository = options.repository;
    this.#names = options.names ?? defaultStreamNames;
    this.#durable = options.durable ?? 'rollups';
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** Reads one batch (waiting at most `waitMs`, ≥ 1 s, for it); returns how many events it stored. */
  async drainOnce(waitMs = 1000): Promise<number> {
    const manager = await jetstreamManager(this.#connection);
    try {
      await manager.consumers.info(this.#names.stream, this.#durable);
    } catch {
      await manager.consumers.add(this.#names.stream, consumerConfig(this.#durable));
    }
    const consumer = await jetstream(this.#connection).consumers.get(this.#names.stream, this.#durable);
    const messages = await consumer.fetch({ max_messages: FETCH_MAX, expires: Math.max(1000, waitMs) });
    const received: JsMsg[] = [];
    for await (const message of messages) received.push(message);
    if (received.length === 0) return 0;
    const events = received.map((message) => fromWire(message.json<Parameters<typeof fromWire>[0]>()));
    await this.#store(events);
    for (const message of received) message.ack();
    return events.length;
  }

  /** Reads until stopped (the worker role). */
  start(): void {
    this.#running ??= (async () => {
      while (!this.#stopping) {
        try {
          await this.drainOnce();
        } catch (error) {
          this.#logger.warn({ err: error }, 'could not read the analytics stream');
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#running;
  }

  async #store(events: readonly AnalyticsEvent[]): Promise<void> {
    for (const event of events) {
      const day = new Date(Math.floor(event.occurredAt.getTime() / DAY_MS) * DAY_MS);
      const name = partitionName(day);
      if (this.#knownPartitions.has(name)) continue;
      await this.#repository.createPartition(day);
      this.#knownPartitions.add(name);
    }
    await this.#repository.append(events, this.#clock.now());
  }
}
