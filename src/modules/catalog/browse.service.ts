import { InvalidCursor, type Page } from '../../shared/pagination.ts';
import { decodeBrowseCursor, type BrowseSort } from './browse-cursor.ts';
import type { BrowseRepository } from './browse.repository.ts';
import { TitleNotFound } from './catalog.errors.ts';
import {
  browseQuery,
  type BrowseQuery,
  type Genre,
  type Home,
  type TitleDetail,
  type TitleSummary,
} from './catalog.schemas.ts';
import type { GenresRepository } from './genres.repository.ts';
import type { MaturityRatingsRepository } from './maturity-ratings.repository.ts';
import type { TitlesRepository } from './titles.repository.ts';
import type { Viewer } from './viewer.ts';

const HOME_ROW_SIZE = 20;
const HOME_GENRE_ROWS = 6;

/** What viewers see: browse and search, a title's page, the home screen, the vocabularies. */
export class BrowseService {
  readonly #browse: BrowseRepository;
  readonly #titles: TitlesRepository;
  readonly #genres: GenresRepository;
  readonly #ratings: MaturityRatingsRepository;

  constructor(options: {
    browse: BrowseRepository;
    titles: TitlesRepository;
    genres: GenresRepository;
    ratings: MaturityRatingsRepository;
  }) {
    this.#browse = options.browse;
    this.#titles = options.titles;
    this.#genres = options.genres;
    this.#ratings = options.ratings;
  }

  async list(query: BrowseQuery, viewer: Viewer): Promise<Page<TitleSummary>> {
    const sort: BrowseSort = query.sort ?? (query.q ? 'relevance' : 'newest');
    if (sort === 'relevance' && !query.q) throw InvalidCursor('sort=relevance needs a search (q)');
    const after = decodeBrowseCursor(query.cursor, sort);
    const { genre, cursor: _cursor, ...filter } = query;
    // The genre's id is looked up first so that the planner sees it as a value and uses that
    // genre's own statistics. Joined to `genres` by slug, it guessed ~130 matching titles where a
    // common genre has thousands, and read them all to sort them (60 ms on 50,000 titles) instead
    // of walking the sort's index until a page is full (5 ms); for a rare genre it still can.
    const genreId = genre === undefined ? undefined : await this.#genres.idOf(genre);
    if (genre !== undefined && genreId === undefined) return { items: [], nextCursor: null };
    return this.#browse.page({ ...filter, sort, genreId, after }, viewer);
  }

  async title(id: string, viewer: Viewer): Promise<TitleDetail> {
    const title = await this.#titles.detail(id, viewer);
    if (!title) throw TitleNotFound();
    return title;
  }

  /** The home screen: newest, popular, top rated, then a row for each of the busiest genres. */
  async home(viewer: Viewer): Promise<Home> {
    const row = (query: Partial<BrowseQuery>) =>
      this.list(browseQuery.parse({ limit: HOME_ROW_SIZE, ...query }), viewer).then((page) => page.items);
    const [newest, popular, topRated, genres] = await Promise.all([
      row({ sort: 'newest' }),
      row({ sort: 'popular' }),
      row({ sort: 'rating' }),
      this.#browse.busiestGenres(viewer, HOME_GENRE_ROWS),
    ]);
    const genreRows = await Promise.all(
      genres.map(async (genre) => ({
        id: `genre:${genre.slug}`,
        title: genre.name,
        items: await row({ genre: genre.slug, sort: 'popular' }),
      })),
    );
    const rows = [
      { id: 'new', title: 'New releases', items: newest },
      { id: 'popular', title: 'Popular on Marquee', items: popular },
      { id: 'top-rated', title: 'Top rated', items: topRated },
      ...genreRows,
    ];
    return { rows: rows.filter((homeRow) => homeRow.items.length > 0) };
  }

  genres(): Promise<Genre[]> {
    return this.#genres.list();
  }

  maturityRatings() {
    return this.#ratings.list();
  }
}
