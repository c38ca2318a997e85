import type { Kysely } from 'kysely';
import type { DB } from '../../src/platform/db/db.generated.ts';
import type { AnalyticsEvent } from '../../src/modules/analytics/index.ts';

/** A recount of analytics events by hand, to hold the SQL rollups against. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const metrics = [
  'plays',
  'finishes',
  'watchMs',
  'startupMsSum',
  'startupCount',
  'rebufferCount',
  'rebufferMs',
  'bitrateSwitches',
  'errors',
  'events',
] as const;
export type Totals = Record<(typeof metrics)[number], number>;

/** mulberry32: a seeded generator, so a failure can be replayed with its seed. */
export function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function recount(events: readonly AnalyticsEvent[], granularity: 'hour' | 'day'): Map<string, Totals> {
  const size = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const totals = new Map<string, Totals>();
  for (const event of events) {
    const bucket = new Date(Math.floor(event.occurredAt.getTime() / size) * size).toISOString();
    const key = [bucket, event.titleId ?? '', event.planId, event.region, event.device].join('|');
    const row = totals.get(key) ?? (Object.fromEntries(metrics.map((metric) => [metric, 0])) as Totals);
    const payload = event.payload as Record<string, number>;
    row.events += 1;
    if (event.type === 'PlaybackStarted') {
      row.plays += 1;
      row.startupCount += 1;
      row.startupMsSum += payload.startupMs!;
    }
    if (event.type === 'TitleFinished') row.finishes += 1;
    if (event.type === 'RenditionWatched') row.watchMs += Math.round(payload.seconds! * 1000);
    if (event.type === 'PlaybackRebuffered') {
      row.rebufferCount += 1;
      row.rebufferMs += payload.durationMs!;
    }
    if (event.type === 'BitrateSwitched') row.bitrateSwitches += 1;
    if (event.type === 'PlaybackFailed') row.errors += 1;
    totals.set(key, row);
  }
  return totals;
}

/** The stored rollups of some titles, keyed like `recount`. */
export async function storedRollups(
  db: Kysely<DB>,
  granularity: 'hour' | 'day',
  titles: ReadonlySet<string>,
): Promise<Map<string, Totals>> {
  const rows = await db
    .selectFrom('analyticsRollups')
    .selectAll()
    .where('granularity', '=', granularity)
    .execute();
  return new Map(
    rows
      .filter((row) => titles.has(row.titleId))
      .map((row) => [
        [row.bucket.toISOString(), row.titleId, row.planId, row.region, row.device].join('|'),
        Object.fromEntries(metrics.map((metric) => [metric, Number(row[metric])])) as Totals,
      ]),
  );
}
