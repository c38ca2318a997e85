import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import { bucketSpan, DAY_MS, HOUR_MS } from './bucket-span.repository.ts';
import { STARTUP_BIN_COUNT, STARTUP_BIN_UPPER_MS } from './qoe-bins.ts';
import type { Granularity } from './rollups.repository.ts';

export type QoeDimension = 'none' | 'rendition' | 'plan' | 'region' | 'device';
const binIndexes = Array.from({ length: STARTUP_BIN_COUNT }, (_, index) => index);
const binColumns = sql.raw(binIndexes.map((index) => `startup_bin_${index}`).join(', '));
const sumOfBins = (alias: (index: number) => string) =>
  sql.raw(binIndexes.map((index) => `sum(startup_bin_${index}) as ${alias(index)}`).join(', '));

/** The startup_bin_N column for raw events: how many PlaybackStarted fell in bin N. */
function rawBinCounts(): RawBuilder<unknown> {
  const startup = sql`(payload->>'startupMs')::bigint`;
  return sql.join(
    binIndexes.map((index) => {
      const lower = index === 0 ? null : STARTUP_BIN_UPPER_MS[index - 1];
      const upper = STARTUP_BIN_UPPER_MS[index];
      const above = lower === null || lower === undefined ? sql`true` : sql`${startup} > ${lower}`;
      const within = upper === undefined ? sql`true` : sql`${startup} <= ${upper}`;
      return sql`count(*) filter (where type = 'PlaybackStarted' and ${above} and ${within})`;
    }),
  );
}

/** Sums of one bucket and one value of the grouping dimension. */
export interface QoeTotals {
  bucket: Date;
  key: string;
  plays: number;
  startupMsSum: number;
  watchMs: number;
  rebufferCount: number;
  rebufferMs: number;
  bitrateSwitches: number;
  errors: number;
  startupBins: number[];
}

/** SQL only for `analytics_qoe_rollups`: QoE by rendition, plan, region and device with start-time bins. */
export class QoeRollupsRepository {
  readonly #db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Recounts whole hours from the raw player beacons (as analytics_rollups does, same hours). */
  async recountHours(hours: readonly Date[], executor: Executor = this.#db): Promise<void> {
    if (hours.length === 0) return;
    const span = bucketSpan(hours, HOUR_MS);
    await sql`delete from analytics_qoe_rollups where granularity = 'hour' and bucket in (${span.list})`.execute(
      executor,
    );
    await sql`
      insert into analytics_qoe_rollups (granularity, bucket, rendition_height, plan_id, region, device,
        plays, startup_ms_sum, watch_ms, rebuffer_count, rebuffer_ms, bitrate_switches, errors, ${binColumns})
      select 'hour', date_trunc('hour', occurred_at, 'UTC'),
        coalesce((payload->>'renditionHeight')::integer, (payload->>'toHeight')::integer, 0), plan_id, region, device,
        count(*) filter (where type = 'PlaybackStarted'),
        coalesce(sum((payload->>'startupMs')::bigint) filter (where type = 'PlaybackStarted'), 0),
        coalesce(round(sum((payload->>'seconds')::numeric * 1000) filter (where type = 'RenditionWatched')), 0),
        count(*) filter (where type = 'PlaybackRebuffered'),
        coalesce(sum((payload->>'durationMs')::bigint) filter (where type = 'PlaybackRebuffered'), 0),
        count(*) filter (where type = 'BitrateSwitched'),
        count(*) filter (where type = 'PlaybackFailed'),
        ${rawBinCounts()}
      from analytics_events
      where occurred_at >= ${span.from}::timestamptz and occurred_at < ${span.to}::timestamptz
        and date_trunc('hour', occurred_at, 'UTC') in (${span.list})
        and type in ('PlaybackStarted', 'RenditionWatched', 'PlaybackRebuffered', 'BitrateSwitched', 'PlaybackFailed')
      group by 2, 3, 4, 5, 6
    `.execute(executor);
  }

  /** Rebuilds whole days from their hours. */
  async recountDays(days: readonly Date[], executor: Executor = this.#db): Promise<void> {
    if (days.length === 0) return;
    const span = bucketSpan(days, DAY_MS);
    await sql`delete from analytics_qoe_rollups where granularity = 'day' and bucket in (${span.list})`.execute(
      executor,
    );
    await sql`
      insert into analytics_qoe_rollups (granularity, bucket, rendition_height, plan_id, region, device,
        plays, startup_ms_sum, watch_ms, rebuffer_count, rebuffer_ms, bitrate_switches, errors, ${binColumns})
      select 'day', date_trunc('day', bucket, 'UTC'), rendition_height, plan_id, region, device,
        sum(plays), sum(startup_ms_sum), sum(watch_ms), sum(rebuffer_count), sum(rebuffer_ms),
        sum(bitrate_switches), sum(errors), ${sumOfBins((index) => `b${index}`)}
      from analytics_qoe_rollups
      where granularity = 'hour'
        and bucket >= ${span.from}::timestamptz and bucket < ${span.to}::timestamptz
        and date_trunc('day', bucket, 'UTC') in (${span.list})
      group by 2, 3, 4, 5, 6
    `.execute(executor);
  }

  /** Totals per bucket in [from, to), grouped by one dimension ('none': one row per bucket). */
  async totals(
    options: { granularity: Granularity; from: Date; to: Date; by: QoeDimension },
    executor: Executor = this.#db,
  ): Promise<QoeTotals[]> {
    const column = {
      none: sql`''`,
      rendition: sql`rendition_height::text`,
      plan: sql.ref('plan_id'),
      region: sql.ref('region'),
      device: sql.ref('device'),
    }[options.by];
    const { rows } = await sql<Record<string, string | Date>>`
      select bucket, ${column} as key, sum(plays) as plays, sum(startup_ms_sum) as "startupMsSum",
        sum(watch_ms) as "watchMs", sum(rebuffer_count) as "rebufferCount", sum(rebuffer_ms) as "rebufferMs",
        sum(bitrate_switches) as "bitrateSwitches", sum(errors) as errors, ${sumOfBins((index) => `"bin${index}"`)}
      from analytics_qoe_rollups
      where granularity = ${options.granularity}
        and bucket >= ${options.from.toISOString()}::timestamptz and bucket < ${options.to.toISOString()}::timestamptz
      group by 1, 2
      order by 1, 3 desc, 2
    `.execute(executor);
    return rows.map((row) => ({
      bucket: new Date(row.bucket as Date),
      key: String(row.key),
      plays: Number(row.plays),
      startupMsSum: Number(row.startupMsSum),
      watchMs: Number(row.watchMs),
      rebufferCount: Number(row.rebufferCount),
      rebufferMs: Number(row.rebufferMs),
      bitrateSwitches: Number(row.bitrateSwitches),
      errors: Number(row.errors),
      startupBins: binIndexes.map((index) => Number(row[`bin${index}`])),
    }));
  }
}
