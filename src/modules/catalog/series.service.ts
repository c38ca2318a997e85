import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import {
  EpisodeNotFound,
  NotPublishable,
  NumberTaken,
  SeasonNotFound,
  TitleNotFound,
  WrongKind,
  whenUnique,
} from './catalog.errors.ts';
import type { EpisodeInput, EpisodePatch, SeasonInput, SeasonPatch } from './catalog.schemas.ts';
import type { EpisodesRepository } from './episodes.repository.ts';
import type { SeasonsRepository } from './seasons.repository.ts';
import type { TitlesRepository } from './titles.repository.ts';

export interface SeriesServiceDeps {
  /** Catalog transactions: each bumps the catalog version once committed. */
  transactor: Transactor;
  titles: TitlesRepository;
  seasons: SeasonsRepository;
  episodes: EpisodesRepository;
  audit: AuditLog;
  clock: Clock;
}

/** Admin writes to a series' seasons and episodes, each one transaction with its audit entry. */
export class SeriesService {
  readonly #deps: SeriesServiceDeps;

  constructor(deps: SeriesServiceDeps) {
    this.#deps = deps;
  }

  async addSeason(titleId: string, input: SeasonInput, context: RequestContext): Promise<string> {
    const { titles, seasons, audit } = this.#deps;
    return this.#deps.transactor.run(async (trx) => {
      const title = await titles.find(titleId, trx);
      if (!title) throw TitleNotFound();
      if (title.kind !== 'series') throw WrongKind('Only a series has seasons');
      const id = await seasons
        .insert(
          {
            titleId,
            number: input.number,
            name: input.name ?? null,
            synopsis: input.synopsis ?? '',
            releaseDate: input.releaseDate ?? null,
          },
          trx,
        )
        .catch(whenUnique(NumberTaken(`Season ${input.number} already exists`)));
      await audit.record(trx, context, {
        action: 'season.created',
        targetType: 'season',
        targetId: id,
        after: { titleId, ...input },
      });
      return id;
    });
  }

  /** Returns the season's series. */
  async updateSeason(seasonId: string, patch: SeasonPatch, context: RequestContext): Promise<string> {
    const { seasons, audit, clock } = this.#deps;
    return this.#deps.transactor.run(async (trx) => {
      const titleId = await seasons
        .update(seasonId, { ...definedOf(patch), updatedAt: clock.now() }, trx)
        .catch(whenUnique(NumberTaken(`Season ${patch.number} already exists`)));
      if (!titleId) throw SeasonNotFound();
      await audit.record(trx, context, {
        action: 'season.updated',
        targetType: 'season',
        targetId: seasonId,
        after: patch,
      });
      return titleId;
    });
  }

  async deleteSeason(seasonId: string, context: RequestContext): Promise<void> {
    const { seasons, audit } = this.#deps;
    await this.#deps.transactor.run(async (trx) => {
      const row = await seasons.delete(seasonId, trx);
      if (!row) throw SeasonNotFound();
      await audit.record(trx, context, {
        action: 'season.deleted',
        targetType: 'season',
        targetId: seasonId,
        before: row,
      });
    });
  }

  async addEpisode(seasonId: string, input: EpisodeInput, context: RequestContext): Promise<string> {
    const { seasons, episodes, audit } = this.#deps;
    return this.#deps.transactor.run(async (trx) => {
      const titleId = await seasons.titleIdOf(seasonId, trx);
      if (!titleId) throw SeasonNotFound();
      const id = await episodes
        .insert(
          {
            seasonId,
            titleId,
            number: input.number,
            name: input.name,
            synopsis: input.synopsis ?? '',
            runtimeMinutes: input.runtimeMinutes ?? null,
            releaseDate: input.releaseDate ?? null,
            publishAt: input.publishAt ?? null,
          },
          trx,
        )
        .catch(whenUnique(NumberTaken(`Episode ${input.number} already exists in this season`)));
      await audit.record(trx, context, {
        action: 'episode.created',
        targetType: 'episode',
        targetId: id,
        after: { seasonId, ...input },
      });
      return id;
    });
  }

  /** Changes an episode, or publishes (`status`) it; returns its series. */
  async updateEpisode(
    episodeId: string,
    patch: EpisodePatch & { status?: 'published' | 'archived' },
    context: RequestContext,
  ): Promise<string> {
    const { episodes, audit, clock } = this.#deps;
    return this.#deps.transactor.run(async (trx) => {
      const before = await episodes.lock(episodeId, trx);
      if (!before) throw EpisodeNotFound();
      if (patch.status === 'published' && before.status === 'processing')
        throw NotPublishable('Its video is still being processed');
      await episodes
        .update(episodeId, { ...definedOf(patch), updatedAt: clock.now() }, trx)
        .catch(whenUnique(NumberTaken(`Episode ${patch.number} already exists in this season`)));
      await audit.record(trx, context, {
        action: patch.status
          ? `episode.${patch.status === 'published' ? 'published' : 'unpublished'}`
          : 'episode.updated',
        targetType: 'episode',
        targetId: episodeId,
        before: { status: before.status },
        after: patch,
      });
      return before.titleId;
    });
  }

  async deleteEpisode(episodeId: string, context: RequestContext): Promise<void> {
    const { episodes, audit } = this.#deps;
    await this.#deps.transactor.run(async (trx) => {
      const row = await episodes.delete(episodeId, trx);
      if (!row) throw EpisodeNotFound();
      await audit.record(trx, context, {
        action: 'episode.deleted',
        targetType: 'episode',
        targetId: episodeId,
        before: row,
      });
    });
  }
}

/** The fields a patch sets: those present (undefined means "leave as it is"). */
function definedOf<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
