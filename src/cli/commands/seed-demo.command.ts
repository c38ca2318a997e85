import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createDemoTitles,
  createPlayableItems,
  readMovies,
  readRatings,
  readTags,
  sampleMovies,
  upsertMovieLensTags,
  upsertMovieLensTitles,
  upsertRatings,
} from '../../modules/catalog/index.ts';
import { jobCatalog } from '../../jobs/job-catalog.ts';
import { ensureDemoViewers } from '../../modules/identity/index.ts';
import { createMediaService, ffmpegTools, seedDemoVideos } from '../../modules/media/index.ts';
import { createPlatform } from '../../platform/platform.ts';
import { UsageError, type Command } from '../command.ts';
import { progress } from '../progress.ts';

/** Where the shared MovieLens copy sits next to a checkout (never inside the repository). */
export const defaultMovieLensDir = path.resolve(
  import.meta.dirname,
  '../../../../shared/data/ml-latest-small',
);

export const seedDemoCommand: Command = {
  name: 'seed-demo',
  summary:
    'Fill a demo catalog (MovieLens titles and ratings, or a small invented one) and playable demo videos; safe to re-run',
  usage: 'marquee seed-demo [--movielens <dir>] [--sample] [--skip-videos]',
  options: {
    movielens: { type: 'string' },
    sample: { type: 'boolean' },
    'skip-videos': { type: 'boolean' },
  },
  async run({ config, logger, print }, values) {
    const requested = typeof values.movielens === 'string' ? path.resolve(values.movielens) : undefined;
    if (requested && !existsSync(path.join(requested, 'movies.csv')))
      throw new UsageError(`${requested} has no movies.csv`);
    const dir = values.sample
      ? undefined
      : (requested ??
        (existsSync(path.join(defaultMovieLensDir, 'movies.csv')) ? defaultMovieLensDir : undefined));

    const platform = await createPlatform({
      config,
      logger,
      catalog: jobCatalog,
      superviseQueue: false,
      client: true,
    });
    const { database } = platform;
    try {
      const movies = dir ? await readMovies(dir) : sampleMovies();
      const titlesBar = progress('titles', movies.length);
      const titleIds = await upsertMovieLensTitles(database.db, movies, (done) => titlesBar.setValue(done));
      titlesBar.stop();

      // Viewers' free-text tags feed content similarity ("more like this" before anyone watched).
      const taggedCount =
        dir && existsSync(path.join(dir, 'tags.csv'))
          ? await upsertMovieLensTags(database.db, await readTags(dir), titleIds)
          : 0;
      let ratingCount = 0;
      if (dir && existsSync(path.join(dir, 'ratings.csv'))) {
        const ratings = await readRatings(dir);
        const viewers = await ensureDemoViewers(database.db, [
          ...new Set(ratings.map((rating) => rating.userId)),
        ]);
        const rows = ratings.flatMap((rating) => {
          const profileId = viewers.get(String(rating.userId));
          const titleId = titleIds.get(rating.movieId);
          return profileId && titleId
            ? [{ profileId, titleId, score: rating.rating, ratedAt: new Date(rating.timestamp * 1000) }]
            : [];
        });
        const ratingsBar = progress('ratings', rows.length);
        await upsertRatings(database.db, rows, (done) => ratingsBar.setValue(done));
        ratingsBar.stop();
        ratingCount = rows.length;
        print(
          `Demo catalog: ${titleIds.size} MovieLens titles, ${viewers.size} demo viewers, ${ratingCount} ratings, ${taggedCount} tagged titles (from ${dir}).`,
        );
        print(
          'MovieLens data: GroupLens Research (https://grouplens.org/datasets/movielens/), free for non-commercial use only.',
        );
      } else {
        print(
          `Demo catalog: ${titleIds.size} invented titles (no MovieLens folder found; pass --movielens <dir>, see README).`,
        );
      }
      if (!values['skip-videos']) {
        const playable = await createPlayableItems({
          db: database.db,
          cache: platform.cache,
          pubsub: platform.pubsub,
        });
        try {
          const tools = ffmpegTools(config.media);
          const { media } = await createMediaService({
            db: database.db,
            storage: platform.storage,
            pubsub: platform.pubsub,
            queue: platform.queue,
            items: playable.items,
            logger,
            clock: platform.clock,
            tools,
            config: config.media,
          });
          const videosBar = progress('playable demo videos (%)', 100);
          const report = await seedDemoVideos({
            media,
            titles: createDemoTitles({ db: database.db, clock: platform.clock }),
            tools,
            uploadedBy: null,
            onProgress: (percent) => videosBar.setValue(Math.floor(percent)),
          });
          videosBar.stop();
          print(
            `Playable demo videos: ${report.transcoded} transcoded, ${report.alreadyPlayable} already playable (search "Marquee Demo").`,
          );
        } finally {
          await playable.close();
        }
      }
    } finally {
      await platform.queue.stop({ timeoutMs: 2000 });
      await platform.close();
    }
  },
};
