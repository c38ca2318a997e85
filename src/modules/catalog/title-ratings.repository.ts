import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB, TitleRatingsTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/**
 * How many votes the Bayesian score's prior weighs as (IMDb's weighted rating): one 5-star vote
 * does not put a film above thousands of 4.5s.
 */
export const RATING_PRIOR_VOTES = 10;

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

  /**
   * Locks a title's row until the transaction ends, so the ratings of one title change its
   * aggregates one at a time (each reads the profile's earlier rating after the lock). False
   * when there is no such title.
   */
  async lockTitle(titleId: string, executor: Executor): Promise<boolean> {
    const row = await executor
      .selectFrom('titles')
      .select('id')
      .where('id', '=', titleId)
      .forUpdate()
      .executeTakeFirst();
    return row !== undefined;
  }

  async find(profileId: string, titleId: string, executor: Executor = this.#db) {
    return executor
      .selectFrom('titleRatings')
      .select(['score', 'ratedAt'])
      .where('profileId', '=', profileId)
      .where('titleId', '=', titleId)
      .executeTakeFirst();
  }

  /** Deletes a profile's rating of a title; its score, or undefined when there was none. */
  async remove(
    profileId: string,
    titleId: string,
    executor: Executor = this.#db,
  ): Promise<number | undefined> {
    const row = await executor
      .deleteFrom('titleRatings')
      .where('profileId', '=', profileId)
      .where('titleId', '=', titleId)
      .returning('score')
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.score);
  }

  /**
   * Moves one title's aggregates by a change of its ratings (one vote more or fewer, a score
   * changed), with the same formulas as `recomputeTitleStats`: the sum is exact (numeric), the
   * average and score derive from it, the score shrinks towards the stored prior mean.
   */
  async adjustTitleStats(
    change: { titleId: string; countDelta: number; sumDelta: number },
    executor: Executor,
  ): Promise<{ count: number; average: number | null; score: number | null }> {
    const count = sql<number>`(titles.rating_count + ${change.countDelta}::int)`;
    const total = sql<number>`(titles.rating_sum + ${change.sumDelta}::numeric)`;
    const row = await executor
      .updateTable('titles')
      .set({
        ratingCount: count,
        ratingSum: total,
        popularity: sql<number>`${count}::float8`,
        ratingAverage: sql<number | null>`case when ${count} > 0 then (${total} / ${count})::float8 end`,
        ratingScore: sql<number | null>`case when ${count} > 0 then
          (${total}::float8 + ${RATING_PRIOR_VOTES} * (select mean from title_rating_prior)) / (${count} + ${RATING_PRIOR_VOTES})
        end`,
      })
      .where('id', '=', change.titleId)
      .returning(['ratingCount', 'ratingAverage', 'ratingScore'])
      .executeTakeFirstOrThrow();
    return { count: row.ratingCount, average: row.ratingAverage, score: row.ratingScore };
  }

  /**
   * Rebuilds every title's aggregates from the ratings, and refreshes the prior mean to the
   * overall average now (one rating's change does not move every title's score; this does).
   */
  async recomputeTitleStats(executor: Executor = this.#db): Promise<void> {
    await sql`
      insert into title_rating_prior (singleton, mean)
      select true, coalesce(avg(score), 3)::float8 from title_ratings
      on conflict (singleton) do update set mean = excluded.mean`.execute(executor);
    await sql`
      with stats as (select title_id, sum(score) as total, count(*)::int as count from title_ratings group by title_id)
      update titles set
        rating_sum = coalesce(stats.total, 0),
        rating_count = coalesce(stats.count, 0),
        rating_average = (stats.total / stats.count)::float8,
        rating_score = (stats.total::float8 + ${RATING_PRIOR_VOTES} * (select mean from title_rating_prior)) / (stats.count + ${RATING_PRIOR_VOTES}),
        popularity = coalesce(stats.count, 0)
      from titles t left join stats on stats.title_id = t.id
      where t.id = titles.id
        and (stats.title_id is not null or titles.rating_count <> 0 or titles.rating_average is not null)`.execute(
      executor,
    );
  }
}
