import type { Insertable, Kysely, Updateable } from 'kysely';
import type { DB, EpisodesTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** Episodes of a series' seasons. SQL only. */
export class EpisodesRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Its status and series, locked until the transaction ends (`executor` must be one). */
  lock(id: string, executor: Executor) {
    return executor
      .selectFrom('episodes')
      .select(['status', 'titleId'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  async insert(values: Insertable<EpisodesTable>, executor: Executor = this.#db): Promise<string> {
    const row = await executor
      .insertInto('episodes')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: string, values: Updateable<EpisodesTable>, executor: Executor = this.#db): Promise<void> {
    await executor.updateTable('episodes').set(values).where('id', '=', id).execute();
  }

  /** What the deleted episode was, or undefined. */
  delete(id: string, executor: Executor = this.#db) {
    return executor
      .deleteFrom('episodes')
      .where('id', '=', id)
      .returning(['titleId', 'name'])
      .executeTakeFirst();
  }
}
