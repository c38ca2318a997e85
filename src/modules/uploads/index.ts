import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config/config.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import type { PlayableItems } from '../catalog/index.ts';
import type { MediaService, MediaTools } from '../media/index.ts';
import { SharedLocker } from './shared-locker.ts';
import { tusRoutes } from './tus.ts';
import { uploadRoutes } from './uploads.routes.ts';
import { UploadsService } from './uploads.service.ts';

export { UploadsService } from './uploads.service.ts';
export { safeVideoName } from './file-names.ts';

export interface UploadsDeps {
  storage: Storage;
  /** The tus lock on an upload lives here, so any instance may resume it (shared-locker.ts). */
  cache: Cache;
  pubsub: PubSub;
  media: Pick<MediaService, 'registerSource'>;
  items: Pick<PlayableItems, 'find'>;
  /** Media's ffmpeg/ffprobe port (uploads probe a file before storing it). */
  tools: Pick<MediaTools, 'probe'>;
  config: Pick<Config, 'dataDir'> & {
    catalog: Pick<Config['catalog'], 'uploadMaxBytes'>;
    http: Pick<Config['http'], 'corsOrigins'>;
  };
}

/** Video uploads: one-shot multipart (/api/videos/upload) and resumable tus (/api/videos/tus). */
export function createUploads(deps: UploadsDeps): { plugin: FastifyPluginAsync; uploads: UploadsService } {
  const uploadsDir = path.join(deps.config.dataDir, 'uploads');
  const maxBytes = deps.config.catalog.uploadMaxBytes;
  const uploads = new UploadsService({
    storage: deps.storage,
    media: deps.media,
    items: deps.items,
    tools: deps.tools,
    uploadsDir,
  });
  const plugin = fp(
    async (app) => {
      // Each in its own encapsulated context: the multipart and octet-stream parsers stay there.
      await app.register(uploadRoutes, { uploads, maxBytes });
      await app.register(tusRoutes, {
        uploads,
        maxBytes,
        directory: path.join(uploadsDir, 'tus'),
        locker: new SharedLocker({ cache: deps.cache, pubsub: deps.pubsub }),
        corsOrigins: deps.config.http.corsOrigins,
      });
    },
    { name: 'marquee-uploads' },
  );
  return { plugin, uploads };
}
