import { sql, type Expression, type ExpressionBuilder, type Selectable, type SqlBool } from 'kysely';
import type { DB, TitlesTable } from '../../platform/db/db.generated.ts';
import type { TitleSummary } from './catalog.schemas.ts';
import type { Viewer } from './viewer.ts';

/* The SQL the titles and browse repositories share: who may see a title, and a summary's columns. */

/** Public URL of a stored artwork file: its key is `artwork/…`, served by GET /api/artwork/*. */
export function artworkUrl(key: string): string;
export function artworkUrl(key: string | null): string | null;
export function artworkUrl(key: string | null): string | null {
  return key ? `/api/${key}` : null;
}

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
export const genreSlugs = sql<string[] | null>`(
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

export type SummaryRow = Pick<
  Selectable<TitlesTable>,
  | 'id'
  | 'kind'
  | 'title'
  | 'releaseYear'
  | 'runtimeMinutes'
  | 'maturityRating'
  | 'posterKey'
  | 'backdropKey'
  | 'ratingAverage'
  | 'minPlanTier'
> & { genreSlugs: string[] | null };

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
