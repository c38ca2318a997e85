import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildQualityArgs, encodedPlaylistPath } from './ffmpeg-args.ts';
import {
  DEFAULT_LADDER_MODE,
  DEFAULT_MIN_SSIM_GAIN,
  dropIndistinctRungs,
  type Ladder,
  type VideoRendition,
} from './ladder.ts';
import type { MediaProbe } from './probe.ts';
import {
  DEFAULT_QUALITY_SAMPLE_FRAMES,
  parsePsnrStats,
  parseSsimStats,
  qualitySampleStep,
  type RenditionQuality,
} from './rendition-quality.ts';
import type { StepContext, TranscodeOptions } from './transcode.ts';

/** The transcode's quality step (see transcodeToEncryptedHls), and the rung dropping it informs. */

/**
 * Quality: SSIM and PSNR of encoded renditions against the source, on a sample of frames (one
 * ffmpeg: the source decoded once, each rendition once; decodes, not encodes). Run for the H.264
 * rungs, and again for the HEVC copies once they are encoded (their playlists are fMP4, which
 * ffmpeg's HLS demuxer reads as it reads MPEG-TS).
 */
export async function measureQuality(
  step: StepContext,
  plan: {
    probe: MediaProbe;
    ladder: Ladder;
    renditions: readonly VideoRendition[];
    onProgress: (percent: number) => void;
  },
): Promise<Map<string, RenditionQuality>> {
  const { probe, ladder } = plan;
  const dir = path.join(step.encodedDir, 'quality');
  await mkdir(dir, { recursive: true });
  const sampleStep = qualitySampleStep({
    durationSeconds: probe.durationSeconds,
    fps: ladder.fps,
    sampleFrames: step.options.qualitySampleFrames ?? DEFAULT_QUALITY_SAMPLE_FRAMES,
  });
  const files = plan.renditions.map((rendition) => ({
    name: rendition.name,
    playlist: encodedPlaylistPath({ outputDir: step.encodedDir, rendition: rendition.name }),
    ssimStatsPath: path.join(dir, `${rendition.name}.ssim.log`),
    psnrStatsPath: path.join(dir, `${rendition.name}.psnr.log`),
  }));
  await step.tools.ffmpeg({
    args: buildQualityArgs({ sourcePath: step.sourcePath, probe, ladder, renditions: files, sampleStep }),
    durationSeconds: probe.durationSeconds,
    signal: step.signal,
    onProgress: plan.onProgress,
    redactPaths: step.redactPaths,
  });
  const scores = new Map<string, RenditionQuality>();
  for (const file of files) {
    const ssim = parseSsimStats(await readFile(file.ssimStatsPath, 'utf8'));
    const psnr = parsePsnrStats(await readFile(file.psnrStatsPath, 'utf8'));
    scores.set(file.name, { ssim: ssim.ssim, psnr: psnr.psnr, frames: ssim.frames });
  }
  return scores;
}

/** Content-aware: the rungs that measured no better than the one below are not packaged. */
export function keepDistinctRungs(options: {
  ladder: Ladder;
  scores: ReadonlyMap<string, RenditionQuality>;
  options: TranscodeOptions;
}): { ladder: Ladder; dropped: Ladder['video'] } {
  const { ladder, scores } = options;
  if ((options.options.ladderMode ?? DEFAULT_LADDER_MODE) !== 'content-aware') return { ladder, dropped: [] };
  const { kept, dropped } = dropIndistinctRungs({
    renditions: ladder.video.map((rendition) => ({ ...rendition, ssim: scores.get(rendition.name)!.ssim })),
    minSsimGain: options.options.minSsimGain ?? DEFAULT_MIN_SSIM_GAIN,
  });
  const keptNames = new Set(kept.map((rendition) => rendition.name));
  const droppedNames = new Set(dropped.map((rendition) => rendition.name));
  return {
    ladder: { ...ladder, video: ladder.video.filter((rendition) => keptNames.has(rendition.name)) },
    dropped: ladder.video.filter((rendition) => droppedNames.has(rendition.name)),
  };
}
