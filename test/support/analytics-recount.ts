import type { Kysely } from 'kysely';
import type { DB } from '../../src/platform/db/db.generated.ts';
import type { AnalyticsEvent } from '../../src/modules/analytics/index.ts';
import { STARTUP_BIN_COUNT, startupBin } from '../../src/modules/analytics/qoe-bins.ts';

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

/** The rows of some titles, keyed and valued as a recount keys and values them. */
const ofTitles = <Row extends { titleId: string }, Value>(
  rows: readonly Row[],
  titles: ReadonlySet<string>,
  entry: (row: Row) => [string, Value],
) => new Map(rows.filter((row) => titles.has(row.titleId)).map(entry));

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
  return ofTitles(rows, titles, (row) => [
    [row.bucket.toISOString(), row.titleId, row.planId, row.region, row.device].join('|'),
    Object.fromEntries(metrics.map((metric) => [metric, Number(row[metric])])) as Totals,
  ]);
}

/** The per-title rows (`analytics_title_rollups`) a recount implies: its rows summed over plan, region and device. */
export function recountTitles(events: readonly AnalyticsEvent[], granularity: 'hour' | 'day') {
  const titles = new Map<string, { plays: number; finishes: number; watchMs: number }>();
  for (const [key, row] of recount(events, granularity)) {
    const [bucket, titleId] = key.split('|');
    if (!titleId) continue;
    const title = titles.get(`${bucket}|${titleId}`) ?? { plays: 0, finishes: 0, watchMs: 0 };
    title.plays += row.plays;
    title.finishes += row.finishes;
    title.watchMs += row.watchMs;
    titles.set(`${bucket}|${titleId}`, title);
  }
  return titles;
}

/** `analytics_title_rollups` of some titles, keyed as recountTitles keys them. */
export async function storedTitleRollups(
  db: Kysely<DB>,
  granularity: 'hour' | 'day',
  titles: ReadonlySet<string>,
) {
  const rows = await db
    .selectFrom('analyticsTitleRollups')
    .selectAll()
    .where('granularity', '=', granularity)
    .execute();
  return ofTitles(rows, titles, (row) => [
    `${row.bucket.toISOString()}|${row.titleId}`,
    { plays: Number(row.plays), finishes: Number(row.finishes), watchMs: Number(row.watchMs) },
  ]);
}

export const counterMetrics = ['count', 'amount', 'mrrDelta', 'payingDelta', 'peak'] as const;
export type CounterTotals = Record<(typeof counterMetrics)[number], number>;

/** What `analytics_counters` should hold for some domain events, counted by hand. */
export function recountCounters(
  events: readonly AnalyticsEvent[],
  granularity: 'hour' | 'day',
): Map<string, CounterTotals> {
  const size = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const totals = new Map<string, CounterTotals>();
  for (const event of events) {
    const payload = event.payload as Record<string, string | number | undefined>;
    const type = event.type as string;
    const bucket = new Date(Math.floor(event.occurredAt.getTime() / size) * size).toISOString();
    const key1 = type.startsWith('Subscription')
      ? payload.planId
      : type === 'AdBeaconCounted'
        ? payload.event
        : type.startsWith('Recommendations')
          ? payload.row
          : type.startsWith('Live')
            ? payload.liveEventId
            : undefined;
    const key2 = type.startsWith('Subscription')
      ? payload.currency
      : type === 'AdBeaconCounted'
        ? payload.campaignId
        : undefined;
    const key = [bucket, type, key1 ?? '', key2 ?? ''].join('|');
    const row =
      totals.get(key) ?? (Object.fromEntries(counterMetrics.map((metric) => [metric, 0])) as CounterTotals);
    row.count += type.startsWith('Recommendations') ? Number(payload.count) : 1;
    row.amount += type.startsWith('Subscription')
      ? Number(payload.amountMinor ?? 0)
      : type === 'AdBeaconCounted'
        ? Number(payload.revenueMilliMinor)
        : 0;
    row.mrrDelta += Number(payload.mrrDeltaMinor ?? 0);
    row.payingDelta += Number(payload.payingDelta ?? 0);
    row.peak = Math.max(row.peak, Number(payload.viewers ?? 0));
    totals.set(key, row);
  }
  return totals;
}

/** The stored counters whose keys are among `keys`, keyed like `recountCounters`. */
export async function storedCounters(
  db: Kysely<DB>,
  granularity: 'hour' | 'day',
  keys: ReadonlySet<string>,
): Promise<Map<string, CounterTotals>> {
  const rows = await db
    .selectFrom('analyticsCounters')
    .selectAll()
    .where('granularity', '=', granularity)
    .execute();
  return new Map(
    rows
      .filter((row) => keys.has(row.key1) || keys.has(row.key2))
      .map((row) => [
        [row.bucket.toISOString(), row.type, row.key1, row.key2].join('|'),
        Object.fromEntries(counterMetrics.map((metric) => [metric, Number(row[metric])])) as CounterTotals,
      ]),
  );
}

export const qoeMetrics = [
  'plays',
  'startupMsSum',
  'watchMs',
  'rebufferCount',
  'rebufferMs',
  'bitrateSwitches',
  'errors',
] as const;
export type QoeTotals = Record<(typeof qoeMetrics)[number], number> & { startupBins: number[] };
const qoeTypes = new Set([
  'PlaybackStarted',
  'RenditionWatched',
  'PlaybackRebuffered',
  'BitrateSwitched',
  'PlaybackFailed',
]);

/** What `analytics_qoe_rollups` should hold for some player beacons, counted by hand. */
export function recountQoe(
  events: readonly AnalyticsEvent[],
  granularity: 'hour' | 'day',
): Map<string, QoeTotals> {
  const size = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const totals = new Map<string, QoeTotals>();
  for (const event of events) {
    if (!qoeTypes.has(event.type)) continue;
    const payload = event.payload as Record<string, number | undefined>;
    const bucket = new Date(Math.floor(event.occurredAt.getTime() / size) * size).toISOString();
    const rendition = payload.renditionHeight ?? payload.toHeight ?? 0;
    const key = [bucket, rendition, event.planId, event.region, event.device].join('|');
    const row =
      totals.get(key) ??
      ({
        ...Object.fromEntries(qoeMetrics.map((metric) => [metric, 0])),
        startupBins: Array.from({ length: STARTUP_BIN_COUNT }, () => 0),
      } as QoeTotals);
    if (event.type === 'PlaybackStarted') {
      row.plays += 1;
      row.startupMsSum += payload.startupMs!;
      const bin = startupBin(payload.startupMs!);
      row.startupBins[bin] = (row.startupBins[bin] ?? 0) + 1;
    }
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

/** The stored QoE rollups with buckets in [from, to), keyed like `recountQoe`. */
export async function storedQoe(
  db: Kysely<DB>,
  options: { granularity: 'hour' | 'day'; from: Date; to: Date },
): Promise<Map<string, QoeTotals>> {
  const rows = await db
    .selectFrom('analyticsQoeRollups')
    .selectAll()
    .where('granularity', '=', options.granularity)
    .where('bucket', '>=', options.from)
    .where('bucket', '<', options.to)
    .execute();
  return new Map(
    rows.map((row) => [
      [row.bucket.toISOString(), row.renditionHeight, row.planId, row.region, row.device].join('|'),
      {
        ...(Object.fromEntries(qoeMetrics.map((metric) => [metric, Number(row[metric])])) as Record<
          (typeof qoeMetrics)[number],
          number
        >),
        startupBins: Array.from({ length: STARTUP_BIN_COUNT }, (_, index) =>
          Number(row[`startupBin${index}` as keyof typeof row]),
        ),
      },
    ]),
  );
}
