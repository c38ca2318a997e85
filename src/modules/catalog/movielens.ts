import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { slugify } from './library.service.ts';
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

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

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
  const genreNames = [...new Set(movies.flatMap((movie) => movie.genres))];
  if (genreNames.length) {
    await db
      .insertInto('genres')
      .values(genreNames.map((name) => ({ name, slug: slugify(name) })))
      .onConflict((conflict) => conflict.column('slug').doNothing())
      .execute();
  }
  const genreIds = new Map(
    (await db.selectFrom('genres').select(['slug', 'id']).execute()).map((genre) => [genre.slug, genre.id]),
  );
  const existing = new Map(
    (
      await db
        .selectFrom('titles')
        .select(['id', sql<string>`external_ids ->> 'movielens'`.as('movielens')])
        .where(sql<boolean>`external_ids ? 'movielens'`)
        .execute()
    ).map((row) => [Number(row.movielens), row.id]),
  );
  let done = existing.size;
  onProgress(done);
  for (const batch of chunks(
    movies.filter((movie) => !existing.has(movie.movieId)),
    500,
  )) {
    await db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('titles')
        .values(
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
        )
        .returning(['id', sql<string>`external_ids ->> 'movielens'`.as('movielens')])
        .execute();
      const ids = new Map(inserted.map((row) => [Number(row.movielens), row.id]));
      const links = batch.flatMap((movie) =>
        movie.genres.map((genre) => ({
          titleId: ids.get(movie.movieId) as string,
          genreId: genreIds.get(slugify(genre)) as string,
        })),
      );
      if (links.length)
        await trx
          .insertInto('titleGenres')
          .values(links)
          .onConflict((conflict) => conflict.doNothing())
          .execute();
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
  let done = 0;
  for (const batch of chunks(ratings, 2000)) {
    await db
      .insertInto('titleRatings')
      .values(batch)
      .onConflict((conflict) =>
        conflict
          .columns(['profileId', 'titleId'])
          .doUpdateSet((eb) => ({ score: eb.ref('excluded.score'), ratedAt: eb.ref('excluded.ratedAt') })),
      )
      .execute();
    done += batch.length;
    onProgress(done);
  }
  await recomputeRatings(db);
}

/** Averages, counts, popularity and the sortable score (IMDb's weighted rating, prior of 10 votes). */
export async function recomputeRatings(db: Kysely<DB>): Promise<void> {
  await sql`
    with overall as (select coalesce(avg(score), 3)::float8 as mean from title_ratings),
    stats as (select title_id, avg(score)::float8 as average, count(*)::int as count from title_ratings group by title_id)
    update titles set
      rating_average = stats.average,
      rating_count = stats.count,
      rating_score = (stats.count * stats.average + 10 * overall.mean) / (stats.count + 10),
      popularity = stats.count
    from stats, overall
    where stats.title_id = titles.id`.execute(db);
}
