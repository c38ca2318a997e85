/**
 * A large catalog for benchmarks, generated deterministically from a seed (same input, same
 * titles): invented names from word lists, years, 1–3 of 18 genres, popularity and ratings with
 * realistic skew. Written straight into the database in batches.
 */
import { openDatabase, type DatabaseOptions } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrator.ts';

const words = [
  'Silent',
  'Crimson',
  'Last',
  'Hidden',
  'Golden',
  'Broken',
  'Northern',
  'Electric',
  'Quiet',
  'Burning',
  'Frozen',
  'Distant',
  'Harbor',
  'Garden',
  'Signal',
  'Frontier',
  'Orchard',
  'Mirror',
  'Comet',
  'Station',
  'River',
  'Lantern',
  'Empire',
  'Horizon',
  'Shadow',
  'Summer',
  'Winter',
  'Ocean',
  'Desert',
  'City',
  'Kingdom',
  'Voyage',
  'Promise',
  'Secret',
  'Storm',
  'Memory',
];
const genres = [
  'Action',
  'Adventure',
  'Animation',
  'Children',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];
export const searchWords = [
  'Interstellar',
  'Silent Harbor',
  'Crimson Empire',
  'Frozen Voyage',
  'Electric City',
  'Golden Horizon',
];

/** Mulberry32: a tiny deterministic PRNG. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seedSyntheticCatalog(options: {
  database: DatabaseOptions;
  titles: number;
  seed?: number;
  onProgress?: (done: number) => void;
}) {
  const database = await openDatabase(options.database);
  try {
    await migrate(database);
    const db = database.db;
    const existing = await db
      .selectFrom('titles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(existing.n) >= options.titles) return;
    await db
      .insertInto('genres')
      .values(genres.map((name) => ({ name, slug: name.toLowerCase() })))
      .onConflict((conflict) => conflict.column('slug').doNothing())
      .execute();
    const genreIds = (await db.selectFrom('genres').select(['id', 'slug']).orderBy('slug').execute()).map(
      (genre) => genre.id,
    );
    const next = random(options.seed ?? 42);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
    for (let start = Number(existing.n); start < options.titles; start += 1000) {
      const count = Math.min(1000, options.titles - start);
      await db.transaction().execute(async (trx) => {
        const rows = Array.from({ length: count }, (_, index) => {
          const number = start + index;
          const year = 1930 + Math.floor(next() * 96);
          const ratingCount = Math.floor(next() ** 3 * 5000);
          const average = 1 + next() * 4;
          const title =
            number === 0
              ? 'Interstellar'
              : `The ${pick(words)} ${pick(words)}${next() < 0.3 ? ` ${pick(words)}` : ''}`;
          return {
            kind: next() < 0.85 ? 'movie' : 'series',
            title,
            synopsis: `A story about a ${pick(words).toLowerCase()} ${pick(words).toLowerCase()} and the ${pick(words).toLowerCase()} that follows.`,
            releaseYear: year,
            maturityLevel: pick([0, 7, 10, 13, 14, 17]),
            audioLanguages: next() < 0.7 ? ['en'] : ['en', pick(['fr', 'es', 'de', 'ja', 'it'])],
            status: 'published',
            publishedAt: new Date(Date.UTC(year, 0, 1) + number * 1000),
            popularity: ratingCount,
            ratingAverage: ratingCount ? average : null,
            ratingCount,
            ratingScore: ratingCount ? (ratingCount * average + 10 * 3.5) / (ratingCount + 10) : null,
            externalIds: JSON.stringify({ bench: String(number) }),
          };
        });
        const inserted = await trx.insertInto('titles').values(rows).returning('id').execute();
        const links = inserted.flatMap((row) => {
          const chosen = new Set([
            pick(genreIds),
            ...(next() < 0.6 ? [pick(genreIds)] : []),
            ...(next() < 0.3 ? [pick(genreIds)] : []),
          ]);
          return [...chosen].map((genreId) => ({ titleId: row.id, genreId }));
        });
        await trx.insertInto('titleGenres').values(links).execute();
      });
      options.onProgress?.(start + count);
    }
    await database.runScript('analyze titles; analyze title_genres');
  } finally {
    await database.close();
  }
}
