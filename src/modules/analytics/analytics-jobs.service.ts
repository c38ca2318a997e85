import type { Clock } from '../../platform/clock.ts';
import { type AnalyticsEvent, VIEWERS_SAMPLED } from './analytics.events.ts';
import { digestId } from './analytics.service.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import { type AnalyticsEventsRepository, partitionName } from './events.repository.ts';
import type { CountersRepository } from './counters.repository.ts';
import type { QoeRollupsRepository } from './qoe-rollups.repository.ts';
import type { RollupsRepository } from './rollups.repository.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const WATERMARK = 'rollups';
/**
 * Events written less than this long ago are left for the next run: ingest ids are taken before a
 * write commits, so a slow concurrent flush could commit a lower id after we read past it.
 */
export const ROLLUP_SETTLE_MS = 15_000;

const utcDay = (at: Date) => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);

/** The scheduled work of analytics: partitions ahead and behind, and the rollups. Idempotent. */
export class AnalyticsJobs {
  readonly #events: AnalyticsEventsRepository;
  readonly #rollups: RollupsRepository;
  readonly #counters: CountersRepository;
  readonly #qoe: QoeRollupsRepository;
  readonly #transactor: Transactor;
  readonly #clock: Clock;
  readonly #retentionDays: number;
  readonly #daysAhead: number;
  readonly #concurrentViewers: (now: Date) => Promise<number>;

  constructor(options: {
    events: AnalyticsEventsRepository;
    rollups: RollupsRepository;
    counters: CountersRepository;
    qoe: QoeRollupsRepository;
    transactor: Transactor;
    clock: Clock;
    retentionDays: number;
    daysAhead?: number;
    /** Playback's count of streams open at `now`. */
    concurrentViewers: (now: Date) => Promise<number>;
  }) {
    this.#events = options.events;
    this.#rollups = options.rollups;
    this.#counters = options.counters;
    this.#qoe = options.qoe;
    this.#transactor = options.transactor;
    this.#clock = options.clock;
    this.#retentionDays = options.retentionDays;
    this.#daysAhead = options.daysAhead ?? 3;
    this.#concurrentViewers = options.concurrentViewers;
  }

  /**
   * Records the streams open now as this minute's sample (a raw event, so the counters' peak is
   * recounted like any other): the peak concurrency figure is the highest sample of a bucket.
   * A second run in the same minute (a retry, a second worker) stores nothing new.
   */
  async sampleViewers(): Promise<number> {
    const now = this.#clock.now();
    const minute = new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);
    const viewers = await this.#concurrentViewers(now);
    const sample: AnalyticsEvent[] = [
      {
        eventId: digestId(`${VIEWERS_SAMPLED}:${minute.toISOString()}`),
        type: VIEWERS_SAMPLED,
        occurredAt: minute,
        userId: null,
        sessionId: null,
        titleId: null,
        itemId: null,
        planId: '',
        region: '',
        device: '',
        appVersion: '',
        payload: { viewers },
      },
    ];
    try {
      await this.#events.append(sample, now);
    } catch {
      // Today's partition is missing (a worker started before maintain-partitions first ran).
      await this.#events.createPartition(utcDay(minute));
      await this.#events.append(sample, now);
    }
    return viewers;
  }

  /**
   * Creates today's partition and the next few; drops whole partitions whose day ended more than
   * the retention ago (never a row-by-row delete). Rollups are kept: they are the history.
   */
  async maintainPartitions(signal?: AbortSignal): Promise<{ created: string[]; dropped: string[] }> {
    const today = utcDay(this.#clock.now());
    const existing = new Set((await this.#events.partitions()).map((partition) => partition.name));
    const created: string[] = [];
    for (let ahead = 0; ahead <= this.#daysAhead; ahead++) {
      const day = new Date(today.getTime() + ahead * DAY_MS);
      await this.#events.createPartition(day);
      const name = partitionName(day);
      if (!existing.has(name)) created.push(name);
    }
    signal?.throwIfAborted();
    const oldestKept = today.getTime() - (this.#retentionDays - 1) * DAY_MS;
    const dropped: string[] = [];
    for (const partition of await this.#events.partitions()) {
      if (partition.day.getTime() >= oldestKept) continue;
      await this.#events.dropPartition(partition.name);
      dropped.push(partition.name);
    }
    return { created, dropped };
  }

  /**
   * Brings the rollups up to the events written before now − settle: the hours those events fall
   * in are recounted whole from the raw table, then their days from the hours, one UTC day per
   * transaction (each reads one partition: a backlog of millions of events is never one statement
   * over all of them), and the watermark moves last. A crash or an abort part-way leaves the
   * watermark where it was: the next run recounts those hours again, which changes nothing twice.
   */
  async rollUp(
    options: {
      signal?: AbortSignal;
      /** Called after each day recounted (long runs: the bench and the CLI show it). */
      onDay?: (progress: { day: Date; done: number; days: number }) => void;
    } = {},
  ): Promise<{ hours: number; days: number; upTo: number }> {
    const settled = new Date(this.#clock.now().getTime() - ROLLUP_SETTLE_MS);
    const after = await this.#rollups.watermark(WATERMARK);
    const upTo = await this.#events.lastIdBefore({ before: settled, after });
    if (upTo <= after) return { hours: 0, days: 0, upTo: after };
    const hours = await this.#events.hoursTouched({ after, upTo });
    const byDay = new Map<number, Date[]>();
    for (const hour of hours) {
      const day = utcDay(hour).getTime();
      byDay.set(day, [...(byDay.get(day) ?? []), hour]);
    }
    let done = 0;
    for (const [time, dayHours] of byDay) {
      options.signal?.throwIfAborted();
      const day = new Date(time);
      await this.#transactor.run(async (trx) => {
        await this.#rollups.recountHours(dayHours, trx);
        await this.#rollups.recountDays([day], trx);
        await this.#counters.recountHours(dayHours, trx);
        await this.#counters.recountDays([day], trx);
        await this.#qoe.recountHours(dayHours, trx);
        await this.#qoe.recountDays([day], trx);
        await this.#counters.addActiveProfiles({ after, upTo, day }, trx);
      });
      done += 1;
      options.onDay?.({ day, done, days: byDay.size });
    }
    await this.#rollups.setWatermark({ name: WATERMARK, lastEventId: upTo, now: this.#clock.now() });
    return { hours: hours.length, days: byDay.size, upTo };
  }
}
