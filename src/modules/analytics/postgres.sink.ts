import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AnalyticsEvent } from './analytics.events.ts';
import type { EventBuffer } from './event-buffer.ts';
import { FlushingBuffer } from './flushing-buffer.ts';
import type { EventSink, OfferOutcome } from './event-sink.port.ts';
import { type AnalyticsEventsRepository, partitionName } from './events.repository.ts';

/** Rows per INSERT: 13 columns each stays far below PostgreSQL's 65,535 parameters. */
const ROWS_PER_INSERT = 1000;
const DAY_MS = 86_400_000;

/**
 * The default sink: events wait in a bounded buffer and are appended to the partitioned raw table
 * every `flushMs` in multi-row inserts (the shape of engagement's progress recorder), so a beacon
 * costs the API an array push. A crash loses at most one interval; `close()` writes what waits.
 */
export class PostgresEventSink implements EventSink {
  readonly #repository: AnalyticsEventsRepository;
  readonly #clock: Clock;
  readonly #knownPartitions = new Set<string>();
  readonly #flushing: FlushingBuffer;

  constructor(options: {
    repository: AnalyticsEventsRepository;
    clock: Clock;
    logger: Logger;
    flushMs: number;
    maxEvents: number;
  }) {
    this.#repository = options.repository;
    this.#clock = options.clock;
    this.#flushing = new FlushingBuffer({
      maxEvents: options.maxEvents,
      flushMs: options.flushMs,
      batchSize: ROWS_PER_INSERT,
      write: async (batch) => {
        await this.#ensurePartitions(batch);
        await this.#repository.append(batch, this.#clock.now());
      },
      failed: (error, events, lost) =>
        options.logger.warn({ err: error, events, lost }, 'could not write analytics events'),
    });
  }

  get buffer(): EventBuffer {
    return this.#flushing.buffer;
  }

  offer(events: readonly AnalyticsEvent[]): OfferOutcome {
    return this.#flushing.offer(events);
  }

  flush(): Promise<void> {
    return this.#flushing.flush();
  }

  close(): Promise<void> {
    return this.#flushing.close();
  }

  /** Creates the day partitions a batch needs that this process hasn't seen yet (the job makes them ahead). */
  async #ensurePartitions(batch: readonly AnalyticsEvent[]): Promise<void> {
    const days = new Map<string, Date>();
    for (const event of batch) {
      const day = new Date(Math.floor(event.occurredAt.getTime() / DAY_MS) * DAY_MS);
      const name = partitionName(day);
      if (!this.#knownPartitions.has(name)) days.set(name, day);
    }
    for (const [name, day] of days) {
      await this.#repository.createPartition(day);
      this.#knownPartitions.add(name);
    }
  }
}
