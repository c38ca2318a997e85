import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AnalyticsEvent } from './analytics.events.ts';
import { FlushingSink } from './flushing-sink.ts';
import { type AnalyticsEventsRepository, partitionName } from './events.repository.ts';

/**
 * Rows per INSERT (one JSON parameter, see AnalyticsEventsRepository.append): large enough that a
 * busy second is a few statements, small enough that one statement holds no lock for long.
 */
const ROWS_PER_INSERT = 5000;
/**
 * A drained batch is written as this many inserts at once, each on its own pooled connection:
 * one backend inserting is the limit of the write path (index upkeep), and a second one nearly
 * doubles it. A failure puts the whole batch back; the part already stored is skipped on retry
 * (same event ids).
 */
const PARALLEL_INSERTS = 2;
const DAY_MS = 86_400_000;

/**
 * The default sink: events wait in a bounded buffer and are appended to the partitioned raw table
 * every `flushMs` in batched inserts (the shape of engagement's progress recorder), so a beacon
 * costs the API an array push. A crash loses at most one interval; `close()` writes what waits.
 */
export class PostgresEventSink extends FlushingSink {
  readonly #repository: AnalyticsEventsRepository;
  readonly #clock: Clock;
  readonly #knownPartitions = new Set<string>();

  constructor(options: {
    repository: AnalyticsEventsRepository;
    clock: Clock;
    logger: Logger;
    flushMs: number;
    maxEvents: number;
  }) {
    super({ ...options, batchSize: ROWS_PER_INSERT });
    this.#repository = options.repository;
    this.#clock = options.clock;
  }

  protected async writeBatch(batch: readonly AnalyticsEvent[]): Promise<void> {
    await this.#ensurePartitions(batch);
    const now = this.#clock.now();
    const size = Math.ceil(batch.length / PARALLEL_INSERTS);
    const parts = Array.from({ length: Math.ceil(batch.length / size) }, (_, index) =>
      batch.slice(index * size, (index + 1) * size),
    );
    await Promise.all(parts.map((part) => this.#repository.append(part, now)));
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
