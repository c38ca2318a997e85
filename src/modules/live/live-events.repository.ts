import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { DB, LiveEventsTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import { newestFirstPage } from '../../platform/db/keyset.ts';
import type { Page } from '../../shared/pagination.ts';

export type LiveEventRow = Selectable<LiveEventsTable>;
export type LiveEventState = 'scheduled' | 'live' | 'ended';

/** Live events. SQL only. */
export class LiveEventsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  find(id: string, executor: Executor = this.#db): Promise<LiveEventRow | undefined> {
    return executor.selectFrom('liveEvents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByStreamKeyHash(hash: string, executor: Executor = this.#db): Promise<LiveEventRow | undefined> {
    return executor.selectFrom('liveEvents').selectAll().where('streamKeyHash', '=', hash).executeTakeFirst();
  }

  list(query: { cursor?: string | undefined; limit: number }): Promise<Page<LiveEventRow>> {
    return newestFirstPage(this.#db.selectFrom('liveEvents').selectAll(), {
      cursor: query.cursor,
      limit: query.limit,
      table: 'live_events',
      map: (row) => row,
    });
  }

  /** Events on air, then those still to come soonest first, scheduled before `until`. */
  onAirAndUpcoming(options: { until: Date; limit: number }): Promise<LiveEventRow[]> {
    return this.#db
      .selectFrom('liveEvents')
      .selectAll()
      .where('state', 'in', ['live', 'scheduled'])
      .where((eb) => eb.or([eb('state', '=', 'live'), eb('scheduledStart', '<', options.until)]))
      .orderBy((eb) => eb.case().when('state', '=', 'live').then(0).else(1).end())
      .orderBy('scheduledStart')
      .orderBy('id')
      .limit(options.limit)
      .execute();
  }

  insert(values: Insertable<LiveEventsTable>, executor: Executor = this.#db): Promise<LiveEventRow> {
    return executor.insertInto('liveEvents').values(values).returningAll().executeTakeFirstOrThrow();
  }

  update(
    id: string,
    values: Updateable<LiveEventsTable>,
    executor: Executor = this.#db,
  ): Promise<LiveEventRow | undefined> {
    return executor
      .updateTable('liveEvents')
      .set(values)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /** Moves the state only from one of `from`: the database settles two instances racing. */
  moveState(
    options: { id: string; from: readonly LiveEventState[]; to: LiveEventState; at: Date },
    executor: Executor = this.#db,
  ): Promise<LiveEventRow | undefined> {
    return executor
      .updateTable('liveEvents')
      .set({
        state: options.to,
        updatedAt: options.at,
        ...(options.to === 'live' ? { startedAt: options.at, endedAt: null, ingestSeenAt: options.at } : {}),
        ...(options.to === 'ended' ? { endedAt: options.at } : {}),
      })
      .where('id', '=', options.id)
      .where('state', 'in', [...options.from])
      .returningAll()
      .executeTakeFirst();
  }

  /** The hosting ingest is alive: it notes so for each event it has a publisher (or grace) for. */
  async touchIngest(ids: readonly string[], at: Date, executor: Executor = this.#db): Promise<void> {
    if (ids.length === 0) return;
    await executor
      .updateTable('liveEvents')
      .set({ ingestSeenAt: at })
      .where('id', 'in', [...ids])
      .where('state', '=', 'live')
      .execute();
  }

  /**
   * Ends the live events no ingest has noted since `before` (one whose worker stopped), in one
   * statement, and answers them; `updated_at` stands in for events that went live before the note.
   */
  endUnattended(options: { before: Date; at: Date }, executor: Executor = this.#db): Promise<LiveEventRow[]> {
    return executor
      .updateTable('liveEvents')
      .set({ state: 'ended', endedAt: options.at, updatedAt: options.at })
      .where('state', '=', 'live')
      .where((eb) => eb(eb.fn.coalesce('ingestSeenAt', 'updatedAt'), '<', options.before))
      .returningAll()
      .execute();
  }

  async delete(id: string, executor: Executor = this.#db): Promise<boolean> {
    const result = await executor.deleteFrom('liveEvents').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
