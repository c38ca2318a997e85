import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AnalyticsEvent } from './analytics.events.ts';
import { FlushingSink } from './flushing-sink.ts';
import { type AnalyticsEventsRepository, partitionName } from './events.repository.ts';

/** Rows per INSERT: 13 columns each stays far below PostgreSQL's 65,535 parameters. */
const ROWS_PER_INSERT = 1000;
const DAY_MS = 86_400_000;

/**
 * The default sink: events wait in a bounded buffer and are appended to the partitioned raw table
 * every `flushMs` in multi-row inserts (the shape of engagement's progress recorder), so a beacon
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
    await this.#repository.append(batch, this.#clock.now());
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
