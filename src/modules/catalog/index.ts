import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import { systemClock, type Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import type { AuditLog } from '../audit/index.ts';
import { artworkRoutes } from './artwork.routes.ts';
import { ArtworkService } from './artwork.service.ts';
import { BrowseRepository } from './browse.repository.ts';
import { browseRoutes } from './browse.routes.ts';
import { BrowseService } from './browse.service.ts';
import { bumpingAfterCommit, CatalogVersion } from './catalog-version.ts';
import { EpisodesRepository } from './episodes.repository.ts';
import { GenresRepository } from './genres.repository.ts';
import { importRoutes } from './import.routes.ts';
import { ImportService } from './import.service.ts';
import { libraryAdminRoutes } from './library-admin.routes.ts';
import { LibraryService } from './library.service.ts';
import { MaturityRatingsRepository } from './maturity-ratings.repository.ts';
import { PeopleRepository } from './people.repository.ts';
import { PlayableItemsRepository } from './playable-items.repository.ts';
import { PlayableItems } from './playable-items.ts';
import { SeasonsRepository } from './seasons.repository.ts';
import { SeriesService } from './series.service.ts';
import { TitleFactsRepository } from './title-facts.repository.ts';
import { CatalogFacts } from './title-facts.ts';
import { TitleRatingsRepository } from './title-ratings.repository.ts';
import { TitleRatings } from './title-ratings.service.ts';
import { titlesAdminRoutes } from './titles-admin.routes.ts';
import { TitlesRepository } from './titles.repository.ts';
import { TitlesService } from './titles.service.ts';

export { PlayableItems, type PlayableItem, type VisibleTitle, type WhyHidden } from './playable-items.ts';
export { TitleRatings, type RatingAggregates } from './title-ratings.service.ts';
export { CatalogFacts, type TitleFacts, type StarRating } from './title-facts.ts';
export { viewerFrom, type Viewer } from './viewer.ts';
export { slugify } from './library.service.ts';
export {
  readMovies,
  readRatings,
  readTags,
  upsertMovieLensTitles,
  upsertMovieLensTags,
  upsertRatings,
  type MovieLensMovie,
  type MovieLensTag,
} from './movielens.ts';
export { sampleMovies } from './sample-catalog.ts';
export { createDemoTitles, DemoTitles, type DemoTitleSpec } from './demo-titles.ts';
export { createRecordedTitles, RecordedTitles, type RecordedEvent } from './recorded-titles.ts';
export { TitleNotFound, EpisodeNotFound } from './catalog.errors.ts';

export interface CatalogDeps {
  db: Kysely<DB>;
  cache: Cache;
  pubsub: PubSub;
  storage: Storage;
  clock: Clock;
  audit: AuditLog;
  config: Pick<Config, 'catalog'>;
}

export interface Catalog {
  plugin: FastifyPluginAsync;
  items: PlayableItems;
  version: CatalogVersion;
  titles: TitlesService;
  library: LibraryService;
  /** Profiles' star ratings and the title aggregates kept exact with them. */
  ratings: TitleRatings;
  /** The whole catalog and every rating in bulk (recommendations' training and serving). */
  facts: CatalogFacts;
  /** Stops listening for cross-instance changes. */
  close(): Promise<void>;
}

/** The catalog read in bulk, for processes without the HTTP catalog (the worker's training job). */
export const createCatalogFacts = (db: Kysely<DB>): CatalogFacts =>
  new CatalogFacts(new TitleFactsRepository(db));

/**
 * The catalog's side of video alone, for processes without the HTTP catalog (the worker role):
 * it still bumps the catalog version, so every instance's cached answers see the new status.
 */
export async function createPlayableItems(
  deps: Pick<CatalogDeps, 'db' | 'cache' | 'pubsub'> & { clock?: Clock },
): Promise<{ items: PlayableItems; close(): Promise<void> }> {
  const clock = deps.clock ?? systemClock;
  const version = new CatalogVersion({ cache: deps.cache, pubsub: deps.pubsub, clock });
  await version.start();
  const items = new PlayableItems({ items: new PlayableItemsRepository(deps.db), version, clock });
  return { items, close: () => version.stop() };
}

/** Builds the catalog from the ports it uses; the app registers `plugin`, media and playback use `items`. */
export async function createCatalog(deps: CatalogDeps): Promise<Catalog> {
  const { db, audit, clock, storage } = deps;
  const version = new CatalogVersion({ cache: deps.cache, pubsub: deps.pubsub, clock });
  await version.start();
  const transactor = bumpingAfterCommit(transactorFor(db), version);
  const titleRows = new TitlesRepository(db);
  const seasons = new SeasonsRepository(db);
  const episodes = new EpisodesRepository(db);
  const genres = new GenresRepository(db);
  const people = new PeopleRepository(db);
  const ratings = new MaturityRatingsRepository(db);
  const artwork = new ArtworkService({ transactor, titles: titleRows, storage, audit, clock });
  const titles = new TitlesService({
    transactor,
    titles: titleRows,
    genres,
    people,
    ratings,
    artwork,
    audit,
    clock,
  });
  const series = new SeriesService({ transactor, titles: titleRows, seasons, episodes, audit, clock });
  const library = new LibraryService({ transactor, people, genres, audit, clock });
  const importer = new ImportService({ genres, titles });
  const browse = new BrowseService({ browse: new BrowseRepository(db), titles: titleRows, genres, ratings });
  const plugin = fp(
    async (app) => {
      await app.register(browseRoutes, {
        browse,
        cache: deps.cache,
        storage,
        clock,
        version,
        countryHeader: deps.config.catalog.countryHeader,
        cacheSeconds: deps.config.catalog.cacheSeconds,
      });
      await app.register(titlesAdminRoutes, { titles, series });
      await app.register(libraryAdminRoutes, { library });
      await app.register(artworkRoutes, { artwork });
      await app.register(importRoutes, { importer });
    },
    { name: 'marquee-catalog' },
  );
  return {
    plugin,
    items: new PlayableItems({ items: new PlayableItemsRepository(db), version, clock }),
    version,
    titles,
    library,
    // Not the version-bumping transactor: a rating re-sorts "top rated" within the cache's
    // lifetime, it need not empty every audience's cached pages.
    ratings: new TitleRatings({
      repository: new TitleRatingsRepository(db),
      transactor: transactorFor(db),
      clock,
    }),
    facts: createCatalogFacts(db),
    close: () => version.stop(),
  };
}
