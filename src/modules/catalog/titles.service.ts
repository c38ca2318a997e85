import type { Clock } from '../../platform/clock.ts';
import type { Executor, Transactor } from '../../platform/db/transactor.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import type { ArtworkService } from './artwork.service.ts';
import {
  InvalidWindow,
  NotPublishable,
  TitleNotFound,
  UnknownRating,
  UnknownReferences,
} from './catalog.errors.ts';
import type { AdminTitle, TitleInput, TitlePatch } from './catalog.schemas.ts';
import type { GenresRepository } from './genres.repository.ts';
import type { MaturityRatingsRepository } from './maturity-ratings.repository.ts';
import type { PeopleRepository } from './people.repository.ts';
import type { TitlesRepository } from './titles.repository.ts';

/** The level an unrated title gets: above every rating's age. */
export const UNRATED_LEVEL = 18;

export interface TitlesServiceDeps {
  /** Catalog transactions: each bumps the catalog version once committed. */
  transactor: Transactor;
  titles: TitlesRepository;
  genres: GenresRepository;
  people: PeopleRepository;
  ratings: MaturityRatingsRepository;
  artwork: Pick<ArtworkService, 'deleteKeys'>;
  audit: AuditLog;
  clock: Clock;
}

/**
 * Admin writes to titles. Each change is one transaction that also writes the audit entry.
 * References (genres, people, ratings) are checked first and reported all together.
 */
export class TitlesService {
  readonly #deps: TitlesServiceDeps;

  constructor(deps: TitlesServiceDeps) {
    this.#deps = deps;
  }

  async get(id: string): Promise<AdminTitle> {
    const title = await this.#deps.titles.detail(id);
    if (!title) throw TitleNotFound();
    return title;
  }

  async create(input: TitleInput, context: RequestContext): Promise<AdminTitle> {
    const { titles, audit } = this.#deps;
    checkWindow(input.publishAt ?? null, input.unpublishAt ?? null);
    const id = await this.#deps.transactor.run(async (trx) => {
      const maturityLevel = await this.#checkReferences(input, trx);
      const titleId = await titles.insert(
        {
          kind: input.kind,
          title: input.title,
          ...columnsOf(input),
          // An unrated title counts as adults-only: only profiles without a maturity limit see it.
          maturityLevel: maturityLevel ?? UNRATED_LEVEL,
        },
        trx,
      );
      await this.#replaceLinks(titleId, input, trx);
      await audit.record(trx, context, {
        action: 'title.created',
        targetType: 'title',
        targetId: titleId,
        after: input,
      });
      return titleId;
    });
    return this.get(id);
  }

  async update(id: string, patch: TitlePatch, context: RequestContext): Promise<AdminTitle> {
    const { titles, audit, clock } = this.#deps;
    await this.#deps.transactor.run(async (trx) => {
      const before = await titles.lock(id, trx);
      if (!before) throw TitleNotFound();
      const maturityLevel = await this.#checkReferences(patch, trx);
      const publishAt = patch.publishAt === undefined ? before.publishAt : patch.publishAt;
      const unpublishAt = patch.unpublishAt === undefined ? before.unpublishAt : patch.unpublishAt;
      checkWindow(publishAt, unpublishAt);
      await titles.update(
        id,
        {
          ...columnsOf(patch),
          ...(patch.title !== undefined && { title: patch.title }),
          ...(maturityLevel !== undefined && { maturityLevel }),
          updatedAt: clock.now(),
        },
        trx,
      );
      await this.#replaceLinks(id, patch, trx);
      const changed = Object.fromEntries(
        Object.keys(patch).map((field) => [field, (before as Record<string, unknown>)[field] ?? null]),
      );
      await audit.record(trx, context, {
        action: 'title.updated',
        targetType: 'title',
        targetId: id,
        before: changed,
        after: patch,
      });
    });
    return this.get(id);
  }

  /** Deletes a title, its seasons and episodes, then its artwork files. */
  async delete(id: string, context: RequestContext): Promise<void> {
    const { titles, audit } = this.#deps;
    const artworkKeys = await this.#deps.transactor.run(async (trx) => {
      const row = await titles.delete(id, trx);
      if (!row) throw TitleNotFound();
      await audit.record(trx, context, {
        action: 'title.deleted',
        targetType: 'title',
        targetId: id,
        before: { title: row.title, kind: row.kind },
      });
      return [row.posterKey, row.backdropKey].filter((key): key is string => key !== null);
    });
    await this.#deps.artwork.deleteKeys(artworkKeys);
  }

  /**
   * Makes a title visible (from its publishAt, if set) — or hides it again. A title whose video
   * is still being processed cannot be published; one without any video can (a "coming soon"
   * page), but playback refuses it until a video is ready.
   */
  async setPublished(id: string, published: boolean, context: RequestContext): Promise<AdminTitle> {
    const { titles, audit, clock } = this.#deps;
    await this.#deps.transactor.run(async (trx) => {
      const before = await titles.lock(id, trx);
      if (!before) throw TitleNotFound();
      if (published && before.status === 'processing')
        throw NotPublishable('Its video is still being processed');
      const status = published ? 'published' : 'archived';
      if (before.status === status) return;
      await titles.update(
        id,
        {
          status,
          updatedAt: clock.now(),
          ...(published && !before.publishedAt && { publishedAt: clock.now() }),
        },
        trx,
      );
      await audit.record(trx, context, {
        action: published ? 'title.published' : 'title.unpublished',
        targetType: 'title',
        targetId: id,
        before: { status: before.status },
        after: { status },
      });
    });
    return this.get(id);
  }

  /** Checks ratings, genres and people exist; returns the rating's level when one is given. */
  async #checkReferences(input: TitlePatch, trx: Executor): Promise<number | undefined> {
    let level: number | undefined;
    if (input.maturityRating !== undefined) {
      level = await this.#deps.ratings.levelOf(input.maturityRating, trx);
      if (level === undefined)
        throw UnknownRating(`"${input.maturityRating}" is not a known rating`, { field: 'maturityRating' });
    }
    const missing: Record<string, string[]> = {};
    const genreIds = [...new Set(input.genreIds ?? [])];
    const foundGenres = await this.#deps.genres.existing(genreIds, trx);
    const absentGenres = genreIds.filter((id) => !foundGenres.has(id));
    if (absentGenres.length) missing.genreIds = absentGenres;
    const personIds = [...new Set((input.credits ?? []).map((credit) => credit.personId))];
    const foundPeople = await this.#deps.people.existing(personIds, trx);
    const absentPeople = personIds.filter((id) => !foundPeople.has(id));
    if (absentPeople.length) missing.personIds = absentPeople;
    if (Object.keys(missing).length > 0) {
      throw UnknownReferences(
        Object.entries(missing)
          .map(([field, ids]) => `${field}: ${ids.join(', ')}`)
          .join('; '),
        { missing },
      );
    }
    return level;
  }

  async #replaceLinks(titleId: string, input: TitlePatch, trx: Executor): Promise<void> {
    if (input.genreIds !== undefined)
      await this.#deps.titles.replaceGenres(titleId, [...new Set(input.genreIds)], trx);
    if (input.credits !== undefined) await this.#deps.titles.replaceCredits(titleId, input.credits, trx);
  }
}

/** The columns a title input or patch sets (besides kind, title and the maturity level). */
function columnsOf(input: TitlePatch) {
  return {
    ...(input.originalTitle !== undefined && { originalTitle: input.originalTitle }),
    ...(input.synopsis !== undefined && { synopsis: input.synopsis }),
    ...(input.releaseDate !== undefined && { releaseDate: input.releaseDate }),
    ...((input.releaseYear !== undefined || input.releaseDate !== undefined) && {
      releaseYear: input.releaseYear ?? Number(input.releaseDate?.slice(0, 4)),
    }),
    ...(input.runtimeMinutes !== undefined && { runtimeMinutes: input.runtimeMinutes }),
    ...(input.maturityRating !== undefined && { maturityRating: input.maturityRating }),
    ...(input.tags !== undefined && { tags: input.tags }),
    ...(input.audioLanguages !== undefined && { audioLanguages: input.audioLanguages }),
    ...(input.subtitleLanguages !== undefined && { subtitleLanguages: input.subtitleLanguages }),
    ...(input.publishAt !== undefined && { publishAt: input.publishAt }),
    ...(input.unpublishAt !== undefined && { unpublishAt: input.unpublishAt }),
    ...(input.allowedRegions !== undefined && { allowedRegions: input.allowedRegions }),
    ...(input.minPlanTier !== undefined && { minPlanTier: input.minPlanTier }),
  };
}

function checkWindow(publishAt: Date | null, unpublishAt: Date | null): void {
  if (publishAt && unpublishAt && unpublishAt <= publishAt)
    throw InvalidWindow('unpublishAt must be after publishAt');
}
