import { sql, type Kysely, type SqlBool } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import { toPage, type Page } from '../../shared/pagination.ts';
import { browseCursorKey, type BrowseKey, type BrowseSort } from './browse-cursor.ts';
import type { BrowseQuery, TitleSummary } from './catalog.schemas.ts';
import { summaryColumns, toSummary, visibleTo, type SummaryRow } from './titles.sql.ts';
import type { Viewer } from './viewer.ts';

/** One browse page's filters, resolved: the sort decided, the genre's slug turned into its id. */
export interface BrowseFilter extends Omit<BrowseQuery, 'sort' | 'genre' | 'cursor'> {
  sort: BrowseSort;
  genreId?: string | undefined;
  after?: BrowseKey | undefined;
}

type Row = SummaryRow & {
  score: number;
  publishedAt: Date | null;
  popularity: number;
  ratingKey: number;
  titleKey: string;
};

/**
 * Browse and search over the titles a viewer may see, keyset-paginated: each sort is a total
 * order ending in the id, and a page starts strictly after the last row's (key, id). Rows
 * inserted while a viewer pages through never shift or repeat a page (unlike OFFSET).
 *
 * Search combines PostgreSQL full-text search (whole words, ranked) with pg_trgm word similarity
 * on the title, so "intrstellar" still finds "Interstellar"; both are indexed (GIN). SQL only.
 */
export class BrowseRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async page(
    filter: BrowseFilter,
    viewer: Viewer,
    executor: Executor = this.#db,
  ): Promise<Page<TitleSummary>> {
    const words = filter.q?.toLowerCase();
    const score = words
      ? sql<number>`greatest(
          ts_rank_cd(titles.search, websearch_to_tsquery('simple', ${words})),
          word_similarity(${words}, lower(titles.title)))`
      : sql<number>`0`;

    let select = executor
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
    if (filter.kind) select = select.where('titles.kind', '=', filter.kind);
    if (filter.yearFrom !== undefined) select = select.where('titles.releaseYear', '>=', filter.yearFrom);
    if (filter.yearTo !== undefined) select = select.where('titles.releaseYear', '<=', filter.yearTo);
    if (filter.language)
      select = select.where(sql<SqlBool>`${filter.language} = any(titles.audio_languages)`);
    if (filter.maxPlanTier !== undefined)
      select = select.where('titles.minPlanTier', '<=', filter.maxPlanTier);
    const { genreId } = filter;
    if (genreId !== undefined) {
      select = select.where((eb) =>
        eb.exists(
          eb
            .selectFrom('titleGenres')
            .select(sql`1`.as('one'))
            .whereRef('titleGenres.titleId', '=', 'titles.id')
            .where('titleGenres.genreId', '=', genreId),
        ),
      );
    }

    // Each sort: its key expression, its direction, and how to read the key back from a row.
    const keys = {
      newest: { expression: sql`titles.published_at`, direction: 'desc', of: (row: Row) => row.publishedAt },
      popular: { expression: sql`titles.popularity`, direction: 'desc', of: (row: Row) => row.popularity },
      rating: {
        expression: sql`coalesce(titles.rating_score, titles.rating_average, -1)`,
        direction: 'desc',
        of: (row: Row) => row.ratingKey,
      },
      title: { expression: sql`lower(titles.title)`, direction: 'asc', of: (row: Row) => row.titleKey },
      relevance: { expression: score, direction: 'desc', of: (row: Row) => row.score },
    } as const;
    const key = keys[filter.sort];

    if (filter.after) {
      const comparison = key.direction === 'desc' ? sql.raw('<') : sql.raw('>');
      select = select.where(
        sql<SqlBool>`(${key.expression}, titles.id) ${comparison} (${filter.after.value}, ${filter.after.id})`,
      );
    }
    const direction = sql.raw(key.direction);
    const rows = await select
      .orderBy(sql`${key.expression} ${direction}`)
      .orderBy(sql`titles.id ${direction}`)
      .limit(filter.limit + 1)
      .execute();
    return toPage(rows, filter.limit, {
      key: (row) => browseCursorKey(filter.sort, key.of(row), row.id),
      map: (row) => toSummary(row),
    });
  }

  /** The genres that have visible titles, most populated first (for home-screen rows). */
  busiestGenres(viewer: Viewer, limit: number, executor: Executor = this.#db) {
    return executor
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
}
