import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import { bucketSpan, DAY_MS, HOUR_MS } from './bucket-span.repository.ts';
import { counterTypes } from './analytics.events.ts';

const types = () => sql.join(counterTypes.map((type) => sql`${type}`));

export type Unit = 'hour' | 'day' | 'month';

/** Sums of one bucket, type and keys of `analytics_counters`. */
export interface CounterTotals {
  bucket: Date;
  type: string;
  key1: string;
  key2: string;
  count: number;
  amount: number;
  mrrDelta: number;
  payingDelta: number;
  peak: number;
}

/**
 * SQL only for `analytics_counters` (domain events by type, bucket and two keys) and
 * `analytics_active_profiles`. What the keys and sums mean per type is decided here, once:
 * - Subscription*: key1 plan, key2 currency; amount = amountMinor; mrr and paying deltas.
 * - AdBeaconCounted: key1 beacon event, key2 campaign; amount = revenue in thousandths of a minor unit.
 * - AdSlotsCounted: count = slots requested, amount = filled.
 * - Recommendations*: key1 row; count = how many the batch held.
 * - Live*: key1 live event; peak = viewers.
 * - PlaybackSessionStarted: key1 plan. UserSignedIn: key1 method.
 */
export class CountersRepository {
  readonly #db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Recounts whole hours of the counters from the raw events (late and duplicate ones land right). */
  async recountHours(hours: readonly Date[], executor: Executor = this.#db): Promise<void> {
    if (hours.length === 0) return;
    const span = bucketSpan(hours, HOUR_MS);
    await sql`delete from analytics_counters where granularity = 'hour' and bucket in (${span.list})`.execute(
      executor,
    );
    await sql`
      insert into analytics_counters (granularity, bucket, type, key1, key2, count, amount, mrr_delta,
        paying_delta, peak)
      select 'hour', date_trunc('hour', occurred_at, 'UTC'), type,
        coalesce(case
          when type like 'Subscription%' or type = 'PlaybackSessionStarted' then payload->>'planId'
          when type = 'AdBeaconCounted' then payload->>'event'
          when type like 'Recommendations%' then payload->>'row'
          when type like 'Live%' then payload->>'liveEventId'
          when type = 'UserSignedIn' or type = 'UserRegistered' then payload->>'method'
        end, '') as key1,
        coalesce(case
          when type like 'Subscription%' then payload->>'currency'
          when type = 'AdBeaconCounted' then payload->>'campaignId'
        end, '') as key2,
        sum(case
          when type like 'Recommendations%' then (payload->>'count')::bigint
          when type = 'AdSlotsCounted' then (payload->>'requested')::bigint
          else 1 end),
        coalesce(sum(case
          when type like 'Subscription%' then (payload->>'amountMinor')::bigint
          when type = 'AdBeaconCounted' then (payload->>'revenueMilliMinor')::bigint
          when type = 'AdSlotsCounted' then (payload->>'filled')::bigint
        end), 0),
        coalesce(sum((payload->>'mrrDeltaMinor')::bigint), 0),
        coalesce(sum((payload->>'payingDelta')::bigint), 0),
        coalesce(max((payload->>'viewers')::bigint), 0)
      from analytics_events
      where occurred_at >= ${span.from}::timestamptz and occurred_at < ${span.to}::timestamptz
        and date_trunc('hour', occurred_at, 'UTC') in (${span.list})
        and type in (${types()})
      group by 2, 3, 4, 5
    `.execute(executor);
  }

  /** Rebuilds whole days of the counters from their hours. */
  async recountDays(days: readonly Date[], executor: Executor = this.#db): Promise<void> {
    if (days.length === 0) return;
    const span = bucketSpan(days, DAY_MS);
    await sql`delete from analytics_counters where granularity = 'day' and bucket in (${span.list})`.execute(
      executor,
    );
    await sql`
      insert into analytics_counters (granularity, bucket, type, key1, key2, count, amount, mrr_delta,
        paying_delta, peak)
      select 'day', date_trunc('day', bucket, 'UTC'), type, key1, key2, sum(count), sum(amount),
        sum(mrr_delta), sum(paying_delta), max(peak)
      from analytics_counters
      where granularity = 'hour'
        and bucket >= ${span.from}::timestamptz and bucket < ${span.to}::timestamptz
        and date_trunc('day', bucket, 'UTC') in (${span.list})
      group by 2, 3, 4, 5
    `.execute(executor);
  }

  /**
   * Adds the (day, account, profile) pairs of the events of one UTC day with ingest ids in
   * (after, upTo]: the day's range keeps the read to its partition.
   */
  async addActiveProfiles(
    range: { after: number; upTo: number; day: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    const span = bucketSpan([range.day], DAY_MS);
    await sql`
      insert into analytics_active_profiles (day, user_id, profile_key)
      select distinct (occurred_at at time zone 'UTC')::date, user_id, coalesce(payload->>'profileKey', '')
      from analytics_events
      where occurred_at >= ${span.from}::timestamptz and occurred_at < ${span.to}::timestamptz
        and id > ${range.after} and id <= ${range.upTo} and user_id is not null
      on conflict do nothing
    `.execute(executor);
  }

  /** Counter sums per bucket of `unit` in [from, to) for some types, by type and keys. */
  async totals(
    options: { unit: Unit; from: Date; to: Date; types: readonly string[] },
    executor: Executor = this.#db,
  ): Promise<CounterTotals[]> {
    const granularity = options.unit === 'hour' ? 'hour' : 'day';
    const { rows } = await sql<Record<keyof CounterTotals, string | Date>>`
      select date_trunc(${options.unit}, bucket, 'UTC') as bucket, type, key1, key2,
        sum(count) as count, sum(amount) as amount, sum(mrr_delta) as "mrrDelta",
        sum(paying_delta) as "payingDelta", max(peak) as peak
      from analytics_counters
      where granularity = ${granularity} and type in (${sql.join(options.types.map((type) => sql`${type}`))})
        and bucket >= ${options.from.toISOString()}::timestamptz and bucket < ${options.to.toISOString()}::timestamptz
      group by 1, 2, 3, 4
      order by 1, 2, 3, 4
    `.execute(executor);
    return rows.map((row) => ({
      bucket: new Date(row.bucket),
      type: String(row.type),
      key1: String(row.key1),
      key2: String(row.key2),
      count: Number(row.count),
      amount: Number(row.amount),
      mrrDelta: Number(row.mrrDelta),
      payingDelta: Number(row.payingDelta),
      peak: Number(row.peak),
    }));
  }

  /** MRR and paying subscribers before `before`, by plan and currency: the sum of every delta so far. */
  async recurringBefore(before: Date, executor: Executor = this.#db) {
    const { rows } = await sql<{ planId: string; currency: string; mrr: string; paying: string }>`
      select key1 as "planId", key2 as currency, sum(mrr_delta) as mrr, sum(paying_delta) as paying
      from analytics_counters
      where granularity = 'day' and type like 'Subscription%' and bucket < ${before.toISOString()}::timestamptz
      group by 1, 2
    `.execute(executor);
    return rows.map((row) => ({
      planId: row.planId,
      currency: row.currency,
      mrrMinor: Number(row.mrr),
      paying: Number(row.paying),
    }));
  }

  /** Distinct active profiles per bucket of `unit` in [from, to). */
  async activeProfiles(
    options: { unit: 'day' | 'month'; from: Date; to: Date },
    executor: Executor = this.#db,
  ): Promise<{ bucket: Date; profiles: number; accounts: number }[]> {
    const { rows } = await sql<{ bucket: Date; profiles: string; accounts: string }>`
      select date_trunc(${options.unit}, day::timestamp) at time zone 'UTC' as bucket,
        count(distinct (user_id, profile_key)) as profiles, count(distinct user_id) as accounts
      from analytics_active_profiles
      where day >= ${options.from.toISOString().slice(0, 10)}::date and day < ${options.to.toISOString().slice(0, 10)}::date
      group by 1 order by 1
    `.execute(executor);
    return rows.map((row) => ({
      bucket: new Date(row.bucket),
      profiles: Number(row.profiles),
      accounts: Number(row.accounts),
    }));
  }
}
