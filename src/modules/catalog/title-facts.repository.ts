import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/**
 * The whole catalog's titles at once, with what recommendations learn from (genres, tags, cast
 * and crew, synopsis) and what visibility checks; and every profile's star ratings. SQL only.
 */
export class TitleFactsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  allTitles(executor: Executor = this.#db) {
    return executor
      .selectFrom('titles')
      .select([
        'id',
        'kind',
        'title',
        'synopsis',
        'releaseYear',
        'tags',
        'status',
        'maturityLevel',
        'allowedRegions',
        'publishAt',
        'unpublishAt',
        'minPlanTier',
        'popularity',
        'createdAt',
        sql<string[]>`coalesce(array(select g.name from title_genres tg join genres g on g.id = tg.genre_id
          where tg.title_id = titles.id order by g.name), '{}')`.as('genres'),
        sql<string[]>`coalesce(array(select p.name from title_credits c join people p on p.id = c.person_id
          where c.title_id = titles.id order by c.position limit 10), '{}')`.as('people'),
      ])
      .where('kind', 'in', ['movie', 'series'])
      .orderBy('id')
      .execute();
  }

  /** The genre names of some titles. */
  async genresOf(titleIds: readonly string[], executor: Executor = this.#db): Promise<Map<string, string[]>> {
    if (titleIds.length === 0) return new Map();
    const rows = await executor
      .selectFrom('titleGenres')
      .innerJoin('genres', 'genres.id', 'titleGenres.genreId')
      .select(['titleGenres.titleId', 'genres.name'])
      .where('titleGenres.titleId', 'in', [...titleIds])
      .orderBy('genres.name')
      .execute();
    const genres = new Map<string, string[]>();
    for (const row of rows) genres.set(row.titleId, [...(genres.get(row.titleId) ?? []), row.name]);
    return genres;
  }

  /** Every star rating, oldest first (rated after `since` when given). */
  ratings(options: { since?: Date; profileId?: string } = {}, executor: Executor = this.#db) {
    let query = executor.selectFrom('titleRatings').select(['profileId', 'titleId', 'score', 'ratedAt']);
    if (options.since) query = query.where('ratedAt', '>=', options.since);
    if (options.profileId) query = query.where('profileId', '=', options.profileId);
    // A total order: the models sum in this order, and a rerun must give the same figures.
    return query.orderBy('ratedAt').orderBy('profileId').orderBy('titleId').execute();
  }

  /** Replaces the free-text tags of titles (the MovieLens import's tags.csv). */
  async setTags(tags: ReadonlyMap<string, readonly string[]>, executor: Executor = this.#db): Promise<void> {
    for (const [titleId, list] of tags)
      await executor
        .updateTable('titles')
        .set({ tags: [...list] })
        .where('id', '=', titleId)
        .execute();
  }
}
