import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MediaTools } from './media-tools.ts';

/**
 * Scene changes of a video, found by ffmpeg's `scdet` filter (FFmpeg ≥ 4.4; this project runs
 * 5.1): candidate ad cue points, since a break at a hard cut interrupts no shot. Pure argument
 * building and parsing, table-tested; `detectSceneChanges` is the thin runner.
 * https://ffmpeg.org/ffmpeg-filters.html#scdet
 */

export interface SceneChange {
  /** Seconds into the video of the first frame of the new scene. */
  seconds: number;
  /** scdet's score, 0–100: how different the frame is from the one before. */
  score: number;
}

/** scdet's default: a score above 10 is a scene change. */
export const DEFAULT_SCENE_THRESHOLD = 10;
/** Frames are scaled to this width first: a scene score needs no detail, and decoding dominates. */
export const SCENE_ANALYSIS_WIDTH = 320;

/** Paths go into a filter graph option: only characters that need no filter-graph escaping. */
const SAFE_PATH = /^[\w./-]+$/;

/**
 * ffmpeg arguments that read the first video stream of `input` and write one block per scene
 * change (`frame:… pts_time:…` then `lavfi.scd.score=…`, `lavfi.scd.time=…`) to `metadataFile`,
 * by the metadata filter; nothing else is encoded (`-f null`).
 */
export function buildSceneDetectArgs(options: {
  input: string;
  metadataFile: string;
  threshold?: number;
}): string[] {
  const threshold = options.threshold ?? DEFAULT_SCENE_THRESHOLD;
  if (!(threshold > 0 && threshold <= 100))
    throw new RangeError(`scene threshold ${threshold} not in (0, 100]`);
  if (!SAFE_PATH.test(options.metadataFile))
    throw new RangeError(`metadata file path ${options.metadataFile} needs filter-graph escaping`);
  const filters = [
    `scale=${SCENE_ANALYSIS_WIDTH}:-2`,
    // sc_pass: only the frames where a scene changes go on, so the metadata lists just those.
    `scdet=threshold=${threshold}:sc_pass=1`,
    `metadata=mode=print:file=${options.metadataFile}`,
  ];
  return [
    ...['-hide_banner', '-nostats', '-loglevel', 'error', '-nostdin'],
    ...['-i', options.input],
    ...['-map', '0:v:0', '-an', '-sn', '-dn'],
    ...['-vf', filters.join(',')],
    ...['-f', 'null', '-'],
  ];
}

/** The metadata filter's printout: one scene change per frame block that carries scdet's time. */
export function parseSceneChanges(text: string): SceneChange[] {
  const changes: SceneChange[] = [];
  let score: number | undefined;
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split('=', 2);
    if (key?.startsWith('frame:')) score = undefined;
    else if (key === 'lavfi.scd.score') score = Number(value);
    else if (key === 'lavfi.scd.time') {
      const seconds = Number(value);
      if (Number.isFinite(seconds) && seconds >= 0)
        changes.push({ seconds, score: Number.isFinite(score) ? score! : 0 });
    }
  }
  return changes.sort((a, b) => a.seconds - b.seconds);
}

/**
 * Cue points to propose from scene changes: none in the first `leadSeconds` or the last
 * `tailSeconds` (the opening and the credits), and no two closer than `minGapSeconds` — the
 * stronger cut wins. Seconds rounded to the millisecond, in order.
 */
export function proposeCuePoints(options: {
  changes: readonly SceneChange[];
  durationSeconds: number;
  minGapSeconds: number;
  leadSeconds: number;
  tailSeconds: number;
}): number[] {
  const { durationSeconds, minGapSeconds } = options;
  const inside = options.changes.filter(
    (change) =>
      change.seconds >= options.leadSeconds && change.seconds <= durationSeconds - options.tailSeconds,
  );
  const strongestFirst = [...inside].sort((a, b) => b.score - a.score || a.seconds - b.seconds);
  const kept: number[] = [];
  for (const change of strongestFirst) {
    if (kept.every((seconds) => Math.abs(seconds - change.seconds) >= minGapSeconds))
      kept.push(change.seconds);
  }
  return kept.map((seconds) => Math.round(seconds * 1000) / 1000).sort((a, b) => a - b);
}

/** Runs scene detection on a local file; the metadata goes to a file in `workDir` (which must exist). */
export async function detectSceneChanges(options: {
  tools: MediaTools;
  input: string;
  workDir: string;
  threshold?: number;
  signal?: AbortSignal;
}): Promise<SceneChange[]> {
  const metadataFile = path.join(options.workDir, 'scenes.txt');
  await options.tools.ffmpeg({
    args: buildSceneDetectArgs({ input: options.input, metadataFile, threshold: options.threshold }),
    redactPaths: [options.input, metadataFile],
    ...(options.signal && { signal: options.signal }),
  });
  // No scene change at all leaves no file behind: that is an empty list, not an error.
  const text = await readFile(metadataFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return parseSceneChanges(text);
}
