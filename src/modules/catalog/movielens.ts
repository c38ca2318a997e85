import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import { GenresRepository } from './genres.repository.ts';
import { slugify } from './library.service.ts';
import { TitleFactsRepository } from './title-facts.repository.ts';
import { TitleRatingsRepository } from './title-ratings.repository.ts';
import { TitlesRepository } from './titles.repository.ts';
import { UNRATED_LEVEL } from './titles.service.ts';

/**
 * The MovieLens "latest small" data set (GroupLens Research; non-commercial licence) as a demo
 * catalog: its 9,742 real titles, years and genres, and its 100,836 ratings as demo viewers'
 * history. Read from disk at seed time; never copied into the repository.
 */

export interface MovieLensMovie {
  movieId: number;
  title: string;
  originalTitle: string | null;
  year: number | null;
  genres: string[];
}

export interface MovieLensRating {
  userId: number;
  movieId: number;
  rating: number;
  timestamp: number;
}

const ARTICLES = [
  'The',
  'A',
  'An',
  'Les',
  'La',
  'Le',
  "L'",
  'Il',
  'Lo',
  'Das',
  'Der',
  'Die',
  'El',
  'Los',
  'Las',
  'Det',
  'Den',
];

/** "American President, The" → "The American President". */
export function moveArticleFront(name: string): string {
  for (const article of ARTICLES) {
    const suffix = `, ${article}`;
    if (name.endsWith(suffix)) {
      const front = name.slice(0, -suffix.length);
      return article.endsWith("'") ? `${article}${front}` : `${article} ${front}`;
    }
  }
  return name;
}

/**
 * "City of Lost Children, The (Cité des enfants perdus, La) (1995)" →
 * { title: "The City of Lost Children", originalTitle: "La Cité des enfants perdus", year: 1995 }.
 */
export function parseMovieLensTitle(raw: string): {
  title: string;
  originalTitle: string | null;
  year: number | null;
} {
  let rest = raw.trim();
  let year: number | null = null;
  const yearMatch = /\s*\((\d{4})(?:[–-]\d{0,4})?\)\s*$/.exec(rest);
  if (yearMatch) {
    year = Number(yearMatch[1]);
    rest = rest.slice(0, yearMatch.index).trim();
  }
  let originalTitle: string | null = null;
  const alternate = /\s*\(([^()]+)\)\s*$/.exec(rest);
  if (alternate && alternate.index > 0) {
    const inner = (alternate[1] ?? '').trim();
    rest = rest.slice(0, alternate.index).trim();
    originalTitle = /^a\.k\.a\. /i.test(inner) ? null : moveArticleFront(inner);
  }
  return { title: moveArticleFront(rest) || raw.trim(), originalTitle, year };
}

async function* csvRows(file: string): AsyncGenerator<Record<string, string>> {
  const parser = createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true, bom: true }));
  for await (const row of parser) yield row as Record<string, string>;
}

export async function readMovies(dir: string): Promise<MovieLensMovie[]> {
  const movies: MovieLensMovie[] = [];
  for await (const row of csvRows(`${dir}/movies.csv`)) {
    const parsed = parseMovieLensTitle(row.title ?? '');
    movies.push({
      movieId: Number(row.movieId),
      ...parsed,
      genres: (row.genres ?? '').split('|').filter((genre) => genre && genre !== '(no genres listed)'),
    });
  }
  return movies;
}

export async function readRatings(dir: string): Promise<MovieLensRating[]> {
  const ratings: MovieLensRating[] = [];
  for await (const row of csvRows(`${dir}/ratings.csv`)) {
    ratings.push({
      userId: Number(row.userId),
      movieId: Number(row.movieId),
      rating: Number(row.rating),
      timestamp: Number(row.timestamp),
    });
  }
  return ratings;
}

export interface MovieLensTag {
  userId: number;
  movieId: number;
  tag: string;
  timestamp: number;
}

/** tags.csv: viewers' free-text tags ("atmospheric", "twist ending"), 3,683 of them. */
export async function readTags(dir: string): Promise<MovieLensTag[]> {
  const tags: MovieLensTag[] = [];
  for await (const row of csvRows(`${dir}/tags.csv`)) {
    const tag = (row.tag ?? '').trim();
    if (tag)
      tags.push({
        userId: Number(row.userId),
        movieId: Number(row.movieId),
        tag,
        timestamp: Number(row.timestamp),
      });
  }
  return tags;
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

// The seeding entry points below are the CLI's (seed-demo): each builds the repositories it uses.

/**
 * Creates (or finds) the genres and titles of the data set, published. Re-running adds only
 * what is missing. Returns movieId → title id.
 *
 * The data set has no maturity ratings: titles of its "Children" genre are rated G, the rest
 * are left unrated — which only profiles without a maturity limit see.
 */
export async function upsertMovieLensTitles(
  db: Kysely<DB>,
  movies: MovieLensMovie[],
  onProgress: (done: number) => void,
): Promise<Map<number, string>> {
  const genres = new GenresRepository(db);
  const titles = new TitlesRepository(db);
  const genreNames = [...new Set(movies.flatMap((movie) => movie.genres))];
  await genres.insertMissing(genreNames.map((name) => ({ name, slug: slugify(name) })));
  const genreIds = await genres.idsBySlug();
  const existing = await titles.movieLensIds();
  let done = existing.size;
  onProgress(done);
  for (const batch of chunks(
    movies.filter((movie) => !existing.has(movie.movieId)),
    500,
  )) {
    await transactorFor(db).run(async (trx) => {
      const ids = await titles.insertMovieLens(
        batch.map((movie) => {
          const forChildren = movie.genres.includes('Children');
          return {
            kind: 'movie',
            title: movie.title.slice(0, 300),
            originalTitle: movie.originalTitle?.slice(0, 300) ?? null,
            releaseYear: movie.year,
            maturityRating: forChildren ? 'G' : null,
            maturityLevel: forChildren ? 0 : UNRATED_LEVEL,
            status: 'published',
            // "New releases" then means newest films; a demo has no real publishing history.
            publishedAt: new Date(Date.UTC(movie.year ?? 1900, 0, 1) + movie.movieId),
            externalIds: JSON.stringify({ movielens: String(movie.movieId) }),
          };
        }),
        trx,
      );
      await titles.linkGenres(
        batch.flatMap((movie) =>
          movie.genres.map((genre) => ({
            titleId: ids.get(movie.movieId) as string,
            genreId: genreIds.get(slugify(genre)) as string,
          })),
        ),
        trx,
      );
      for (const [movieId, id] of ids) existing.set(movieId, id);
    });
    done += batch.length;
    onProgress(done);
  }
  return existing;
}

/**
 * Stores the ratings as the demo viewers' history (profile, title, score, time), then derives
 * each title's average, count and popularity from them. Safe to re-run.
 */
export async function upsertRatings(
  db: Kysely<DB>,
  ratings: Array<{ profileId: string; titleId: string; score: number; ratedAt: Date }>,
  onProgress: (done: number) => void,
): Promise<void> {
  const titleRatings = new TitleRatingsRepository(db);
  let done = 0;
  for (const batch of chunks(ratings, 2000)) {
    await titleRatings.upsert(batch);
    done += batch.length;
    onProgress(done);
  }
  await titleRatings.recomputeTitleStats();
}

/** Most tags a title keeps from tags.csv: the ones the most viewers gave. */
const TAGS_PER_TITLE = 20;

/**
 * Sets each title's tags from tags.csv (lower-cased, the most-given first), for content
 * similarity. Replaces the tags of the titles it names; safe to re-run.
 */
export async function upsertMovieLensTags(
  db: Kysely<DB>,
  tags: MovieLensTag[],
  titleIds: ReadonlyMap<number, string>,
): Promise<number> {
  const counts = new Map<string, Map<string, number>>();
  for (const tag of tags) {
    const titleId = titleIds.get(tag.movieId);
    const name = tag.tag.toLowerCase().slice(0, 60);
    if (!titleId) continue;
    let perTitle = counts.get(titleId);
    if (!perTitle) counts.set(titleId, (perTitle = new Map<string, number>()));
    perTitle.set(name, (perTitle.get(name) ?? 0) + 1);
  }
  const chosen = new Map(
    [...counts].map(([titleId, perTitle]) => [
      titleId,
      [...perTitle]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, TAGS_PER_TITLE)
        .map(([name]) => name),
    ]),
  );
  await transactorFor(db).run((trx) => new TitleFactsRepository(db).setTags(chosen, trx));
  return chosen.size;
}
