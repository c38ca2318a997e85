import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** The rows that carry video — movies (titles) and episodes — as media and playback see them. SQL only. */
export class PlayableItemsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** A title by id, with what playback checks (a series too: the caller refuses it). */
  findTitle(id: string, executor: Executor = this.#db) {
    return executor
      .selectFrom('titles')
      .select([
        'id',
        'kind',
        'title',
        'status',
        'minPlanTier',
        'maturityLevel',
        'allowedRegions',
        'publishAt',
        'unpublishAt',
      ])
      .where('id', '=', id)
      .executeTakeFirst();
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
