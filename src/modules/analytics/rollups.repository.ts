import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import { bucketSpan, DAY_MS, HOUR_MS } from './bucket-span.repository.ts';

export type Granularity = 'hour' | 'day';
/** SQL only for `analytics_rollups` and the job's watermark. */
export class RollupsRepository {
  readonly #db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async watermark(name: string, executor: Executor = this.#db): Promise<number> {
    const row = await executor
      .selectFrom('analyticsWatermarks')
      .select('lastEventId')
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(row?.lastEventId ?? 0);
  }

  async setWatermark(
    options: { name: string; lastEventId: number; now: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor
      .insertInto('analyticsWatermarks')
      .values({ name: options.name, lastEventId: options.lastEventId, updatedAt: options.now })
      .onConflict((conflict) =>
        conflict.column('name').doUpdateSet({ lastEventId: options.lastEventId, updatedAt: options.now }),
      )
      .execute();
  }

  /**
   * Recounts whole hours from the raw events (so late and duplicate events land right: duplicates
   * never reach the raw table, late ones are counted when their hour is recounted).
   */
  async recountHours(hours: readonly Date[], executor: Executor = this.#db): Promise<void> {
    if (hours.length === 0) return;
    const span = bucketSpan(hours, HOUR_MS);
    await sql`delete from analytics_rollups where granularity = 'hour' and bucket in (${span.list})`.execute(
      executor,
    );
    await sql`
      insert into analytics_rollups (granularity, bucket, title_id, plan_id, region, device, plays,
        finishes, watch_ms, startup_ms_sum, startup_count, rebuffer_count, rebuffer_ms,
        bitrate_switches, errors, events)
      select 'hour', date_trunc('hour', occurred_at, 'UTC'), coalesce(title_id::text, ''), plan_id,
        region, device,
        count(*) filter (where type = 'PlaybackStarted'),
        count(*) filter (where type = 'TitleFinished'),
        coalesce(round(sum((payload->>'seconds')::numeric * 1000) filter (where type = 'RenditionWatched')), 0),
        coalesce(sum((payload->>'startupMs')::bigint) filter (where type = 'PlaybackStarted'), 0),
        count(*) filter (where type = 'PlaybackStarted'),
        count(*) filter (where type = 'PlaybackRebuffered'),
        coalesce(sum((payload->>'durationMs')::bigint) filter (where type = 'PlaybackRebuffered'), 0),
        count(*) filter (where type = 'BitrateSwitched'),
        count(*) filter (where type = 'PlaybackFailed'),
        count(*)
      from analytics_events
      where occurred_at >= ${span.from}::timestamptz and occurred_at < ${span.to}::timestamptz
        and date_trunc('hour', occurred_at, 'UTC') in (${span.list})
      group by 2, 3, 4, 5, 6
    `.execute(executor);
    await this.#recountTitles({ granularity: 'hour', span }, executor);
  }

  /** Rebuilds whole days from their hours (raw events of a day may be gone by retention). */
  async recountDays(days: readonly Date[], executor: Executor = this.#db): Promise<void> {
    if (days.length === 0) return;
    const span = bucketSpan(days, DAY_MS);
    await sql`delete from analytics_rollups where granularity = 'day' and bucket in (${span.list})`.execute(
      executor,
    );
    await sql`
      insert into analytics_rollups (granularity, bucket, title_id, plan_id, region, device, plays,
        finishes, watch_ms, startup_ms_sum, startup_count, rebuffer_count, rebuffer_ms,
        bitrate_switches, errors, events)
      select 'day', date_trunc('day', bucket, 'UTC'), title_id, plan_id, region, device, sum(plays),
        sum(finishes), sum(watch_ms), sum(startup_ms_sum), sum(startup_count), sum(rebuffer_count),
        sum(rebuffer_ms), sum(bitrate_switches), sum(errors), sum(events)
      from analytics_rollups
      where granularity = 'hour'
        and bucket >= ${span.from}::timestamptz and bucket < ${span.to}::timestamptz
        and date_trunc('day', bucket, 'UTC') in (${span.list})
      group by 2, 3, 4, 5, 6
    `.execute(executor);
    await this.#recountTitles({ granularity: 'day', span }, executor);
  }

  /**
   * Rebuilds `analytics_title_rollups` for buckets just recounted here: each title's sums over
   * every plan, region and device, so the title figures read one row per title and bucket.
   */
  async #recountTitles(
    options: { granularity: Granularity; span: ReturnType<typeof bucketSpan> },
    executor: Executor,
  ): Promise<void> {
    const { granularity, span } = options;
    await sql`delete from analytics_title_rollups where granularity = ${granularity} and bucket in (${span.list})`.execute(
      executor,
    );
    await sql`
      insert into analytics_title_rollups (granularity, bucket, title_id, plays, finishes, watch_ms)
      select granularity, bucket, title_id, sum(plays), sum(finishes), sum(watch_ms)
      from analytics_rollups
      where granularity = ${granularity} and title_id <> ''
        and bucket >= ${span.from}::timestamptz and bucket < ${span.to}::timestamptz
        and bucket in (${span.list})
      group by 1, 2, 3
    `.execute(executor);
  }

  /**
   * Plays, finishes and watch time per title over the whole of [from, to), most played first
   * (then most watched, then by id), at most `limit` when given: summed in SQL, so a long range of
   * many titles sends the top rows only.
   */
  async byTitle(
    options: { granularity: Granularity; from: Date; to: Date; limit?: number },
    executor: Executor = this.#db,
  ): Promise<Array<{ titleId: string; plays: number; finishes: number; watchMs: number }>> {
    const { rows } = await sql<{ titleId: string; plays: string; finishes: string; watchMs: string }>`
      select title_id as "titleId", sum(plays) as plays, sum(finishes) as finishes, sum(watch_ms) as "watchMs"
      from analytics_title_rollups
      where granularity = ${options.granularity}
        and bucket >= ${options.from.toISOString()}::timestamptz and bucket < ${options.to.toISOString()}::timestamptz
      group by 1
      order by 2 desc, 4 desc, 1
      ${options.limit === undefined ? sql`` : sql`limit ${options.limit}`}
    `.execute(executor);
    return rows.map((row) => ({
      titleId: row.titleId,
      plays: Number(row.plays),
      finishes: Number(row.finishes),
      watchMs: Number(row.watchMs),
    }));
  }

  /** Plays, finishes and watch time per bucket and title in [from, to): one stored row each. */
  async titlesByBucket(
    options: { granularity: Granularity; from: Date; to: Date },
    executor: Executor = this.#db,
  ): Promise<Array<{ bucket: Date; titleId: string; plays: number; finishes: number; watchMs: number }>> {
    const rows = await executor
      .selectFrom('analyticsTitleRollups')
      .select(['bucket', 'titleId', 'plays', 'finishes', 'watchMs'])
      .where('granularity', '=', options.granularity)
      .where('bucket', '>=', options.from)
      .where('bucket', '<', options.to)
      .orderBy('bucket')
      .orderBy('plays', 'desc')
      .orderBy('titleId')
      .execute();
    return rows.map((row) => ({
      bucket: row.bucket,
      titleId: row.titleId,
      plays: Number(row.plays),
      finishes: Number(row.finishes),
      watchMs: Number(row.watchMs),
    }));
  }
}
