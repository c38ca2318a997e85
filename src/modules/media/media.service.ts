import { createReadStream, createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { RunningJob } from '../../platform/queue/queue.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { AppError } from '../../shared/errors.ts';
import { AuditLog, type RequestContext } from '../audit/index.ts';
import type { PlayableItems } from '../catalog/index.ts';
import { TitleNotFound } from '../catalog/index.ts';
import {
  AssetsRepository,
  type AssetRow,
  type AssetStatus,
  type SubtitleSource,
} from './assets.repository.ts';
import { AssetNotFound, AssetStateConflict } from './media.errors.ts';
import { loadMasterKey } from './master-key.ts';
import { transcodeToEncryptedHls } from './transcode.ts';

/** Published on the pub/sub port as a transcode moves: admin consoles and other instances listen. */
export const MEDIA_EVENTS_CHANNEL = 'media.events';
export interface MediaEvent {
  type:
    | 'TranscodeQueued'
    | 'TranscodeProgressed'
    | 'TranscodeFinished'
    | 'TranscodeFailed'
    | 'TranscodeCancelled';
  assetId: string;
  itemId: string;
  status: AssetStatus;
  progress: number;
  reason?: string;
}

export interface SourceUpload {
  itemId: string;
  /** Where the upload landed in storage. */
  storageKey: string;
  sourceName: string;
  bytes: number;
  uploadedBy: string | null;
  subtitles?: readonly SubtitleSource[];
}

/** Errors that no retry will fix: the source itself is unusable. */
const PERMANENT = new Set(['MEDIA_UNREADABLE', 'MEDIA_NOT_A_VIDEO', 'MEDIA_SUBTITLE_UNREADABLE']);
const UPLOAD_CONCURRENCY = 8;

export interface MediaServiceDeps {
  db: Kysely<DB>;
  storage: Storage;
  pubsub: PubSub;
  queue: AppQueue;
  items: PlayableItems;
  audit: AuditLog;
  logger: Logger;
  masterKey: Buffer;
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

  constructor(deps: MediaServiceDeps) {
    this.#deps = deps;
    this.assets = new AssetsRepository(deps.db);
  }

  /** Records an uploaded source and queues its transcode; the item shows as `processing`. */
  async registerSource(source: SourceUpload, context: RequestContext): Promise<AssetRow> {
    const { db, queue, items, audit } = this.#deps;
    const item = await items.find(source.itemId);
    if (!item) throw TitleNotFound(`No movie or episode ${source.itemId}`);
    const asset = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('videoAssets')
        .values({
          itemId: item.id,
          sourceKey: source.storageKey,
          sourceName: source.sourceName,
          sourceBytes: source.bytes,
          subtitles: JSON.stringify(source.subtitles ?? []),
          uploadedBy: source.uploadedBy,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const jobId = await queue.send('media.transcode', { assetId: row.id }, { transaction: trx });
      await trx.updateTable('videoAssets').set({ jobId }).where('id', '=', row.id).execute();
      await audit.record(trx, context, {
        action: 'media.source_uploaded',
        targetType: item.kind,
        targetId: item.id,
        after: { assetId: row.id, sourceName: source.sourceName, bytes: source.bytes },
      });
      return { ...row, jobId };
    });
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
    await this.#deps.storage.put(storageKey, createReadStream(options.path));
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

  /** The `media.transcode` job. Idempotent: a retry starts over from the stored source. */
  async transcode(
    job: RunningJob<{ assetId: string }>,
    options: { onProgress?: (percent: number) => void } = {},
  ): Promise<void> {
    const { storage, config, logger } = this.#deps;
    const found = await this.assets.find(job.payload.assetId);
    if (!found || found.status === 'ready' || found.status === 'cancelled') return;
    // A package an earlier attempt was uploading when it died: never pointed at, so never served.
    if (found.packagePrefix) await storage.deletePrefix(found.packagePrefix);
    const moved = await this.assets.transition({
      id: found.id,
      from: ['queued', 'processing', 'failed'],
      set: {
        status: 'processing',
        progress: 0,
        attempts: found.attempts + 1,
        jobId: job.id,
        packagePrefix: null,
        startedAt: new Date(),
        failureCode: null,
        failureReason: null,
      },
    });
    if (!moved) return;
    const asset = { ...found, status: 'processing' };
    const cancelled = new AbortController();
    const signal = AbortSignal.any([job.signal, cancelled.signal]);
    // A directory per attempt. A worker killed with SIGKILL leaves its ffmpeg running (it ignores
    // SIGPIPE, so losing its progress pipe doesn't stop it): that orphan must not write segments
    // and playlists into the retry's files. Removing the asset's directory makes the orphan's next
    // segment fail to open, which ends it.
    const assetDir = path.join(config.workDir, asset.id);
    const workDir = path.join(assetDir, `attempt-${found.attempts + 1}`);
    await rm(assetDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    let settleProgress = async () => {};
    try {
      const sourcePath = path.join(workDir, `source${path.extname(asset.sourceName).slice(0, 10)}`);
      await this.#download(asset.sourceKey, sourcePath);
      const subtitles = [];
      for (const [index, subtitle] of (asset.subtitles as unknown as SubtitleSource[]).entries()) {
        const subtitlePath = path.join(workDir, `subtitle-${index}${path.extname(subtitle.storageKey)}`);
        await this.#download(subtitle.storageKey, subtitlePath);
        subtitles.push({ path: subtitlePath, language: subtitle.language, label: subtitle.label });
      }
      const reporter = this.#progressReporter(asset, cancelled);
      settleProgress = reporter.settled;
      const progress = (percent: number) => {
        reporter.report(percent);
        options.onProgress?.(percent);
      };
      const result = await transcodeToEncryptedHls({
        sourcePath,
        workDir,
        subtitles,
        signal,
        onProgress: progress,
        options: {
          ffmpegPath: config.ffmpegPath,
          ffprobePath: config.ffprobePath,
          rungs: config.rungs,
          audioBitrateKbps: config.audioBitrateKbps,
          preset: config.preset,
          threads: config.threads,
          segmentSeconds: config.segmentSeconds,
          keyRotationSegments: config.keyRotationSegments,
        },
      });
      signal.throwIfAborted();
      const prefix = `media/${asset.itemId}/${asset.id}/${Date.now().toString(36)}/`;
      // Remember the prefix before writing to it, so a crash mid-upload leaves a record to clean.
      await this.assets.transition({ id: asset.id, from: ['processing'], set: { packagePrefix: prefix } });
      await this.#upload(result.outputDir, result.files, prefix, signal);
      await settleProgress();
      const finished = await this.#deps.db.transaction().execute(async (trx) => {
        const current = await this.assets.find(asset.id, trx);
        if (current?.status !== 'processing') return false;
        await this.assets.recordPackage(trx, {
          asset,
          result,
          prefix,
          masterKey: this.#deps.masterKey,
        });
        return true;
      });
      if (!finished) {
        await storage.deletePrefix(prefix);
        return;
      }
      await this.#deps.items.setVideoStatus(asset.itemId, 'ready');
      await this.#publish('TranscodeFinished', { ...asset, status: 'ready', progress: 100 });
      logger.info(
        { assetId: asset.id, itemId: asset.itemId, files: result.files.length },
        'transcode finished',
      );
    } catch (error) {
      await settleProgress();
      await this.#failed(asset, job, error, cancelled.signal.aborted);
    } finally {
      await rm(assetDir, { recursive: true, force: true });
    }
  }

  async cancel(id: string, context: RequestContext): Promise<AssetRow> {
    const asset = await this.#require(id);
    const moved = await this.assets.transition({
      id,
      from: ['queued', 'processing'],
      set: { status: 'cancelled', finishedAt: new Date() },
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
    await this.#deps.db.transaction().execute(async (trx) => {
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

  async #require(id: string): Promise<AssetRow> {
    const asset = await this.assets.find(id);
    if (!asset) throw AssetNotFound();
    return asset;
  }

  async #download(key: string, target: string): Promise<void> {
    const object = await this.#deps.storage.get(key);
    await pipeline(object.body, createWriteStream(target));
  }

  async #upload(dir: string, files: readonly string[], prefix: string, signal: AbortSignal): Promise<void> {
    const queue = [...files];
    const worker = async () => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        signal.throwIfAborted();
        await this.#deps.storage.put(
          `${prefix}${file.split(path.sep).join('/')}`,
          createReadStream(path.join(dir, file)),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, files.length) }, worker));
  }

  /**
   * Progress to the database (at most once a second) and the pub/sub port. A write that finds
   * the asset no longer processing means an admin cancelled it: abort ffmpeg.
   */
  #progressReporter(
    asset: AssetRow,
    cancelled: AbortController,
  ): { report: (percent: number) => void; settled: () => Promise<void> } {
    let lastWrite = 0;
    let writing: Promise<void> | undefined;
    return {
      report: (percent) => {
        const now = Date.now();
        if (writing || now - lastWrite < 1000) return;
        lastWrite = now;
        writing = this.assets
          .transition({ id: asset.id, from: ['processing'], set: { progress: percent } })
          .then(async (moved) => {
            if (!moved) cancelled.abort();
            else await this.#publish('TranscodeProgressed', { ...asset, progress: percent });
          })
          .catch((error: unknown) =>
            this.#deps.logger.warn({ err: error }, 'could not record transcode progress'),
          )
          .finally(() => {
            writing = undefined;
          });
      },
      // Awaited before the job's outcome is recorded, so no late progress lands after it.
      settled: async () => {
        await writing;
      },
    };
  }

  async #failed(
    asset: AssetRow,
    job: RunningJob<unknown>,
    error: unknown,
    cancelledByAdmin: boolean,
  ): Promise<void> {
    if (cancelledByAdmin) return;
    const code = error instanceof AppError ? error.code : 'MEDIA_TRANSCODE_FAILED';
    const reason =
      error instanceof AppError && typeof error.extensions['reason'] === 'string'
        ? error.extensions['reason']
        : error instanceof Error
          ? error.message
          : String(error);
    const retryLimit = this.#deps.queue.catalog['media.transcode'].retryLimit;
    const final = PERMANENT.has(code) || job.attempt >= retryLimit;
    if (job.signal.aborted && !final) {
      // The worker is stopping: the job goes back to the queue and runs again from the start.
      await this.assets.transition({ id: asset.id, from: ['processing'], set: { status: 'queued' } });
      throw error;
    }
    await this.assets.transition({
      id: asset.id,
      from: ['processing'],
      set: {
        status: final ? 'failed' : 'queued',
        failureCode: code,
        failureReason: reason.slice(0, 2000),
        ...(final && { finishedAt: new Date() }),
      },
    });
    this.#deps.logger.warn({ assetId: asset.id, code, reason, final }, 'transcode failed');
    if (!final) throw error;
    await this.#settleItemAfterStop(asset.itemId);
    await this.#publish('TranscodeFailed', { ...asset, status: 'failed' }, reason);
  }

  /** After a failed or cancelled transcode, an item with no playable package goes back to draft. */
  async #settleItemAfterStop(itemId: string): Promise<void> {
    const current = await this.assets.current(itemId);
    await this.#deps.items.setVideoStatus(itemId, current ? 'ready' : 'draft');
  }

  async #publish(type: MediaEvent['type'], asset: AssetRow, reason?: string): Promise<void> {
    const event: MediaEvent = {
      type,
      assetId: asset.id,
      itemId: asset.itemId,
      status: asset.status as AssetStatus,
      progress: asset.progress,
      ...(reason !== undefined && { reason }),
    };
    await this.#deps.pubsub
      .publish(MEDIA_EVENTS_CHANNEL, event)
      .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'could not publish a media event'));
  }
}

/** A MediaService on the given ports, with its master key and audit log (API, worker and CLI alike). */
export async function createMediaService(
  deps: Omit<MediaServiceDeps, 'masterKey' | 'audit'>,
): Promise<{ media: MediaService; masterKey: Buffer }> {
  const masterKey = await loadMasterKey(deps.config);
  return { media: new MediaService({ ...deps, masterKey, audit: new AuditLog(deps.db) }), masterKey };
}
