import type { Insertable, Kysely, Updateable } from 'kysely';
import type { DB, SeasonsTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** A series' seasons. SQL only. */
export class SeasonsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** The series a season belongs to, or undefined when there is no such season. */
  async titleIdOf(id: string, executor: Executor = this.#db): Promise<string | undefined> {
    const row = await executor
      .selectFrom('seasons')
      .select('titleId')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.titleId;
  }

  async insert(values: Insertable<SeasonsTable>, executor: Executor = this.#db): Promise<string> {
    const row = await executor.insertInto('seasons').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  /** Returns the season's series, or undefined when there is no such season. */
  async update(
    id: string,
    values: Updateable<SeasonsTable>,
    executor: Executor = this.#db,
  ): Promise<string | undefined> {
    const row = await executor
      .updateTable('seasons')
      .set(values)
      .where('id', '=', id)
      .returning('titleId')
      .executeTakeFirst();
    return row?.titleId;
  }

  /** Deletes the season and its episodes; what it was, or undefined. */
  delete(id: string, executor: Executor = this.#db) {
    return executor
      .deleteFrom('seasons')
      .where('id', '=', id)
      .returning(['titleId', 'number'])
      .executeTakeFirst();
  }
}
