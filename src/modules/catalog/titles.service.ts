import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import {
  EpisodeNotFound,
  InvalidWindow,
  NotPublishable,
  NumberTaken,
  SeasonNotFound,
  TitleNotFound,
  UnknownRating,
  UnknownReferences,
  WrongKind,
} from './catalog.errors.ts';
import type { TitleInput, TitlePatch } from './catalog.schemas.ts';
import type { CatalogVersion } from './catalog-version.ts';
import { loadTitle, type AdminTitle } from './titles.queries.ts';

/** The level an unrated title gets: above every rating's age. */
export const UNRATED_LEVEL = 18;

export interface SeasonFields {
  number?: number | undefined;
  name?: string | undefined;
  synopsis?: string | undefined;
  releaseDate?: string | undefined;
}

export interface EpisodeFields {
  number?: number | undefined;
  name?: string | undefined;
  synopsis?: string | undefined;
  runtimeMinutes?: number | undefined;
  releaseDate?: string | undefined;
  publishAt?: Date | null | undefined;
}

/**
 * Admin writes to titles, seasons and episodes. Each change is one transaction that also writes
 * the audit entry; the catalog version is bumped after it commits, so cached pages expire.
 * References (genres, people, ratings) are checked first and reported all together.
 */
export class TitlesService {
  readonly #db: Kysely<DB>;
  readonly #audit: AuditLog;
  readonly #version: CatalogVersion;
  readonly #clock: Clock;

  constructor(options: { db: Kysely<DB>; audit: AuditLog; version: CatalogVersion; clock: Clock }) {
    this.#db = options.db;
    this.#audit = options.audit;
    this.#version = options.version;
    this.#clock = options.clock;
  }

  async get(id: string): Promise<AdminTitle> {
    const title = await loadTitle(this.#db, id);
    if (!title) throw TitleNotFound();
    return title;
  }

  async create(input: TitleInput, context: RequestContext): Promise<AdminTitle> {
    checkWindow(input.publishAt ?? null, input.unpublishAt ?? null);
    const id = await this.#db.transaction().execute(async (trx) => {
      const maturityLevel = await this.#checkReferences(trx, input);
      const row = await trx
        .insertInto('titles')
        .values({
          kind: input.kind,
          title: input.title,
          ...this.#columns(input),
          // An unrated title counts as adults-only: only profiles without a maturity limit see it.
          maturityLevel: maturityLevel ?? UNRATED_LEVEL,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.#replaceLinks(trx, row.id, input);
      await this.#audit.record(trx, context, {
        action: 'title.created',
        targetType: 'title',
        targetId: row.id,
        after: input,
      });
      return row.id;
    });
    await this.#version.bump();
    return this.get(id);
  }

  async update(id: string, patch: TitlePatch, context: RequestContext): Promise<AdminTitle> {
    await this.#db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('titles')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw TitleNotFound();
      const maturityLevel = await this.#checkReferences(trx, patch);
      const publishAt = patch.publishAt === undefined ? before.publishAt : patch.publishAt;
      const unpublishAt = patch.unpublishAt === undefined ? before.unpublishAt : patch.unpublishAt;
      checkWindow(publishAt, unpublishAt);
      await trx
        .updateTable('titles')
        .set({
          ...this.#columns(patch),
          ...(patch.title !== undefined && { title: patch.title }),
          ...(maturityLevel !== undefined && { maturityLevel }),
          updatedAt: this.#clock.now(),
        })
        .where('id', '=', id)
        .execute();
      await this.#replaceLinks(trx, id, patch);
      const changed = Object.fromEntries(
        Object.keys(patch).map((field) => [field, (before as Record<string, unknown>)[field] ?? null]),
      );
      await this.#audit.record(trx, context, {
        action: 'title.updated',
        targetType: 'title',
        targetId: id,
        before: changed,
        after: patch,
      });
    });
    await this.#version.bump();
    return this.get(id);
  }

  async delete(id: string, context: RequestContext): Promise<{ artworkKeys: string[] }> {
    const artworkKeys = await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom('titles')
        .where('id', '=', id)
        .returning(['title', 'kind', 'posterKey', 'backdropKey'])
        .executeTakeFirst();
      if (!row) throw TitleNotFound();
      await this.#audit.record(trx, context, {
        action: 'title.deleted',
        targetType: 'title',
        targetId: id,
        before: { title: row.title, kind: row.kind },
      });
      return [row.posterKey, row.backdropKey].filter((key): key is string => key !== null);
    });
    await this.#version.bump();
    return { artworkKeys };
  }

  /**
   * Makes a title visible (from its publishAt, if set) — or hides it again. A title whose video
   * is still being processed cannot be published; one without any video can (a "coming soon"
   * page), but playback refuses it until a video is ready.
   */
  async setPublished(id: string, published: boolean, context: RequestContext): Promise<AdminTitle> {
    await this.#db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('titles')
        .select(['status', 'publishedAt'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw TitleNotFound();
      if (published && before.status === 'processing')
        throw NotPublishable('Its video is still being processed');
      const status = published ? 'published' : 'archived';
      if (before.status === status) return;
      await trx
        .updateTable('titles')
        .set({
          status,
          updatedAt: this.#clock.now(),
          ...(published && !before.publishedAt && { publishedAt: this.#clock.now() }),
        })
        .where('id', '=', id)
        .execute();
      await this.#audit.record(trx, context, {
        action: published ? 'title.published' : 'title.unpublished',
        targetType: 'title',
        targetId: id,
        before: { status: before.status },
        after: { status },
      });
    });
    await this.#version.bump();
    return this.get(id);
  }

  async addSeason(
    titleId: string,
    input: SeasonFields & { number: number },
    context: RequestContext,
  ): Promise<string> {
    const id = await this.#db.transaction().execute(async (trx) => {
      const title = await trx
        .selectFrom('titles')
        .select('kind')
        .where('id', '=', titleId)
        .executeTakeFirst();
      if (!title) throw TitleNotFound();
      if (title.kind !== 'series') throw WrongKind('Only a series has seasons');
      const row = await trx
        .insertInto('seasons')
        .values({
          titleId,
          number: input.number,
          name: input.name ?? null,
          synopsis: input.synopsis ?? '',
          releaseDate: input.releaseDate ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
        .catch(rethrowUnique(`Season ${input.number} already exists`));
      await this.#audit.record(trx, context, {
        action: 'season.created',
        targetType: 'season',
        targetId: row.id,
        after: { titleId, ...input },
      });
      return row.id;
    });
    await this.#version.bump();
    return id;
  }

  async updateSeason(seasonId: string, patch: SeasonFields, context: RequestContext): Promise<string> {
    const titleId = await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('seasons')
        .set({
          ...(patch.number !== undefined && { number: patch.number }),
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.synopsis !== undefined && { synopsis: patch.synopsis }),
          ...(patch.releaseDate !== undefined && { releaseDate: patch.releaseDate }),
          updatedAt: this.#clock.now(),
        })
        .where('id', '=', seasonId)
        .returning('titleId')
        .executeTakeFirst()
        .catch(rethrowUnique(`Season ${patch.number} already exists`));
      if (!row) throw SeasonNotFound();
      await this.#audit.record(trx, context, {
        action: 'season.updated',
        targetType: 'season',
        targetId: seasonId,
        after: patch,
      });
      return row.titleId;
    });
    await this.#version.bump();
    return titleId;
  }

  async deleteSeason(seasonId: string, context: RequestContext): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom('seasons')
        .where('id', '=', seasonId)
        .returning(['titleId', 'number'])
        .executeTakeFirst();
      if (!row) throw SeasonNotFound();
      await this.#audit.record(trx, context, {
        action: 'season.deleted',
        targetType: 'season',
        targetId: seasonId,
        before: row,
      });
    });
    await this.#version.bump();
  }

  async addEpisode(
    seasonId: string,
    input: EpisodeFields & { number: number; name: string },
    context: RequestContext,
  ): Promise<string> {
    const id = await this.#db.transaction().execute(async (trx) => {
      const season = await trx
        .selectFrom('seasons')
        .select('titleId')
        .where('id', '=', seasonId)
        .executeTakeFirst();
      if (!season) throw SeasonNotFound();
      const row = await trx
        .insertInto('episodes')
        .values({
          seasonId,
          titleId: season.titleId,
          number: input.number,
          name: input.name,
          synopsis: input.synopsis ?? '',
          runtimeMinutes: input.runtimeMinutes ?? null,
          releaseDate: input.releaseDate ?? null,
          publishAt: input.publishAt ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
        .catch(rethrowUnique(`Episode ${input.number} already exists in this season`));
      await this.#audit.record(trx, context, {
        action: 'episode.created',
        targetType: 'episode',
        targetId: row.id,
        after: { seasonId, ...input },
      });
      return row.id;
    });
    await this.#version.bump();
    return id;
  }

  async updateEpisode(
    episodeId: string,
    patch: EpisodeFields & { status?: 'published' | 'archived' },
    context: RequestContext,
  ): Promise<string> {
    const titleId = await this.#db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('episodes')
        .select(['status', 'titleId'])
        .where('id', '=', episodeId)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw EpisodeNotFound();
      if (patch.status === 'published' && before.status === 'processing')
        throw NotPublishable('Its video is still being processed');
      await trx
        .updateTable('episodes')
        .set({
          ...(patch.number !== undefined && { number: patch.number }),
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.synopsis !== undefined && { synopsis: patch.synopsis }),
          ...(patch.runtimeMinutes !== undefined && { runtimeMinutes: patch.runtimeMinutes }),
          ...(patch.releaseDate !== undefined && { releaseDate: patch.releaseDate }),
          ...(patch.publishAt !== undefined && { publishAt: patch.publishAt }),
          ...(patch.status !== undefined && { status: patch.status }),
          updatedAt: this.#clock.now(),
        })
        .where('id', '=', episodeId)
        .execute()
        .catch(rethrowUnique(`Episode ${patch.number} already exists in this season`));
      await this.#audit.record(trx, context, {
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
    await this.#version.bump();
    return titleId;
  }

  async deleteEpisode(episodeId: string, context: RequestContext): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom('episodes')
        .where('id', '=', episodeId)
        .returning(['titleId', 'name'])
        .executeTakeFirst();
      if (!row) throw EpisodeNotFound();
      await this.#audit.record(trx, context, {
        action: 'episode.deleted',
        targetType: 'episode',
        targetId: episodeId,
        before: row,
      });
    });
    await this.#version.bump();
  }

  /** Checks ratings, genres and people exist; returns the rating's level when one is given. */
  async #checkReferences(trx: Kysely<DB>, input: TitlePatch): Promise<number | undefined> {
    let level: number | undefined;
    if (input.maturityRating !== undefined) {
      const rating = await trx
        .selectFrom('maturityRatings')
        .select('level')
        .where('code', '=', input.maturityRating)
        .executeTakeFirst();
      if (!rating)
        throw UnknownRating(`"${input.maturityRating}" is not a known rating`, { field: 'maturityRating' });
      level = rating.level;
    }
    const missing: Record<string, string[]> = {};
    const genreIds = [...new Set(input.genreIds ?? [])];
    if (genreIds.length > 0) {
      const found = new Set(
        (await trx.selectFrom('genres').select('id').where('id', 'in', genreIds).execute()).map(
          (row) => row.id,
        ),
      );
      const absent = genreIds.filter((id) => !found.has(id));
      if (absent.length) missing.genreIds = absent;
    }
    const personIds = [...new Set((input.credits ?? []).map((credit) => credit.personId))];
    if (personIds.length > 0) {
      const found = new Set(
        (await trx.selectFrom('people').select('id').where('id', 'in', personIds).execute()).map(
          (row) => row.id,
        ),
      );
      const absent = personIds.filter((id) => !found.has(id));
      if (absent.length) missing.personIds = absent;
    }
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

  #columns(input: TitlePatch) {
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

  async #replaceLinks(trx: Kysely<DB>, titleId: string, input: TitlePatch): Promise<void> {
    if (input.genreIds !== undefined) {
      await trx.deleteFrom('titleGenres').where('titleId', '=', titleId).execute();
      const genreIds = [...new Set(input.genreIds)];
      if (genreIds.length)
        await trx
          .insertInto('titleGenres')
          .values(genreIds.map((genreId) => ({ titleId, genreId })))
          .execute();
    }
    if (input.credits !== undefined) {
      await trx.deleteFrom('titleCredits').where('titleId', '=', titleId).execute();
      if (input.credits.length) {
        await trx
          .insertInto('titleCredits')
          .values(
            input.credits.map((credit, position) => ({
              titleId,
              personId: credit.personId,
              role: credit.role,
              characterName: credit.character ?? null,
              position,
            })),
          )
          .execute();
      }
    }
  }
}

function checkWindow(publishAt: Date | null, unpublishAt: Date | null): void {
  if (publishAt && unpublishAt && unpublishAt <= publishAt)
    throw InvalidWindow('unpublishAt must be after publishAt');
}

function rethrowUnique(detail: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) throw NumberTaken(detail);
    throw error;
  };
}
