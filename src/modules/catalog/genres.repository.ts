import type { Kysely, Updateable } from 'kysely';
import type { DB, GenresTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { Genre } from './catalog.schemas.ts';

const columns = ['id', 'slug', 'name'] as const;

/** Genres. SQL only. */
export class GenresRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  list(executor: Executor = this.#db): Promise<Genre[]> {
    return executor.selectFrom('genres').select(columns).orderBy('name').execute();
  }

  find(id: string, executor: Executor = this.#db) {
    return executor.selectFrom('genres').select(['slug', 'name']).where('id', '=', id).executeTakeFirst();
  }

  async idOf(slug: string, executor: Executor = this.#db): Promise<string | undefined> {
    const row = await executor.selectFrom('genres').select('id').where('slug', '=', slug).executeTakeFirst();
    return row?.id;
  }

  /** Every genre's id by its slug. */
  async idsBySlug(executor: Executor = this.#db): Promise<Map<string, string>> {
    const rows = await executor.selectFrom('genres').select(['slug', 'id']).execute();
    return new Map(rows.map((genre) => [genre.slug, genre.id]));
  }

  /** Which of these ids exist. */
  async existing(ids: string[], executor: Executor = this.#db): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await executor.selectFrom('genres').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((row) => row.id));
  }

  insert(values: { name: string; slug: string }, executor: Executor = this.#db): Promise<Genre> {
    return executor.insertInto('genres').values(values).returning(columns).executeTakeFirstOrThrow();
  }

  /** Adds the genres whose slug is not taken yet. */
  async insertMissing(values: Array<{ name: string; slug: string }>, executor: Executor = this.#db) {
    if (values.length === 0) return;
    await executor
      .insertInto('genres')
      .values(values)
      .onConflict((conflict) => conflict.column('slug').doNothing())
      .execute();
  }

  update(id: string, values: Updateable<GenresTable>, executor: Executor = this.#db): Promise<Genre> {
    return executor
      .updateTable('genres')
      .set(values)
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
  }

  /** What the deleted genre was, or undefined when there was none. */
  delete(id: string, executor: Executor = this.#db) {
    return executor.deleteFrom('genres').where('id', '=', id).returning(['slug']).executeTakeFirst();
  }
}
