import type { Kysely, Updateable } from 'kysely';
import type { DB, PeopleTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { Person } from './catalog.schemas.ts';

const columns = ['id', 'name', 'biography'] as const;
const likePattern = (words: string) => `%${words.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

/** People: cast and crew. SQL only. */
export class PeopleRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** By name, alphabetically; `q` matches anywhere in the name, case-insensitively. */
  search(
    options: { q?: string | undefined; limit: number },
    executor: Executor = this.#db,
  ): Promise<Person[]> {
    let select = executor.selectFrom('people').select(columns);
    if (options.q) select = select.where('name', 'ilike', likePattern(options.q));
    return select.orderBy('name').orderBy('id').limit(options.limit).execute();
  }

  find(id: string, executor: Executor = this.#db) {
    return executor
      .selectFrom('people')
      .select(['name', 'biography'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Which of these ids exist. */
  async existing(ids: string[], executor: Executor = this.#db): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await executor.selectFrom('people').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((row) => row.id));
  }

  insert(values: { name: string; biography: string | null }, executor: Executor = this.#db): Promise<Person> {
    return executor.insertInto('people').values(values).returning(columns).executeTakeFirstOrThrow();
  }

  update(id: string, values: Updateable<PeopleTable>, executor: Executor = this.#db): Promise<Person> {
    return executor
      .updateTable('people')
      .set(values)
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
  }

  /** What the deleted person was, or undefined when there was none. */
  delete(id: string, executor: Executor = this.#db) {
    return executor.deleteFrom('people').where('id', '=', id).returning(['name']).executeTakeFirst();
  }
}
