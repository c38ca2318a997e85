import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import { TitleNotFound } from './catalog.errors.ts';
import type { TitleRatingsRepository } from './title-ratings.repository.ts';

/** A title's rating aggregates after a change: what the catalog shows and sorts by. */
export interface RatingAggregates {
  count: number;
  average: number | null;
  /** The Bayesian score the catalog sorts by ("top rated"). */
  score: number | null;
}

/**
 * A profile's star rating of a title, and the title's aggregates kept exact with it: in one
 * transaction the rating changes and the title's count, exact sum, average and score move by
 * that change (no recount). The title row is locked first, so concurrent ratings of one title
 * apply one after another and each sees the profile's earlier rating.
 * Visibility (may this profile see the title?) is the caller's question; this one only needs the
 * title to exist.
 */
export class TitleRatings {
  readonly #repository: TitleRatingsRepository;
  readonly #transactor: Transactor;
  readonly #clock: Clock;

  constructor(options: { repository: TitleRatingsRepository; transactor: Transactor; clock: Clock }) {
    this.#repository = options.repository;
    this.#transactor = options.transactor;
    this.#clock = options.clock;
  }

  async find(profileId: string, titleId: string): Promise<number | null> {
    const row = await this.#repository.find(profileId, titleId);
    return row ? Number(row.score) : null;
  }

  /** Sets the profile's rating; returns its earlier one (null: none) and the new aggregates. */
  async rate(options: {
    profileId: string;
    titleId: string;
    stars: number;
  }): Promise<{ previous: number | null; aggregates: RatingAggregates }> {
    return this.#transactor.run(async (trx) => {
      if (!(await this.#repository.lockTitle(options.titleId, trx))) throw TitleNotFound();
      const earlier = await this.#repository.find(options.profileId, options.titleId, trx);
      const previous = earlier ? Number(earlier.score) : null;
      await this.#repository.upsert(
        [
          {
            profileId: options.profileId,
            titleId: options.titleId,
            score: options.stars,
            ratedAt: this.#clock.now(),
          },
        ],
        trx,
      );
      const aggregates = await this.#repository.adjustTitleStats(
        {
          titleId: options.titleId,
          countDelta: previous === null ? 1 : 0,
          sumDelta: options.stars - (previous ?? 0),
        },
        trx,
      );
      return { previous, aggregates };
    });
  }

  /** Removes the profile's rating; its earlier one (null: there was none) and the aggregates. */
  async unrate(options: {
    profileId: string;
    titleId: string;
  }): Promise<{ previous: number | null; aggregates: RatingAggregates }> {
    return this.#transactor.run(async (trx) => {
      if (!(await this.#repository.lockTitle(options.titleId, trx))) throw TitleNotFound();
      const removed = await this.#repository.remove(options.profileId, options.titleId, trx);
      const aggregates = await this.#repository.adjustTitleStats(
        {
          titleId: options.titleId,
          countDelta: removed === undefined ? 0 : -1,
          sumDelta: -(removed ?? 0),
        },
        trx,
      );
      return { previous: removed ?? null, aggregates };
    });
  }
}
