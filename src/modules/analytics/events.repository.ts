import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { AnalyticsEvent } from './analytics.events.ts';

const PARTITION_PREFIX = 'analytics_events_p';
const PARTITION_NAME = /^analytics_events_p(\d{4})(\d{2})(\d{2})$/;

/** The partition holding one UTC day's events. */
export const partitionName = (day: Date): string =>
  `${PARTITION_PREFIX}${day.toISOString().slice(0, 10).replaceAll('-', '')}`;

/** The UTC day a partition holds, or undefined for a name that isn't one of ours. */
export function partitionDay(name: string): Date | undefined {
  const match = PARTITION_NAME.exec(name);
  if (!match) return undefined;
  return new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`);
}

/** SQL only for the raw, partitioned `analytics_events` table. */
export class AnalyticsEventsRepository {
  readonly #db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /**
   * One insert of the whole batch from a single JSON parameter (`json_to_recordset`): the events
   * are serialised as they are, so neither Node nor PostgreSQL handles one parameter per value
   * (13 per row: a 1,000-row VALUES list cost the API process more than the beacons did), and a
   * batch may be as large as the sink likes. An event already stored (same id and time) is skipped,
   * a duplicate within the batch too.
   */
  async append(
    events: readonly AnalyticsEvent[],
    receivedAt: Date,
    executor: Executor = this.#db,
  ): Promise<number> {
    if (events.length === 0) return 0;
    const result = await sql`
      insert into analytics_events (event_id, type, occurred_at, received_at, user_id, session_id,
        title_id, item_id, plan_id, region, device, app_version, payload)
      select "eventId", type, "occurredAt", ${receivedAt.toISOString()}::timestamptz, "userId",
        "sessionId", "titleId", "itemId", "planId", region, device, "appVersion", payload
      from json_to_recordset(${JSON.stringify(events)}::json) as event("eventId" uuid, type text,
        "occurredAt" timestamptz, "userId" uuid, "sessionId" uuid, "titleId" uuid, "itemId" uuid,
        "planId" text, region text, device text, "appVersion" text, payload jsonb)
      on conflict (event_id, occurred_at) do nothing
    `.execute(executor);
    return Number(result.numAffectedRows ?? 0);
  }

  /** The daily partitions that exist, oldest first. */
  async partitions(executor: Executor = this.#db): Promise<{ name: string; day: Date }[]> {
    const { rows } = await sql<{ name: string }>`
      select child.relname as name from pg_inherits
      join pg_class child on child.oid = pg_inherits.inhrelid
      where pg_inherits.inhparent = to_regclass('analytics_events')
    `.execute(executor);
    return rows
      .flatMap(({ name }) => {
        const day = partitionDay(name);
        return day ? [{ name, day }] : [];
      })
      .sort((a, b) => a.day.getTime() - b.day.getTime());
  }

  /** Creates the partition of one UTC day; one that exists already is left alone. */
  async createPartition(day: Date, executor: Executor = this.#db): Promise<void> {
    const from = day.toISOString().slice(0, 10);
    const to = new Date(day.getTime() + 86_400_000).toISOString().slice(0, 10);
    // Identifiers and bounds can't be parameters; both come from a Date, never from input.
    await sql
      .raw(
        `create table if not exists ${partitionName(day)} partition of analytics_events ` +
          `for values from ('${from}T00:00:00Z') to ('${to}T00:00:00Z')`,
      )
      .execute(executor);
  }

  /** Drops a whole partition (retention): never a row-by-row delete. */
  async dropPartition(name: string, executor: Executor = this.#db): Promise<void> {
    if (!PARTITION_NAME.test(name)) throw new RangeError(`not an analytics partition: ${name}`);
    await sql.raw(`drop table if exists ${name}`).execute(executor);
  }

  /**
   * The newest ingest id above `after` written at or before `before` (the rollup job reads up to
   * it): only the rows past the watermark are read, through each partition's id index.
   */
  async lastIdBefore(
    options: { before: Date; after: number },
    executor: Executor = this.#db,
  ): Promise<number> {
    const row = await executor
      .selectFrom('analyticsEvents')
      .select((eb) => eb.fn.max('id').as('last'))
      .where('id', '>', options.after)
      .where('receivedAt', '<=', options.before)
      .executeTakeFirst();
    return Number(row?.last ?? 0);
  }

  /** The UTC hours that events with ingest ids in (after, upTo] fall in. */
  async hoursTouched(range: { after: number; upTo: number }, executor: Executor = this.#db): Promise<Date[]> {
    const { rows } = await sql<{ hour: Date }>`
      select distinct date_trunc('hour', occurred_at, 'UTC') as hour from analytics_events
      where id > ${range.after} and id <= ${range.upTo}
      order by 1
    `.execute(executor);
    return rows.map((row) => new Date(row.hour));
  }
}
