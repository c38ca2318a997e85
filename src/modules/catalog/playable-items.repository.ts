import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** A title's columns that playback and visibility check. */
const titleChecks = [
  'id',
  'kind',
  'title',
  'status',
  'minPlanTier',
  'maturityLevel',
  'allowedRegions',
  'publishAt',
  'unpublishAt',
] as const;

/** The rows that carry video — movies (titles) and episodes — as media and playback see them. SQL only. */
export class PlayableItemsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** A title by id, with what playback checks (a series too: the caller refuses it). */
  findTitle(id: string, executor: Executor = this.#db) {
    return executor.selectFrom('titles').select(titleChecks).where('id', '=', id).executeTakeFirst();
  }

  /** An episode by id, with its season's number and what playback checks of its series. */
  findEpisode(id: string, executor: Executor = this.#db) {
    return executor
      .selectFrom('episodes')
      .innerJoin('seasons', 'seasons.id', 'episodes.seasonId')
      .innerJoin('titles', 'titles.id', 'episodes.titleId')
      .select([
        'episodes.id',
        'episodes.titleId',
        'episodes.name',
        'episodes.number',
        'episodes.status',
        'episodes.publishAt',
        'seasons.number as seasonNumber',
        'titles.title',
        'titles.status as titleStatus',
        'titles.minPlanTier',
        'titles.maturityLevel',
        'titles.allowedRegions',
        'titles.publishAt as titlePublishAt',
        'titles.unpublishAt',
      ])
      .where('episodes.id', '=', id)
      .executeTakeFirst();
  }

  /** Titles (movies and series) by id, with what visibility checks. */
  findTitles(ids: readonly string[], executor: Executor = this.#db) {
    if (ids.length === 0) return Promise.resolve([]);
    return executor
      .selectFrom('titles')
      .select(titleChecks)
      .where('id', 'in', [...ids])
      .execute();
  }

  /**
   * The published episode after this one in its series: the next number in its season, else the
   * first of a later season. Undefined after the last one (or for a movie).
   */
  async nextEpisode(episodeId: string, executor: Executor = this.#db): Promise<string | undefined> {
    const current = await executor
      .selectFrom('episodes')
      .innerJoin('seasons', 'seasons.id', 'episodes.seasonId')
      .select(['episodes.titleId', 'episodes.number', 'seasons.number as seasonNumber'])
      .where('episodes.id', '=', episodeId)
      .executeTakeFirst();
    if (!current) return undefined;
    const next = await executor
      .selectFrom('episodes')
      .innerJoin('seasons', 'seasons.id', 'episodes.seasonId')
      .select('episodes.id')
      .where('episodes.titleId', '=', current.titleId)
      .where('episodes.status', '=', 'published')
      .where((eb) =>
        eb.or([
          eb('seasons.number', '>', current.seasonNumber),
          eb.and([
            eb('seasons.number', '=', current.seasonNumber),
            eb('episodes.number', '>', current.number),
          ]),
        ]),
      )
      .orderBy('seasons.number')
      .orderBy('episodes.number')
      .limit(1)
      .executeTakeFirst();
    return next?.id;
  }

  /** Sets the video status of the movie or episode `id`, unless it is published or archived. */
  async setVideoStatus(
    id: string,
    change: { status: 'processing' | 'ready' | 'draft'; at: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    for (const table of ['titles', 'episodes'] as const) {
      await executor
        .updateTable(table)
        .set({ status: change.status, updatedAt: change.at })
        .where('id', '=', id)
        .where('status', 'not in', ['published', 'archived'])
        .execute();
    }
  }
}
