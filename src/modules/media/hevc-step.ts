import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { encodedPlaylistPath } from './ffmpeg-args.ts';
import { buildHevcEncodeArgs } from './hevc-args.ts';
import { chooseHevcRenditions, DEFAULT_HEVC_MODE } from './hevc.ts';
import type { Ladder, VideoRendition } from './ladder.ts';
import { readTsVideoInfo } from './mpeg-ts.ts';
import { parseMediaPlaylist } from './playlists.ts';
import type { MediaProbe } from './probe.ts';
import type { StepContext } from './transcode.ts';

/**
 * The transcode's HEVC step (see transcodeToEncryptedHls): after the rungs are settled, the kept
 * top rungs (1080p and 2160p) are encoded once more with x265 as fMP4. Only kept rungs: a rung
 * that measured no better than the one below gets no HEVC copy either.
 */
export async function encodeHevcRenditions(
  step: StepContext,
  plan: { probe: MediaProbe; ladder: Ladder; onProgress: (percent: number) => void },
): Promise<VideoRendition[]> {
  const renditions = chooseHevcRenditions({
    ladder: plan.ladder,
    mode: step.options.hevc ?? DEFAULT_HEVC_MODE,
  });
  if (renditions.length === 0) return [];
  step.signal?.throwIfAborted();
  const firstPts = await firstVideoPts(step.encodedDir, plan.ladder.video[0]!.name);
  await step.tools.ffmpeg({
    args: buildHevcEncodeArgs({
      sourcePath: step.sourcePath,
      probe: plan.probe,
      ladder: plan.ladder,
      renditions,
      outputDir: step.encodedDir,
      segmentSeconds: step.segmentSeconds,
      timeOffsetSeconds: firstPts / 90_000,
      preset: step.options.hevcPreset ?? step.options.preset ?? 'veryfast',
      threads: step.options.threads ?? 0,
    }),
    durationSeconds: plan.probe.durationSeconds,
    signal: step.signal,
    onProgress: plan.onProgress,
    redactPaths: step.redactPaths,
  });
  return renditions;
}

/** The first video PTS (90 kHz) of an H.264 rendition's first MPEG-TS segment. */
async function firstVideoPts(encodedDir: string, rendition: string): Promise<number> {
  const playlist = encodedPlaylistPath({ outputDir: encodedDir, rendition });
  const [first] = parseMediaPlaylist(await readFile(playlist, 'utf8'));
  if (!first) return 0;
  const handle = await open(path.join(path.dirname(playlist), first.uri), 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return readTsVideoInfo(buffer.subarray(0, bytesRead - (bytesRead % 188)))?.firstPts ?? 0;
  } finally {
    await handle.close();
  }
}
