import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { RunningJob } from '../../platform/queue/queue.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { openFileStream } from '../../shared/file-stream.ts';
import { AppError } from '../../shared/errors.ts';
import { chooseLadder, type MediaTools } from '../media/index.ts';
import { CreativeAlreadyUploaded, CreativeNotFound, CreativeTooLong } from './ads.errors.ts';
import type { CampaignsRepository, CreativeRow } from './campaigns.repository.ts';
import {
  buildCreativeArgs,
  creativeOutputs,
  CREATIVE_RUNGS,
  MAX_CREATIVE_SECONDS,
} from './creative-encode.ts';

export interface CreativesServiceDeps {
  repository: CampaignsRepository;
  transactor: Transactor;
  storage: Storage;
  queue: AppQueue;
  tools: MediaTools;
  clock: Clock;
  logger: Logger;
  /** Tells every instance's campaign cache (a creative became ready). */
  changed: () => Promise<void>;
  preset: string;
}

export const creativeFolder = (creativeId: string) => `ads/creatives/${creativeId}`;

/**
 * A creative's video: uploaded once, probed with the media pipeline's probe (a file that is not
 * a video is refused before anything is stored), stored, and transcoded by the
 * `ads.transcode-creative` job into a small MP4 set sized by the pipeline's ladder.
 */
export class CreativesService {
  readonly #deps: CreativesServiceDeps;

  constructor(deps: CreativesServiceDeps) {
    this.#deps = deps;
  }

  async uploadVideo(creativeId: string, body: Readable): Promise<CreativeRow> {
    const { repository, storage } = this.#deps;
    const creative = await repository.findCreative(creativeId);
    if (!creative) throw CreativeNotFound();
    if (creative.status !== 'awaiting_upload' && creative.status !== 'failed')
      throw CreativeAlreadyUploaded();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-creative-'));
    try {
      const source = path.join(dir, 'source');
      await pipeline(body, createWriteStream(source));
      const probe = await this.#deps.tools.probe({ path: source });
      if (probe.durationSeconds > MAX_CREATIVE_SECONDS)
        throw CreativeTooLong(`This video lasts ${Math.round(probe.durationSeconds)} s`);
      const sourceKey = `${creativeFolder(creativeId)}/source`;
      const stream = await openFileStream(source);
      try {
        await storage.put(sourceKey, stream);
      } finally {
        stream.destroy();
      }
      return await this.#deps.transactor.run(async (trx) => {
        const updated = await repository.updateCreative(
          creativeId,
          { status: 'processing', sourceKey, failure: null, updatedAt: this.#deps.clock.now() },
          trx,
        );
        if (!updated) throw CreativeNotFound();
        await this.#deps.queue.send('ads.transcode-creative', { creativeId }, { transaction: trx });
        return updated;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The `ads.transcode-creative` job: idempotent (a ready creative is left alone). */
  async transcode(job: RunningJob<{ creativeId: string }>): Promise<void> {
    const { repository, storage, tools } = this.#deps;
    const creative = await repository.findCreative(job.payload.creativeId);
    if (!creative || creative.status !== 'processing' || !creative.sourceKey) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-creative-'));
    try {
      const source = path.join(dir, 'source');
      const object = await storage.get(creative.sourceKey);
      await pipeline(object.body, createWriteStream(source));
      const probe = await tools.probe({ path: source, signal: job.signal });
      const ladder = chooseLadder({ probe, rungs: CREATIVE_RUNGS });
      const outputDir = path.join(dir, 'out');
      await mkdir(outputDir);
      await tools.ffmpeg({
        args: buildCreativeArgs({
          input: source,
          outputDir,
          ladder,
          hasAudio: probe.audio.length > 0,
          preset: this.#deps.preset,
        }),
        durationSeconds: probe.durationSeconds,
        signal: job.signal,
        redactPaths: [dir],
      });
      job.signal.throwIfAborted();
      const written = new Set(await readdir(outputDir));
      const renditions = [];
      for (const output of creativeOutputs(ladder)) {
        if (!written.has(output.file)) throw new Error(`ffmpeg wrote no ${output.file}`);
        const key = `${creativeFolder(creative.id)}/${output.file}`;
        const stream = await openFileStream(path.join(outputDir, output.file));
        try {
          await storage.put(key, stream);
        } finally {
          stream.destroy();
        }
        renditions.push({ width: output.width, height: output.height, bitrateKbps: output.bitrateKbps, key });
      }
      await repository.updateCreative(creative.id, {
        status: 'ready',
        durationSeconds: probe.durationSeconds,
        renditions: JSON.stringify(renditions),
        updatedAt: this.#deps.clock.now(),
      });
      await this.#deps.changed();
    } catch (error) {
      // A file ffmpeg cannot read will not read on a retry either: say why and stop.
      if (error instanceof AppError && !job.signal.aborted) {
        await repository.updateCreative(creative.id, {
          status: 'failed',
          failure: `${error.code}: ${error.message}`.slice(0, 500),
          updatedAt: this.#deps.clock.now(),
        });
        this.#deps.logger.warn({ creativeId: creative.id, code: error.code }, 'ad creative transcode failed');
        return;
      }
      throw error;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
