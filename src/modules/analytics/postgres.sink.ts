import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AnalyticsEvent } from './analytics.events.ts';
import { EventBuffer } from './event-buffer.ts';
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
  readonly buffer: EventBuffer;
  readonly #repository: AnalyticsEventsRepository;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #timer: NodeJS.Timeout;
  readonly #knownPartitions = new Set<string>();
  #flushing: Promise<void> | undefined;

  constructor(options: {
    repository: AnalyticsEventsRepository;
    clock: Clock;
    logger: Logger;
    flushMs: number;
    maxEvents: number;
  }) {
    this.#repository = options.repository;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.buffer = new EventBuffer({ maxEvents: options.maxEvents });
    this.#timer = setInterval(() => void this.flush(), options.flushMs);
    this.#timer.unref();
  }

  offer(events: readonly AnalyticsEvent[]): OfferOutcome {
    const outcome = this.buffer.offer(events);
    // Full: write now rather than wait for the tick; the caller refuses this batch.
    if (outcome === 'full' && !this.#flushing) void this.flush();
    return outcome;
  }

  /** One flush at a time; a call during one returns it. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.buffer.size === 0) return Promise.resolve();
    this.#flushing = this.#writeAll().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#flushing;
    await this.flush();
  }

  async #writeAll(): Promise<void> {
    for (;;) {
      const batch = this.buffer.drain(ROWS_PER_INSERT);
      if (batch.length === 0) return;
      try {
        await this.#ensurePartitions(batch);
        await this.#repository.append(batch, this.#clock.now());
      } catch (error) {
        const lost = this.buffer.putBack(batch);
        this.#logger.warn({ err: error, events: batch.length, lost }, 'could not write analytics events');
        return;
      }
    }
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
