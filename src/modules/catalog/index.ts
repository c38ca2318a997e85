import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import type { AuditLog } from '../audit/index.ts';
import { ArtworkService } from './artwork.service.ts';
import { browseRoutes } from './browse.routes.ts';
import { catalogAdminRoutes } from './catalog-admin.routes.ts';
import { CatalogVersion } from './catalog-version.ts';
import { ImportService } from './import.service.ts';
import { LibraryService } from './library.service.ts';
import { PlayableItems } from './playable-items.ts';
import { TitlesService } from './titles.service.ts';

export { PlayableItems, type PlayableItem, type WhyHidden } from './playable-items.ts';
export type { Viewer } from './titles.queries.ts';
export { viewerFrom } from './viewer.ts';
export { slugify } from './library.service.ts';
export {
  readMovies,
  readRatings,
  upsertMovieLensTitles,
  upsertRatings,
  type MovieLensMovie,
} from './movielens.ts';
export { sampleMovies } from './sample-catalog.ts';
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
  /** Stops listening for cross-instance changes. */
  close(): Promise<void>;
}

/**
 * The catalog's side of video alone, for processes without the HTTP catalog (the worker role):
 * it still bumps the catalog version, so every instance's cached answers see the new status.
 */
export async function createPlayableItems(deps: Pick<CatalogDeps, 'db' | 'cache' | 'pubsub'>) {
  const version = new CatalogVersion({ cache: deps.cache, pubsub: deps.pubsub });
  await version.start();
  return { items: new PlayableItems({ db: deps.db, version }), close: () => version.stop() };
}

/** Builds the catalog from the ports it uses; the app registers `plugin`, media and playback use `items`. */
export async function createCatalog(deps: CatalogDeps): Promise<Catalog> {
  const { db, audit, clock } = deps;
  const version = new CatalogVersion({ cache: deps.cache, pubsub: deps.pubsub });
  await version.start();
  const titles = new TitlesService({ db, audit, version, clock });
  const library = new LibraryService({ db, audit, version });
  const artwork = new ArtworkService({ db, storage: deps.storage, audit, version });
  const importer = new ImportService({ db, titles });
  const plugin = fp(
    async (app) => {
      await app.register(browseRoutes, {
        db,
        cache: deps.cache,
        storage: deps.storage,
        clock,
        version,
        countryHeader: deps.config.catalog.countryHeader,
        cacheSeconds: deps.config.catalog.cacheSeconds,
      });
      await app.register(catalogAdminRoutes, { titles, library, artwork, importer });
    },
    { name: 'marquee-catalog' },
  );
  return {
    plugin,
    items: new PlayableItems({ db, version }),
    version,
    titles,
    library,
    close: () => version.stop(),
  };
}
