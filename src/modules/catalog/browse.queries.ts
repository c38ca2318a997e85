import { sql, type Kysely, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../platform/db/db.generated.ts';
import { decodeCursor, InvalidCursor, toPage, type Page } from '../../shared/pagination.ts';
import type { BrowseQuery } from './catalog.schemas.ts';
import {
  summaryColumns,
  toSummary,
  visibleTo,
  type SummaryRow,
  type TitleSummary,
  type Viewer,
} from './titles.queries.ts';

type Sort = NonNullable<BrowseQuery['sort']>;

const cursorShape = z.object({
  s: z.string(),
  v: z.union([z.string(), z.number()]).nullable(),
  id: z.uuid(),
});

/**
 * Browse and search over published titles, keyset-paginated: each sort is a total order ending
 * in the id, and a page starts strictly after the last row's (key, id). Rows inserted while a
 * viewer pages through never shift or repeat a page (unlike OFFSET).
 *
 * Search combines PostgreSQL full-text search (whole words, ranked) with pg_trgm word similarity
 * on the title, so "intrstellar" still finds "Interstellar"; both are indexed (GIN).
 */
export async function browseTitles(
  db: Kysely<DB>,
  query: BrowseQuery,
  viewer: Viewer,
): Promise<Page<TitleSummary>> {
  const sort: Sort = query.sort ?? (query.q ? 'relevance' : 'newest');
  if (sort === 'relevance' && !query.q) throw InvalidCursor('sort=relevance needs a search (q)');
  const after = decodeCursor(query.cursor, cursorShape);
  if (after && after.s !== sort) throw InvalidCursor('The cursor belongs to another sort order');

  const words = query.q?.toLowerCase();
  const score = words
    ? sql<number>`greatest(
        ts_rank_cd(titles.search, websearch_to_tsquery('simple', ${words})),
        word_similarity(${words}, lower(titles.title)))`
    : sql<number>`0`;

  let select = db
    .selectFrom('titles')
    .select(summaryColumns)
    .select([
      score.as('score'),
      'titles.publishedAt',
      'titles.popularity',
      sql<number>`coalesce(titles.rating_score, titles.rating_average, -1)`.as('ratingKey'),
      sql<string>`lower(titles.title)`.as('titleKey'),
    ])
    .where(visibleTo(viewer));

  if (words) {
    select = select.where(
      sql<SqlBool>`(titles.search @@ websearch_to_tsquery('simple', ${words}) or ${words} <% lower(titles.title))`,
    );
  }
  if (query.kind) select = select.where('titles.kind', '=', query.kind);
  if (query.yearFrom !== undefined) select = select.where('titles.releaseYear', '>=', query.yearFrom);
  if (query.yearTo !== undefined) select = select.where('titles.releaseYear', '<=', query.yearTo);
  if (query.language) select = select.where(sql<SqlBool>`${query.language} = any(titles.audio_languages)`);
  if (query.maxPlanTier !== undefined) select = select.where('titles.minPlanTier', '<=', query.maxPlanTier);
  if (query.genre) {
    // The genre's id is looked up first so that the planner sees it as a value and uses that
    // genre's own statistics. Joined to `genres` by slug, it guessed ~130 matching titles where a
    // common genre has thousands, and read them all to sort them (60 ms on 50,000 titles) instead
    // of walking the sort's index until a page is full (5 ms); for a rare genre it still can.
    const genre = await db
      .selectFrom('genres')
      .select('id')
      .where('slug', '=', query.genre)
      .executeTakeFirst();
    if (!genre) return { items: [], nextCursor: null };
    select = select.where((eb) =>
      eb.exists(
        eb
          .selectFrom('titleGenres')
          .select(sql`1`.as('one'))
          .whereRef('titleGenres.titleId', '=', 'titles.id')
          .where('titleGenres.genreId', '=', genre.id),
      ),
    );
  }

  // Each sort: its key expression, its direction, and how to read the key back from a row.
  const keys = {
    newest: {
      expression: sql`titles.published_at`,
      direction: 'desc',
      of: (row: Row) => row.publishedAt?.toISOString() ?? null,
    },
    popular: { expression: sql`titles.popularity`, direction: 'desc', of: (row: Row) => row.popularity },
    rating: {
      expression: sql`coalesce(titles.rating_score, titles.rating_average, -1)`,
      direction: 'desc',
      of: (row: Row) => row.ratingKey,
    },
    title: { expression: sql`lower(titles.title)`, direction: 'asc', of: (row: Row) => row.titleKey },
    relevance: { expression: score, direction: 'desc', of: (row: Row) => row.score },
  } as const;
  const key = keys[sort];

  if (after) {
    const value = sort === 'newest' && typeof after.v === 'string' ? new Date(after.v) : after.v;
    const comparison = key.direction === 'desc' ? sql.raw('<') : sql.raw('>');
    select = select.where(sql<SqlBool>`(${key.expression}, titles.id) ${comparison} (${value}, ${after.id})`);
  }
  const direction = sql.raw(key.direction);
  const rows = await select
    .orderBy(sql`${key.expression} ${direction}`)
    .orderBy(sql`titles.id ${direction}`)
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, {
    key: (row) => ({ s: sort, v: key.of(row), id: row.id }),
    map: (row) => toSummary(row),
  });
}

type Row = SummaryRow & {
  score: number;
  publishedAt: Date | null;
  popularity: number;
  ratingKey: number;
  titleKey: string;
};

/** The genres that have visible titles, most populated first (for home-screen rows). */
export async function busiestGenres(db: Kysely<DB>, viewer: Viewer, limit: number) {
  return db
    .selectFrom('genres')
    .innerJoin('titleGenres', 'titleGenres.genreId', 'genres.id')
    .innerJoin('titles', 'titles.id', 'titleGenres.titleId')
    .select(['genres.slug', 'genres.name', (eb) => eb.fn.countAll<number>().as('titles')])
    .where(visibleTo(viewer))
    .groupBy(['genres.slug', 'genres.name'])
    .orderBy('titles', 'desc')
    .orderBy('genres.slug')
    .limit(limit)
    .execute();
}
