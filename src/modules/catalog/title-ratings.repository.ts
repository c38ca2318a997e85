import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB, TitleRatingsTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** Viewers' ratings of titles, and the averages, counts and popularity derived from them. SQL only. */
export class TitleRatingsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Stores ratings; a profile's new rating of a title replaces its earlier one. */
  async upsert(ratings: Array<Insertable<TitleRatingsTable>>, executor: Executor = this.#db): Promise<void> {
    if (ratings.length === 0) return;
    await executor
      .insertInto('titleRatings')
      .values(ratings)
      .onConflict((conflict) =>
        conflict
          .columns(['profileId', 'titleId'])
          .doUpdateSet((eb) => ({ score: eb.ref('excluded.score'), ratedAt: eb.ref('excluded.ratedAt') })),
      )
      .execute();
  }

  /** Averages, counts, popularity and the sortable score (IMDb's weighted rating, prior of 10 votes). */
  async recomputeTitleStats(executor: Executor = this.#db): Promise<void> {
    await sql`
      with overall as (select coalesce(avg(score), 3)::float8 as mean from title_ratings),
      stats as (select title_id, avg(score)::float8 as average, count(*)::int as count from title_ratings group by title_id)
      update titles set
        rating_average = stats.average,
        rating_count = stats.count,
        rating_score = (stats.count * stats.average + 10 * overall.mean) / (stats.count + 10),
        popularity = stats.count
      from stats, overall
      where stats.title_id = titles.id`.execute(executor);
  }
}
