import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  AnalyticsEventsRepository,
  createAnalyticsJobs,
  type AnalyticsEvent,
} from '../../src/modules/analytics/index.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { DB } from '../../src/platform/db/db.generated.ts';
import { DAY_MS, random } from './analytics-recount.ts';
import { concurrentStreamCounter } from '../../src/modules/playback/index.ts';

export interface SeededHistory {
  /** Plays per title over the whole history. */
  plays: Map<string, number>;
  /** Watch hours per title over the whole history. */
  watchHours: Map<string, number>;
  events: number;
}

/**
 * A few days of playback analytics for some titles, written to the raw events table (its daily
 * partitions made first) and rolled up, as the scheduled jobs would have done over those days:
 * the history a dashboard reads. Deterministic per seed; each title gets more plays than the next.
 */
export async function seedAnalyticsHistory(
  db: Kysely<DB>,
  options: { titleIds: readonly string[]; days: number; now: Date; seed?: number },
): Promise<SeededHistory> {
  const next = random(options.seed ?? 7);
  const repository = new AnalyticsEventsRepository(db);
  const today = Math.floor(options.now.getTime() / DAY_MS) * DAY_MS;
  const events: AnalyticsEvent[] = [];
  const plays = new Map<string, number>();
  const watchHours = new Map<string, number>();
  const base = {
    userId: null,
    sessionId: null,
    itemId: null,
    planId: 'premium',
    region: 'DE',
    device: 'web',
    appVersion: '1.0.0',
  };
  for (let day = options.days - 1; day >= 0; day--) {
    const dayStart = today - day * DAY_MS;
    await repository.createPartition(new Date(dayStart));
    // Events spread over the day's hours that have passed (today's only up to now).
    const span = Math.max(1, Math.min(DAY_MS, options.now.getTime() - dayStart - 60_000));
    options.titleIds.forEach((titleId, rank) => {
      const count = 2 + (options.titleIds.length - rank) * 2 + Math.floor(next() * 3);
      for (let play = 0; play < count; play++) {
        const at = dayStart + Math.floor(next() * span);
        const event = (
          type: AnalyticsEvent['type'],
          payload: Record<string, unknown>,
          offsetMs = 0,
        ): AnalyticsEvent => ({
          ...base,
          eventId: randomUUID(),
          type,
          occurredAt: new Date(Math.min(at + offsetMs, options.now.getTime() - 1000)),
          titleId,
          payload,
        });
        const seconds = 600 + Math.floor(next() * 3000);
        events.push(
          event('PlaybackStarted', { startupMs: 300 + Math.floor(next() * 1500), renditionHeight: 720 }),
          event('RenditionWatched', { renditionHeight: 720, seconds }),
        );
        if (next() < 0.3) events.push(event('PlaybackRebuffered', { durationMs: Math.floor(next() * 2000) }));
        if (next() < 0.6) events.push(event('TitleFinished', {}));
        if (next() < 0.05) events.push(event('PlaybackFailed', { code: 'MEDIA_ERR_DECODE', fatal: true }));
        plays.set(titleId, (plays.get(titleId) ?? 0) + 1);
        watchHours.set(titleId, (watchHours.get(titleId) ?? 0) + seconds / 3600);
      }
    });
  }
  await repository.append(events, options.now);
  // The rollup job reads events received before its settle time: run it as if a minute later.
  const jobs = createAnalyticsJobs({
    db,
    clock: new ManualClock(new Date(options.now.getTime() + 60_000)),
    config: { analytics: { retentionDays: 90 } },
    concurrentViewers: concurrentStreamCounter({ db: db, heartbeatLapseSeconds: 60 }),
  });
  await jobs.rollUp();
  return { plays, watchHours, events: events.length };
}
