import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { creditRoles, titleKinds, titleStatuses } from './catalog.schemas.ts';

/** Who is looking: decides what is visible. */
export interface Viewer {
  /** The active profile's maturity limit (an age); null: no cap. */
  maturityLimit: number | null;
  /** ISO 3166-1 alpha-2 of the request; null when unknown (region-limited titles are hidden). */
  country: string | null;
  now: Date;
}

export interface TitleSummary {
  id: string;
  kind: (typeof titleKinds)[number];
  title: string;
  releaseYear: number | null;
  runtimeMinutes: number | null;
  maturityRating: string | null;
  genres: string[];
  artwork: { poster: string | null; backdrop: string | null };
  ratingAverage: number | null;
  minPlanTier: number;
}

export interface TitleDetail extends TitleSummary {
  originalTitle: string | null;
  synopsis: string;
  releaseDate: string | null;
  maturityLevel: number;
  genreDetails: Array<{ id: string; slug: string; name: string }>;
  credits: Array<{
    person: { id: string; name: string; biography: string | null };
    role: (typeof creditRoles)[number];
    character: string | null;
  }>;
  tags: string[];
  audioLanguages: string[];
  subtitleLanguages: string[];
  seasons: Array<{
    id: string;
    number: number;
    name: string | null;
    synopsis: string;
    releaseDate: string | null;
    episodes: Array<{
      id: string;
      number: number;
      name: string;
      synopsis: string;
      runtimeMinutes: number | null;
      releaseDate: string | null;
      status: (typeof titleStatuses)[number];
    }>;
  }>;
  ratingCount: number;
}

export interface AdminTitle extends TitleDetail {
  status: (typeof titleStatuses)[number];
  publishAt: Date | null;
  unpublishAt: Date | null;
  allowedRegions: string[] | null;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Public URL of a stored artwork file (served by GET /api/artwork/*). */
export const artworkUrl = (key: string | null): string | null => (key ? `/api/artwork/${key}` : null);

/**
 * The one definition of "a viewer may see this title": published, inside its availability
 * window, allowed in the viewer's country, and within the profile's maturity limit. Every
 * viewer-facing query goes through it.
 */
export function visibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<DB, 'titles'>): Expression<SqlBool> => {
    const conditions: Array<Expression<SqlBool>> = [
      eb('titles.status', '=', 'published'),
      eb.or([eb('titles.publishAt', 'is', null), eb('titles.publishAt', '<=', viewer.now)]),
      eb.or([eb('titles.unpublishAt', 'is', null), eb('titles.unpublishAt', '>', viewer.now)]),
      viewer.country
        ? eb.or([
            eb('titles.allowedRegions', 'is', null),
            sql<SqlBool>`${viewer.country} = any(titles.allowed_regions)`,
          ])
        : eb('titles.allowedRegions', 'is', null),
    ];
    if (viewer.maturityLimit !== null)
      conditions.push(eb('titles.maturityLevel', '<=', viewer.maturityLimit));
    return eb.and(conditions);
  };
}

/** The title's genre slugs, for any select over `titles`. */
export const genreSlugs = sql<string[]>`(
  select coalesce(array_agg(g.slug order by g.slug), '{}')
  from title_genres tg join genres g on g.id = tg.genre_id
  where tg.title_id = titles.id)`.as('genreSlugs');

/** Columns of a title summary, for any select over `titles`. */
export const summaryColumns = [
  'titles.id',
  'titles.kind',
  'titles.title',
  'titles.releaseYear',
  'titles.runtimeMinutes',
  'titles.maturityRating',
  'titles.posterKey',
  'titles.backdropKey',
  'titles.ratingAverage',
  'titles.minPlanTier',
  genreSlugs,
] as const;

export interface SummaryRow {
  id: string;
  kind: string;
  title: string;
  releaseYear: number | null;
  runtimeMinutes: number | null;
  maturityRating: string | null;
  posterKey: string | null;
  backdropKey: string | null;
  ratingAverage: number | null;
  minPlanTier: number;
  genreSlugs: string[] | null;
}

export const toSummary = (row: SummaryRow): TitleSummary => ({
  id: row.id,
  kind: row.kind as TitleSummary['kind'],
  title: row.title,
  releaseYear: row.releaseYear,
  runtimeMinutes: row.runtimeMinutes,
  maturityRating: row.maturityRating,
  genres: row.genreSlugs ?? [],
  artwork: { poster: artworkUrl(row.posterKey), backdrop: artworkUrl(row.backdropKey) },
  ratingAverage: row.ratingAverage === null ? null : Math.round(row.ratingAverage * 100) / 100,
  minPlanTier: row.minPlanTier,
});

/**
 * A whole title — genres, credits, seasons and episodes — for the detail page or the admin.
 * `viewer` limits episodes to published ones; without it (admin) everything is returned.
 */
export async function loadTitle(
  db: Kysely<DB>,
  id: string,
  viewer?: Viewer,
): Promise<AdminTitle | undefined> {
  let select = db.selectFrom('titles').selectAll('titles').select(genreSlugs).where('titles.id', '=', id);
  if (viewer) select = select.where(visibleTo(viewer));
  const row = await select.executeTakeFirst();
  if (!row) return undefined;
  const [genres, credits, seasons, episodes] = await Promise.all([
    db
      .selectFrom('titleGenres')
      .innerJoin('genres', 'genres.id', 'titleGenres.genreId')
      .select(['genres.id', 'genres.slug', 'genres.name'])
      .where('titleGenres.titleId', '=', id)
      .orderBy('genres.slug')
      .execute(),
    db
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
    db.selectFrom('seasons').selectAll().where('titleId', '=', id).orderBy('number').execute(),
    (() => {
      let query = db.selectFrom('episodes').selectAll().where('titleId', '=', id);
      if (viewer) {
        query = query
          .where('status', '=', 'published')
          .where((eb) => eb.or([eb('publishAt', 'is', null), eb('publishAt', '<=', viewer.now)]));
      }
      return query.orderBy('number').execute();
    })(),
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
    seasons: seasons.map((season) => ({
      id: season.id,
      number: season.number,
      name: season.name,
      synopsis: season.synopsis,
      releaseDate: season.releaseDate,
      episodes: episodes
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
