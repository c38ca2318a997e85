import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DB, TitlesTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { AdminTitle, creditRoles, titleStatuses } from './catalog.schemas.ts';
import { genreSlugs, toSummary, visibleTo } from './titles.sql.ts';
import type { Viewer } from './viewer.ts';

export type TitleRow = Selectable<TitlesTable>;

export interface CreditLink {
  personId: string;
  role: string;
  character?: string | undefined;
}

/** Titles and what hangs on them directly: their genre links and credits. SQL only. */
export class TitlesRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /**
   * A whole title — genres, credits, seasons and episodes — for the detail page or the admin.
   * `viewer` limits it to what they may see (episodes published ones); without it (admin),
   * everything is returned.
   */
  async detail(id: string, viewer?: Viewer, executor: Executor = this.#db): Promise<AdminTitle | undefined> {
    let select = executor
      .selectFrom('titles')
      .selectAll('titles')
      .select(genreSlugs)
      .where('titles.id', '=', id);
    if (viewer) select = select.where(visibleTo(viewer));
    const row = await select.executeTakeFirst();
    if (!row) return undefined;
    let episodes = executor.selectFrom('episodes').selectAll().where('titleId', '=', id);
    if (viewer) {
      episodes = episodes
        .where('status', '=', 'published')
        .where((eb) => eb.or([eb('publishAt', 'is', null), eb('publishAt', '<=', viewer.now)]));
    }
    const [genres, credits, seasonRows, episodeRows] = await Promise.all([
      executor
        .selectFrom('titleGenres')
        .innerJoin('genres', 'genres.id', 'titleGenres.genreId')
        .select(['genres.id', 'genres.slug', 'genres.name'])
        .where('titleGenres.titleId', '=', id)
        .orderBy('genres.slug')
        .execute(),
      executor
        .selectFrom('titleCredits')
        .innerJoin('people', 'people.id', 'titleCredits.personId')
        .select([
          'people.id',
          'people.name',
          'people.biography',
          'titleCredits.role',
          'titleCredits.characterName',
        ])
        .where('titleCredits.titleId', '=', id)
        .orderBy('titleCredits.position')
        .execute(),
      executor.selectFrom('seasons').selectAll().where('titleId', '=', id).orderBy('number').execute(),
      episodes.orderBy('number').execute(),
    ]);
    return {
      ...toSummary(row),
      originalTitle: row.originalTitle,
      synopsis: row.synopsis,
      releaseDate: row.releaseDate,
      maturityLevel: row.maturityLevel,
      genreDetails: genres,
      credits: credits.map((credit) => ({
        person: { id: credit.id, name: credit.name, biography: credit.biography },
        role: credit.role as (typeof creditRoles)[number],
        character: credit.characterName,
      })),
      tags: row.tags,
      audioLanguages: row.audioLanguages,
      subtitleLanguages: row.subtitleLanguages,
      seasons: seasonRows.map((season) => ({
        id: season.id,
        number: season.number,
        name: season.name,
        synopsis: season.synopsis,
        releaseDate: season.releaseDate,
        episodes: episodeRows
          .filter((episode) => episode.seasonId === season.id)
          .map((episode) => ({
            id: episode.id,
            number: episode.number,
            name: episode.name,
            synopsis: episode.synopsis,
            runtimeMinutes: episode.runtimeMinutes,
            releaseDate: episode.releaseDate,
            status: episode.status as (typeof titleStatuses)[number],
          })),
      })),
      ratingCount: row.ratingCount,
      status: row.status as (typeof titleStatuses)[number],
      publishAt: row.publishAt,
      unpublishAt: row.unpublishAt,
      allowedRegions: row.allowedRegions,
      publishedAt: row.publishedAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  find(id: string, executor: Executor = this.#db): Promise<TitleRow | undefined> {
    return executor.selectFrom('titles').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The row, locked until the transaction ends (`executor` must be one). */
  lock(id: string, executor: Executor): Promise<TitleRow | undefined> {
    return executor.selectFrom('titles').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async insert(values: Insertable<TitlesTable>, executor: Executor = this.#db): Promise<string> {
    const row = await executor.insertInto('titles').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: string, values: Updateable<TitlesTable>, executor: Executor = this.#db): Promise<void> {
    await executor.updateTable('titles').set(values).where('id', '=', id).execute();
  }

  /** Deletes the title (its seasons, episodes and links go with it); what it was, or undefined. */
  delete(id: string, executor: Executor = this.#db) {
    return executor
      .deleteFrom('titles')
      .where('id', '=', id)
      .returning(['title', 'kind', 'posterKey', 'backdropKey'])
      .executeTakeFirst();
  }

  async replaceGenres(titleId: string, genreIds: string[], executor: Executor = this.#db): Promise<void> {
    await executor.deleteFrom('titleGenres').where('titleId', '=', titleId).execute();
    if (genreIds.length)
      await executor
        .insertInto('titleGenres')
        .values(genreIds.map((genreId) => ({ titleId, genreId })))
        .execute();
  }

  /** Credits in the order given (their position). */
  async replaceCredits(titleId: string, credits: CreditLink[], executor: Executor = this.#db): Promise<void> {
    await executor.deleteFrom('titleCredits').where('titleId', '=', titleId).execute();
    if (credits.length)
      await executor
        .insertInto('titleCredits')
        .values(
          credits.map((credit, position) => ({
            titleId,
            personId: credit.personId,
            role: credit.role,
            characterName: credit.character ?? null,
            position,
          })),
        )
        .execute();
  }

  /**
   * The titles of the MovieLens demo catalog: MovieLens movieId → title id. The literal key
   * matches the partial unique index on `external_ids ->> 'movielens'`.
   */
  async movieLensIds(executor: Executor = this.#db): Promise<Map<number, string>> {
    const rows = await executor
      .selectFrom('titles')
      .select(['id', sql<string>`external_ids ->> 'movielens'`.as('movielens')])
      .where(sql<boolean>`external_ids ? 'movielens'`)
      .execute();
    return new Map(rows.map((row) => [Number(row.movielens), row.id]));
  }

  /** The title a demo seed made, by the slug in `externalIds.demo`. */
  async demoTitleId(slug: string, executor: Executor = this.#db): Promise<string | undefined> {
    const row = await executor
      .selectFrom('titles')
      .select('id')
      .where(sql<string>`external_ids ->> 'demo'`, '=', slug)
      .executeTakeFirst();
    return row?.id;
  }

  /** The title made from a live event's recording, if there is one (found by `external_ids`). */
  async liveRecordingTitleId(eventId: string, executor: Executor = this.#db): Promise<string | undefined> {
    const row = await executor
      .selectFrom('titles')
      .select('id')
      .where(sql<string>`external_ids ->> 'liveEvent'`, '=', eventId)
      .executeTakeFirst();
    return row?.id;
  }

  /** Inserts MovieLens titles (`externalIds` carrying their movieId); returns movieId → title id. */
  async insertMovieLens(
    values: Array<Insertable<TitlesTable>>,
    executor: Executor = this.#db,
  ): Promise<Map<number, string>> {
    const rows = await executor
      .insertInto('titles')
      .values(values)
      .returning(['id', sql<string>`external_ids ->> 'movielens'`.as('movielens')])
      .execute();
    return new Map(rows.map((row) => [Number(row.movielens), row.id]));
  }

  /** Adds genre links, keeping those already there. */
  async linkGenres(
    links: Array<{ titleId: string; genreId: string }>,
    executor: Executor = this.#db,
  ): Promise<void> {
    if (links.length)
      await executor
        .insertInto('titleGenres')
        .values(links)
        .onConflict((conflict) => conflict.doNothing())
        .execute();
  }
}
