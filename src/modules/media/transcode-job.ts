import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../../config/config.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { RunningJob } from '../../platform/queue/queue.port.ts';
import { ObjectNotFound, type Storage } from '../../platform/storage/storage.port.ts';
import { AppError } from '../../shared/errors.ts';
import { openFileStream } from '../../shared/file-stream.ts';
import type { PlayableItems } from '../catalog/index.ts';
import { subtitleSourcesSchema, type AssetRow, type AssetsRepository } from './assets.repository.ts';
import type { PublishMediaEvent } from './media-events.ts';
import type { MediaKeys } from './media-keys.ts';
import type { MediaTools } from './media-tools.ts';
import { MediaUnreadable } from './media.errors.ts';
import { transcodeToEncryptedHls, type SubtitleInput, type TranscodeResult } from './transcode.ts';

/** Errors that no retry will fix: the source itself is unusable. */
const PERMANENT = new Set(['MEDIA_UNREADABLE', 'MEDIA_NOT_A_VIDEO', 'MEDIA_SUBTITLE_UNREADABLE']);
const UPLOAD_CONCURRENCY = 8;
/**
 * A claim lapses this long after its runner last renewed it (every third of it). Short, so the
 * retry of a killed worker's job takes over soon; long enough that a busy event loop never loses it.
 */
export const CLAIM_LEASE_SECONDS = 30;

export interface TranscodeJobDeps {
  assets: AssetsRepository;
  keys: MediaKeys;
  transactor: Transactor;
  storage: Storage;
  tools: MediaTools;
  queue: AppQueue;
  items: PlayableItems;
  clock: Clock;
  logger: Logger;
  publish: PublishMediaEvent;
  config: Config['media'];
}

export interface TranscodeRunOptions {
  onProgress?: (percent: number) => void;
  /** Who claims the asset (default: this host and process, and a random id). */
  owner?: string;
  /**
   * When another runner holds the asset: send this job again for when its lease would lapse (a
   * queue worker), or just return (a caller that waits and asks again itself, like seed-demo).
   */
  whenHeld?: 'reschedule' | 'return';
}

/** One claimed transcode: the asset, its claim and where its files go. */
interface Claimed {
  asset: AssetRow;
  owner: string;
  /** `<workDir>/<asset>`: removed before and after, which also ends an orphaned ffmpeg's writes. */
  assetDir: string;
  workDir: string;
  signal: AbortSignal;
  /** Aborted when the claim is lost: an admin cancelled, or the lease lapsed and another took it. */
  lost: AbortController;
}

/**
 * The `media.transcode` job in named steps: claim → fetch source → transcode (probe, decide the
 * ladder, encode, package and encrypt: transcode.ts) → publish → clean up. Every step after the
 * claim runs only while this runner holds it, so two runners of one asset never share files, and
 * every file, stream and process error ends as the job's failure, never as an unhandled event.
 */
export class TranscodeJob {
  readonly #deps: TranscodeJobDeps;

  constructor(deps: TranscodeJobDeps) {
    this.#deps = deps;
  }

  /** Idempotent: a finished asset is left alone, and a retry starts over from the stored source. */
  async run(job: RunningJob<{ assetId: string }>, options: TranscodeRunOptions = {}): Promise<void> {
    const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID()}`;
    const claimed = await this.#claim(job, owner, options.whenHeld ?? 'reschedule');
    if (!claimed) return;
    const lease = this.#keepClaim(claimed);
    const progress = this.#progressReporter(claimed, options.onProgress);
    try {
      const sources = await this.#fetchSource(claimed);
      const result = await transcodeToEncryptedHls({
        ...sources,
        workDir: claimed.workDir,
        tools: this.#deps.tools,
        signal: claimed.signal,
        onProgress: progress.report,
        options: this.#transcodeOptions(),
      });
      claimed.signal.throwIfAborted();
      await progress.settled();
      await this.#publishPackage(claimed, result);
    } catch (error) {
      await progress.settled();
      await this.#failed(claimed, job, error);
    } finally {
      clearInterval(lease);
      await this.#cleanup(claimed);
    }
  }

  /**
   * Claim: one UPDATE takes the asset, or finds it held. A runner holding a live lease is left to
   * finish; this job is sent again for when that lease would lapse, so if its holder died the
   * asset is still transcoded, and if not the later job finds it ready and does nothing.
   */
  async #claim(
    job: RunningJob<{ assetId: string }>,
    owner: string,
    whenHeld: 'reschedule' | 'return',
  ): Promise<Claimed | undefined> {
    const { assets, storage, clock, config, logger, queue } = this.#deps;
    const assetId = job.payload.assetId;
    const asset = await assets.claim({
      id: assetId,
      owner,
      jobId: job.id,
      leaseSeconds: CLAIM_LEASE_SECONDS,
    });
    if (!asset) {
      const current = await assets.find(assetId);
      if (whenHeld === 'reschedule' && current?.status === 'processing' && current.claimExpiresAt) {
        const lapsesIn = (current.claimExpiresAt.getTime() - clock.now().getTime()) / 1000;
        const startAfterSeconds = Math.max(1, Math.ceil(lapsesIn) + 1);
        await queue.send('media.transcode', { assetId }, { startAfterSeconds });
        logger.info(
          { assetId, jobId: job.id, heldBy: current.claimedBy, startAfterSeconds },
          'transcode held by another runner: backing off',
        );
      }
      return undefined;
    }
    // A package an earlier attempt was uploading when it died: never pointed at, so never served.
    if (asset.packagePrefix) {
      await storage.deletePrefix(asset.packagePrefix);
      await assets.transition({ id: asset.id, from: ['processing'], owner, set: { packagePrefix: null } });
    }
    const lost = new AbortController();
    // A directory per attempt (attempts only grow, one claim each). A worker killed with SIGKILL
    // leaves its ffmpeg running (it ignores SIGPIPE, so losing its progress pipe doesn't stop it):
    // that orphan must not write into the retry's files. Removing the asset's directory makes the
    // orphan's next segment fail to open, which ends it.
    const assetDir = path.join(config.workDir, asset.id);
    const workDir = path.join(assetDir, `attempt-${asset.attempts}`);
    await rm(assetDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    return { asset, owner, assetDir, workDir, lost, signal: AbortSignal.any([job.signal, lost.signal]) };
  }

  /** Renews the lease while the job runs; a renewal that finds the claim gone stops the job. */
  #keepClaim(claimed: Claimed): NodeJS.Timeout {
    const timer = setInterval(
      () => {
        this.#deps.assets
          .renewClaim({ id: claimed.asset.id, owner: claimed.owner, leaseSeconds: CLAIM_LEASE_SECONDS })
          .then((held) => {
            if (!held) claimed.lost.abort();
          })
          .catch((error: unknown) =>
            this.#deps.logger.warn({ err: error }, 'could not renew a transcode claim'),
          );
      },
      (CLAIM_LEASE_SECONDS * 1000) / 3,
    );
    timer.unref();
    return timer;
  }

  /** Fetch source: the upload and its subtitles, from storage into the attempt's directory. */
  async #fetchSource(claimed: Claimed): Promise<{ sourcePath: string; subtitles: SubtitleInput[] }> {
    const { asset, workDir } = claimed;
    const sourcePath = path.join(workDir, `source${path.extname(asset.sourceName).slice(0, 10)}`);
    await this.#download(asset.sourceKey, sourcePath, 'source');
    const subtitles: SubtitleInput[] = [];
    for (const [index, subtitle] of subtitleSourcesSchema.parse(asset.subtitles).entries()) {
      const subtitlePath = path.join(workDir, `subtitle-${index}${path.extname(subtitle.storageKey)}`);
      await this.#download(subtitle.storageKey, subtitlePath, `subtitle ${subtitle.label}`);
      subtitles.push({ path: subtitlePath, language: subtitle.language, label: subtitle.label });
    }
    return { sourcePath, subtitles };
  }

  async #download(key: string, target: string, what: string): Promise<void> {
    try {
      const object = await this.#deps.storage.get(key);
      await pipeline(object.body, createWriteStream(target));
    } catch (error) {
      if (ObjectNotFound.is(error)) {
        const reason = `the uploaded ${what} is no longer in storage`;
        throw MediaUnreadable(reason, { reason });
      }
      throw error;
    }
  }

  #transcodeOptions() {
    const { config } = this.#deps;
    return {
      rungs: config.rungs,
      audioBitrateKbps: config.audioBitrateKbps,
      ladderMode: config.ladderMode,
      crf: config.crf,
      minSsimGain: config.minSsimGain,
      qualitySampleFrames: config.qualitySampleFrames,
      preset: config.preset,
      hevc: config.hevc,
      hevcPreset: config.hevcPreset,
      threads: config.threads,
      segmentSeconds: config.segmentSeconds,
      keyRotationSegments: config.keyRotationSegments,
    };
  }

  /**
   * Publish: upload under a fresh prefix, then — in one transaction, and only while the claim
   * holds — renditions, wrapped keys, the asset's state and the item's pointer.
   */
  async #publishPackage(claimed: Claimed, result: TranscodeResult): Promise<void> {
    const { assets, keys, storage, transactor, items, logger } = this.#deps;
    const { asset, owner, signal } = claimed;
    const prefix = `media/${asset.itemId}/${asset.id}/${this.#deps.clock.now().getTime().toString(36)}/`;
    // Remember the prefix before writing to it, so a crash mid-upload leaves a record to clean.
    const held = await assets.transition({
      id: asset.id,
      from: ['processing'],
      owner,
      set: { packagePrefix: prefix },
    });
    if (!held) claimed.lost.abort();
    signal.throwIfAborted();
    const finished = await (async () => {
      await this.#upload(result.outputDir, result.files, prefix, signal);
      return transactor.run(async (trx) => {
        if (!(await assets.recordPackage(trx, { asset, result, prefix, owner }))) return false;
        await keys.store({ assetId: asset.id, keys: result.manifest.keys }, trx);
        return true;
      });
    })().catch(async (error: unknown) => {
      // Never pointed at, so never served: what was uploaded goes at once.
      await storage.deletePrefix(prefix).catch(() => undefined);
      throw error;
    });
    if (!finished) {
      await storage.deletePrefix(prefix);
      return;
    }
    await items.setVideoStatus(asset.itemId, 'ready');
    await this.#deps.publish('TranscodeFinished', { ...asset, status: 'ready', progress: 100 });
    logger.info(
      { assetId: asset.id, itemId: asset.itemId, files: result.files.length },
      'transcode finished',
    );
  }

  /** Uploads the package's files, a few at once; the first failure stops the rest before it throws. */
  async #upload(dir: string, files: readonly string[], prefix: string, signal: AbortSignal): Promise<void> {
    const queue = [...files];
    const failed = new AbortController();
    const stop = AbortSignal.any([signal, failed.signal]);
    const worker = async () => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        stop.throwIfAborted();
        const body = await openFileStream(path.join(dir, file));
        try {
          await this.#deps.storage.put(`${prefix}${file.split(path.sep).join('/')}`, body);
        } finally {
          body.destroy();
        }
      }
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: Math.min(UPLOAD_CONCURRENCY, files.length) }, () =>
        worker().catch((error: unknown) => {
          failed.abort(error);
          throw error;
        }),
      ),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** Clean up: the attempt's files, whatever happened. */
  async #cleanup(claimed: Claimed): Promise<void> {
    await rm(claimed.assetDir, { recursive: true, force: true });
  }

  /**
   * Progress to the database (at most once a second) and the pub/sub port. A write that finds
   * the claim gone (an admin cancelled) aborts ffmpeg.
   */
  #progressReporter(claimed: Claimed, listener: ((percent: number) => void) | undefined) {
    const { asset, owner, lost } = claimed;
    let lastWrite = Number.NEGATIVE_INFINITY;
    let writing: Promise<void> | undefined;
    return {
      report: (percent: number) => {
        listener?.(percent);
        const now = performance.now();
        if (writing || now - lastWrite < 1000) return;
        lastWrite = now;
        writing = this.#deps.assets
          .transition({ id: asset.id, from: ['processing'], owner, set: { progress: percent } })
          .then(async (moved) => {
            if (!moved) lost.abort();
            else await this.#deps.publish('TranscodeProgressed', { ...asset, progress: percent });
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

  async #failed(claimed: Claimed, job: RunningJob<unknown>, error: unknown): Promise<void> {
    const { assets, queue, logger, clock } = this.#deps;
    const { asset, owner } = claimed;
    // Cancelled by an admin, or the claim passed to another runner: the outcome is theirs to record.
    if (claimed.lost.signal.aborted) return;
    const code = error instanceof AppError ? error.code : 'MEDIA_TRANSCODE_FAILED';
    const reason =
      error instanceof AppError && typeof error.extensions['reason'] === 'string'
        ? error.extensions['reason']
        : error instanceof Error
          ? error.message
          : String(error);
    const final = PERMANENT.has(code) || job.attempt >= queue.catalog['media.transcode'].retryLimit;
    const release = { claimedBy: null, claimExpiresAt: null };
    if (job.signal.aborted && !final) {
      // The worker is stopping: the job goes back to the queue and runs again from the start.
      await assets.transition({
        id: asset.id,
        from: ['processing'],
        owner,
        set: { status: 'queued', ...release },
      });
      throw error;
    }
    await assets.transition({
      id: asset.id,
      from: ['processing'],
      owner,
      set: {
        status: final ? 'failed' : 'queued',
        failureCode: code,
        failureReason: reason.slice(0, 2000),
        ...release,
        ...(final && { finishedAt: clock.now() }),
      },
    });
    logger.warn({ assetId: asset.id, code, reason, final }, 'transcode failed');
    if (!final) throw error;
    const current = await assets.current(asset.itemId);
    await this.#deps.items.setVideoStatus(asset.itemId, current ? 'ready' : 'draft');
    await this.#deps.publish('TranscodeFailed', { ...asset, status: 'failed' }, reason);
  }
}
