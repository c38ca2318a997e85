import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor, type Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { RunningJob } from '../../platform/queue/queue.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { openFileStream } from '../../shared/file-stream.ts';
import { AuditLog, type RequestContext } from '../audit/index.ts';
import type { PlayableItems } from '../catalog/index.ts';
import { TitleNotFound } from '../catalog/index.ts';
import { AssetsRepository, type AssetRow, type SubtitleSource } from './assets.repository.ts';
import { ContentKeysRepository } from './content-keys.repository.ts';
import { mediaEventPublisher, type PublishMediaEvent } from './media-events.ts';
import { MediaKeys } from './media-keys.ts';
import { MediaPackages } from './media-packages.ts';
import type { MediaTools } from './media-tools.ts';
import { AssetNotFound, AssetStateConflict } from './media.errors.ts';
import { loadMasterKey } from './master-key.ts';
import { parsePackageManifest } from './package-manifest.ts';
import type { RenditionQuality } from './rendition-quality.ts';
import { TranscodeJob, type TranscodeRunOptions } from './transcode-job.ts';

export interface SourceUpload {
  itemId: string;
  /** Where the upload landed in storage. */
  storageKey: string;
  sourceName: string;
  bytes: number;
  uploadedBy: string | null;
  subtitles?: readonly SubtitleSource[];
}

export interface RenditionQualityView {
  ladderMode: 'fixed' | 'content-aware' | null;
  renditions: Array<{
    name: string;
    width: number;
    height: number;
    tier: string;
    codecs: string;
    bandwidth: number;
    averageBandwidth: number;
    quality: RenditionQuality | null;
  }>;
  droppedRenditions: Array<{ name: string; width: number; height: number; quality: RenditionQuality }>;
}

export interface MediaServiceDeps {
  db: Kysely<DB>;
  storage: Storage;
  pubsub: PubSub;
  queue: AppQueue;
  items: PlayableItems;
  audit: AuditLog;
  logger: Logger;
  clock: Clock;
  tools: MediaTools;
  keys: MediaKeys;
  assets: AssetsRepository;
  config: Config['media'];
}

/**
 * Sources in, encrypted packages out: registers uploads, runs the transcode job, and lets admins
 * watch, cancel and retry. A package is uploaded under a fresh prefix and the item is pointed at
 * it in one transaction, so a viewer is served the old package or the new one, never a part.
 */
export class MediaService {
  readonly assets: AssetsRepository;
  readonly #deps: MediaServiceDeps;
  readonly #publish: PublishMediaEvent;
  readonly #transcode: TranscodeJob;
  readonly #transactor: Transactor;

  constructor(deps: MediaServiceDeps) {
    this.#deps = deps;
    this.assets = deps.assets;
    this.#transactor = transactorFor(deps.db);
    this.#publish = mediaEventPublisher(deps);
    this.#transcode = new TranscodeJob({ ...deps, transactor: this.#transactor, publish: this.#publish });
  }

  /**
   * Records an uploaded source and queues its transcode; the item shows as `processing`. A source
   * object already registered for the item answers its asset and queues nothing: a job retried
   * after a crash (live.record-vod, whose recording key is the event's) adds no second asset.
   */
  async registerSource(source: SourceUpload, context: RequestContext): Promise<AssetRow> {
    const { queue, items, audit } = this.#deps;
    const item = await items.find(source.itemId);
    if (!item) throw TitleNotFound(`No movie or episode ${source.itemId}`);
    let registered: AssetRow | undefined;
    const asset = await this.#transactor.run(async (trx) => {
      registered = await this.assets.findBySource(item.id, source.storageKey, trx);
      if (registered) return registered;
      const row = await this.assets.insert(
        {
          itemId: item.id,
          sourceKey: source.storageKey,
          sourceName: source.sourceName,
          sourceBytes: source.bytes,
          subtitles: JSON.stringify(source.subtitles ?? []),
          uploadedBy: source.uploadedBy,
        },
        trx,
      );
      const jobId = await queue.send('media.transcode', { assetId: row.id }, { transaction: trx });
      await this.assets.setJob(row.id, jobId, trx);
      await audit.record(trx, context, {
        action: 'media.source_uploaded',
        targetType: item.kind,
        targetId: item.id,
        after: { assetId: row.id, sourceName: source.sourceName, bytes: source.bytes },
      });
      return { ...row, jobId };
    });
    if (registered) return asset;
    await items.setVideoStatus(item.id, 'processing');
    await this.#publish('TranscodeQueued', asset);
    return asset;
  }

  /**
   * A source file already on this machine (a generated clip, a file a script picked): copies it
   * into storage under the item and registers it. Uploads arriving over HTTP use registerSource.
   */
  async ingestFile(
    options: {
      itemId: string;
      path: string;
      uploadedBy: string | null;
      subtitles?: readonly SubtitleSource[];
    },
    context: RequestContext,
  ): Promise<AssetRow> {
    const sourceName = path.basename(options.path);
    const storageKey = `sources/${options.itemId}/${randomUUID()}/${sourceName}`;
    const body = await openFileStream(options.path);
    try {
      await this.#deps.storage.put(storageKey, body);
    } finally {
      body.destroy();
    }
    return this.registerSource(
      {
        itemId: options.itemId,
        storageKey,
        sourceName,
        bytes: (await stat(options.path)).size,
        uploadedBy: options.uploadedBy,
        subtitles: options.subtitles ?? [],
      },
      context,
    );
  }

  /**
   * The `media.transcode` job (transcode-job.ts): claims the asset, so a second runner of the
   * same asset backs off. `owner` names the claimant (default: this process and a random id).
   */
  transcode(job: RunningJob<{ assetId: string }>, options: TranscodeRunOptions = {}): Promise<void> {
    return this.#transcode.run(job, options);
  }

  async cancel(id: string, context: RequestContext): Promise<AssetRow> {
    const asset = await this.#require(id);
    const moved = await this.assets.transition({
      id,
      from: ['queued', 'processing'],
      set: { status: 'cancelled', finishedAt: this.#deps.clock.now(), claimedBy: null, claimExpiresAt: null },
    });
    if (!moved)
      throw AssetStateConflict(
        `The transcode is ${asset.status}: only a queued or running one can be cancelled`,
      );
    if (asset.jobId) await this.#deps.queue.cancel('media.transcode', asset.jobId).catch(() => undefined);
    await this.#deps.audit.record(this.#deps.db, context, {
      action: 'media.transcode_cancelled',
      targetType: 'video_asset',
      targetId: id,
    });
    await this.#settleItemAfterStop(asset.itemId);
    await this.#publish('TranscodeCancelled', { ...asset, status: 'cancelled' });
    return this.#require(id);
  }

  async retry(id: string, context: RequestContext): Promise<AssetRow> {
    const asset = await this.#require(id);
    if (asset.status !== 'failed' && asset.status !== 'cancelled') {
      throw AssetStateConflict(
        `The transcode is ${asset.status}: only a failed or cancelled one can be retried`,
      );
    }
    await this.#transactor.run(async (trx) => {
      const jobId = await this.#deps.queue.send('media.transcode', { assetId: id }, { transaction: trx });
      await this.assets.transition({
        id,
        from: ['failed', 'cancelled'],
        set: { status: 'queued', progress: 0, jobId, failureCode: null, failureReason: null },
        executor: trx,
      });
      await this.#deps.audit.record(trx, context, {
        action: 'media.transcode_retried',
        targetType: 'video_asset',
        targetId: id,
      });
    });
    await this.#deps.items.setVideoStatus(asset.itemId, 'processing');
    return this.#require(id);
  }

  get(id: string): Promise<AssetRow> {
    return this.#require(id);
  }

  /** What an admin sees of a package's ladder: each rendition's measured quality, and the dropped rungs. */
  async renditionQuality(asset: AssetRow): Promise<RenditionQualityView> {
    const rows = await this.assets.videoRenditions(asset.id);
    const manifest = asset.manifest === null ? undefined : parsePackageManifest(asset.manifest, asset.id);
    return {
      ladderMode: manifest?.ladder?.mode ?? null,
      renditions: rows.map((row) => ({
        name: row.name,
        width: row.width ?? 0,
        height: row.height ?? 0,
        tier: row.tier ?? 'SD',
        codecs: row.codecs ?? '',
        bandwidth: row.bandwidth ?? 0,
        averageBandwidth: row.averageBandwidth ?? 0,
        quality:
          row.ssim === null || row.psnr === null
            ? null
            : { ssim: row.ssim, psnr: row.psnr, frames: row.qualityFrames ?? 0 },
      })),
      droppedRenditions: manifest?.ladder?.dropped ?? [],
    };
  }

  async #require(id: string): Promise<AssetRow> {
    const asset = await this.assets.find(id);
    if (!asset) throw AssetNotFound();
    return asset;
  }

  /** The uploaded source of the video an item plays now (for analyses such as scene detection). */
  async currentSource(
    itemId: string,
  ): Promise<{ storageKey: string; sourceName: string; durationSeconds: number | null } | undefined> {
    const asset = await this.assets.current(itemId);
    return (
      asset && {
        storageKey: asset.sourceKey,
        sourceName: asset.sourceName,
        durationSeconds: asset.durationSeconds,
      }
    );
  }

  /** After a failed or cancelled transcode, an item with no playable package goes back to draft. */
  async #settleItemAfterStop(itemId: string): Promise<void> {
    const current = await this.assets.current(itemId);
    await this.#deps.items.setVideoStatus(itemId, current ? 'ready' : 'draft');
  }
}

/** Media's key store alone, for a process that only stores keys (the live ingest). */
export async function createMediaKeys(
  db: Kysely<DB>,
  config: Pick<Config['media'], 'masterKey' | 'masterKeyFile'>,
): Promise<MediaKeys> {
  return new MediaKeys({ repository: new ContentKeysRepository(db), masterKey: await loadMasterKey(config) });
}

/** Media as the rest of the app sees it: the service, its packages and its keys. */
export interface Media {
  media: MediaService;
  packages: MediaPackages;
  keys: MediaKeys;
}

/**
 * Builds media on the given ports (API, worker and CLI alike). The master key is loaded here and
 * stays inside: only MediaKeys wraps and unwraps content keys.
 */
export async function createMediaService(
  deps: Omit<MediaServiceDeps, 'audit' | 'keys' | 'assets'>,
): Promise<Media> {
  const masterKey = await loadMasterKey(deps.config);
  const assets = new AssetsRepository(deps.db, deps.clock);
  const keys = new MediaKeys({ repository: new ContentKeysRepository(deps.db), masterKey });
  const media = new MediaService({ ...deps, assets, keys, audit: new AuditLog(deps.db) });
  return { media, packages: new MediaPackages({ assets }), keys };
}
