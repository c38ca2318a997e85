import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { detectSceneChanges, proposeCuePoints, type MediaTools } from '../media/index.ts';
import type { CampaignsRepository } from './campaigns.repository.ts';

/** The video an item plays now, as media stores it (media's answer). */
export interface ItemSource {
  storageKey: string;
  sourceName: string;
  durationSeconds: number | null;
}

export interface CueDetectionDeps {
  repository: CampaignsRepository;
  storage: Storage;
  tools: MediaTools;
  clock: Clock;
  logger: Logger;
  /** Media's source of the item's current (transcoded) video; undefined when it has none. */
  sourceOf: (itemId: string) => Promise<ItemSource | undefined>;
}

/** Proposals leave the opening alone, the credits too, and keep breaks at least a minute apart. */
export const PROPOSAL_RULES = { leadSeconds: 10, tailSeconds: 30, minGapSeconds: 60 } as const;

/**
 * The `ads.detect-cue-points` job: the item's uploaded source is fetched from storage, ffmpeg's
 * scdet finds its scene changes (media's scene-changes.ts), and the cuts that make good breaks
 * are stored as the item's proposed cue points. Nothing becomes a cue point until an admin puts
 * them. A detection that fails is recorded as failed with its reason (the admin may ask again);
 * the job is not retried, since the same file fails the same way.
 */
export class CueDetection {
  readonly #deps: CueDetectionDeps;

  constructor(deps: CueDetectionDeps) {
    this.#deps = deps;
  }

  async run(payload: { itemId: string; threshold: number }, signal?: AbortSignal): Promise<void> {
    const { itemId } = payload;
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-cues-'));
    try {
      const source = await this.#deps.sourceOf(itemId);
      if (!source) throw new Error('the item has no transcoded video');
      const input = path.join(workDir, `source${path.extname(source.sourceName).slice(0, 10)}`);
      const object = await this.#deps.storage.get(source.storageKey);
      await pipeline(object.body, createWriteStream(input), ...(signal ? [{ signal }] : []));
      const changes = await detectSceneChanges({
        tools: this.#deps.tools,
        input,
        workDir,
        threshold: payload.threshold,
        ...(signal && { signal }),
      });
      const proposed = proposeCuePoints({
        changes,
        durationSeconds: source.durationSeconds ?? Math.max(0, ...changes.map((change) => change.seconds)),
        ...PROPOSAL_RULES,
      });
      await this.#deps.repository.finishCueDetection(
        itemId,
        { status: 'ready', proposed },
        this.#deps.clock.now(),
      );
      this.#deps.logger.info(
        { itemId, changes: changes.length, proposed: proposed.length },
        'cue points proposed',
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      const failure = error instanceof Error ? error.message : String(error);
      await this.#deps.repository.finishCueDetection(
        itemId,
        { status: 'failed', failure },
        this.#deps.clock.now(),
      );
      this.#deps.logger.warn({ itemId, failure }, 'cue point detection failed');
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}
