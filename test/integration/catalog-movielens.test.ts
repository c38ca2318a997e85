import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  readMovies,
  readRatings,
  readTags,
  upsertMovieLensTags,
  upsertMovieLensTitles,
  upsertRatings,
} from '../../src/modules/catalog/index.ts';
import { ensureDemoViewers } from '../../src/modules/identity/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// The data set lives beside the repository (../shared/data); MOVIELENS_DIR points elsewhere (a worktree).
const dir =
  process.env.MOVIELENS_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/ml-latest-small');

describe('MovieLens demo catalog (the real files, on a real database)', () => {
  let testDatabase: TestDatabase;
  before(async () => {
    testDatabase = await createTestDatabase();
  });
  after(() => testDatabase.drop());

  it('reads the real data set (checksums as published in ../shared/data/README.md)', async () => {
    const expected: Record<string, string> = {
      'movies.csv': 'c47b783f23eb304413307e1bb05335e427737da20ec8d3c0e96335567dd5f3dc',
      'ratings.csv': '80da8b3393dae325bbba5a31f291a6ba55d8d4f4396de3c456f2c1635b1b70e8',
      'tags.csv': '68eec00a0820c2faa8863a6df7032f13d5899a4462bce9a97213905297ff3d34',
    };
    for (const [file, sha256] of Object.entries(expected)) {
      assert.equal(
        createHash('sha256')
          .update(await readFile(path.join(dir, file)))
          .digest('hex'),
        sha256,
        file,
      );
    }
  });

  it('imports every title once, with genres; a second run adds nothing', async () => {
    const movies = await readMovies(dir);
    assert.equal(movies.length, 9742);
    const interstellar = movies.find((movie) => movie.movieId === 109487);
    assert.deepEqual(interstellar && [interstellar.title, interstellar.year], ['Interstellar', 2014]);
    let last = 0;
    const ids = await upsertMovieLensTitles(testDatabase.database.db, movies, (done) => (last = done));
    assert.equal(ids.size, 9742);
    assert.equal(last, 9742, 'progress reached the end');
    const again = await upsertMovieLensTitles(testDatabase.database.db, movies, () => {});
    assert.deepEqual([...again.entries()].sort(), [...ids.entries()].sort());
    const db = testDatabase.database.db;
    const { n } = await db
      .selectFrom('titles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(n), 9742);
    const genres = await db
      .selectFrom('titleGenres')
      .innerJoin('genres', 'genres.id', 'titleGenres.genreId')
      .select('genres.slug')
      .where('titleGenres.titleId', '=', ids.get(109487) as string)
      .execute();
    assert.deepEqual(genres.map((genre) => genre.slug).sort(), ['imax', 'sci-fi']);

    // The first 5,000 ratings stand in for the 100,836 (the CLI test seeds them all).
    const ratings = (await readRatings(dir)).slice(0, 5000);
    const viewers = await ensureDemoViewers(db, [...new Set(ratings.map((rating) => rating.userId))]);
    const rows = ratings.map((rating) => ({
      profileId: viewers.get(String(rating.userId)) as string,
      titleId: ids.get(rating.movieId) as string,
      score: rating.rating,
      ratedAt: new Date(rating.timestamp * 1000),
    }));
    await upsertRatings(db, rows, () => {});
    await upsertRatings(db, rows, () => {});
    const stored = await db
      .selectFrom('titleRatings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), 5000, 'ratings are not duplicated by a re-run');
    const toyStory = await db
      .selectFrom('titles')
      .select(['ratingCount', 'ratingAverage', 'ratingScore'])
      .where('id', '=', ids.get(1) as string)
      .executeTakeFirstOrThrow();
    assert.ok(toyStory.ratingCount > 0 && toyStory.ratingAverage !== null && toyStory.ratingScore !== null);
  });

  it('imports tags.csv as the titles’ tags, most-given first; a re-run changes nothing', async () => {
    const db = testDatabase.database.db;
    const ids = await upsertMovieLensTitles(db, await readMovies(dir), () => {});
    const tags = await readTags(dir);
    assert.equal(tags.length, 3683);
    const tagged = await upsertMovieLensTags(db, tags, ids);
    assert.equal(tagged, new Set(tags.map((tag) => tag.movieId)).size);
    const pulpFiction = async () =>
      (
        await db
          .selectFrom('titles')
          .select('tags')
          .where('id', '=', ids.get(296) as string)
          .executeTakeFirstOrThrow()
      ).tags;
    const first = await pulpFiction();
    assert.ok(first.length > 0 && first.length <= 20 && first.every((tag) => tag === tag.toLowerCase()));
    await upsertMovieLensTags(db, tags, ids);
    assert.deepEqual(await pulpFiction(), first);
  });
});
