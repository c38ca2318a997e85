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
        ...(options.to === 'live' ? { startedAt: options.at, endedAt: null } : {}),
        ...(options.to === 'ended' ? { endedAt: options.at } : {}),
      })
      .where('id', '=', options.id)
      .where('state', 'in', [...options.from])
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: string, executor: Executor = this.#db): Promise<boolean> {
    const result = await executor.deleteFrom('liveEvents').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
