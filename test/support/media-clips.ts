import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MediaProbe } from '../../src/modules/media/probe.ts';

/**
 * Real media for the media tests, made at test time from ffmpeg's lavfi sources (testsrc2 for
 * the picture, sine for the sound), small and short so the suite stays fast.
 */

const run = promisify(execFile);

export const ffmpegPath = process.env.FFMPEG_PATH || 'ffmpeg';
export const ffprobePath = process.env.FFPROBE_PATH || 'ffprobe';

export interface ClipOptions {
  path: string;
  width: number;
  height: number;
  seconds: number;
  fps?: number;
  /** One sine track per entry, tagged with the language (and title). */
  audio?: ReadonlyArray<{ language: string; title?: string; frequency?: number }>;
  /** Written as a display matrix, the way phones flag portrait recordings. */
  rotate?: 90 | 180 | 270;
  /** The picture (CLIP_SOURCES); the test card (testsrc2, 'medium') unless said. */
  picture?: ClipComplexity;
}

export async function makeClip(options: ClipOptions): Promise<string> {
  const { width, height, seconds, fps = 30, audio = [] } = options;
  const inputs = [
    '-f',
    'lavfi',
    ...['-t', String(seconds)],
    '-i',
    CLIP_SOURCES[options.picture ?? 'medium'](`${width}x${height}`, fps),
    ...audio.flatMap((track, i) => [
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${track.frequency ?? 440 + i * 220}:duration=${seconds}:sample_rate=48000`,
    ]),
  ];
  const metadata = audio.flatMap((track, i) => [
    `-metadata:s:a:${i}`,
    `language=${track.language}`,
    ...(track.title ? [`-metadata:s:a:${i}`, `title=${track.title}`] : []),
  ]);
  const encoded = options.rotate ? `${options.path}.unrotated.mp4` : options.path;
  await run(ffmpegPath, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...inputs,
    ...['-map', '0:v', ...audio.flatMap((_, i) => ['-map', `${i + 1}:a`])],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(fps), '-pix_fmt', 'yuv420p'],
    ...(audio.length > 0 ? ['-c:a', 'aac', '-b:a', '64k'] : []),
    ...metadata,
    encoded,
  ]);
  if (options.rotate) {
    // ffmpeg 5.1 turns the rotate tag into a display matrix only when stream-copying.
    await run(ffmpegPath, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-i',
      encoded,
      '-c',
      'copy',
      '-metadata:s:v:0',
      `rotate=${options.rotate}`,
      options.path,
    ]);
    await rm(encoded);
  }
  return options.path;
}

/**
 * Pictures of known complexity for the content-aware ladder, from lavfi sources: a slow
 * gradient (simple: nothing a small rung misses), the test card (medium: sharp edges and text),
 * a zooming Mandelbrot set with film grain (complex: detail at every scale, changing every frame).
 */
export const CLIP_SOURCES = {
  simple: (size: string, fps: number) => `gradients=size=${size}:rate=${fps}:speed=0.005`,
  medium: (size: string, fps: number) => `testsrc2=size=${size}:rate=${fps}`,
  complex: (size: string, fps: number) => `mandelbrot=size=${size}:rate=${fps},noise=alls=12:allf=t`,
} as const;
export type ClipComplexity = keyof typeof CLIP_SOURCES;

/** A near-lossless video-only clip of a given complexity (CLIP_SOURCES). */
export async function makeComplexityClip(options: {
  path: string;
  complexity: ClipComplexity;
  width: number;
  height: number;
  seconds: number;
  fps?: number;
}): Promise<string> {
  const { width, height, seconds, fps = 30 } = options;
  await run(ffmpegPath, [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
    ...['-i', CLIP_SOURCES[options.complexity](`${width}x${height}`, fps), '-t', String(seconds)],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '8', '-g', String(fps), '-pix_fmt', 'yuv420p'],
    options.path,
  ]);
  return options.path;
}

/** Width, height, codec profile and level of the first video stream ffprobe finds in a file. */
export async function probeVideo(
  file: string,
): Promise<{ width: number; height: number; profile: string; level: number }> {
  const { stdout } = await run(ffprobePath, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,profile,level',
    '-of',
    'json',
    file,
  ]);
  const stream = (JSON.parse(stdout) as { streams: Array<Record<string, unknown>> }).streams[0] ?? {};
  return {
    width: Number(stream['width']),
    height: Number(stream['height']),
    profile: String(stream['profile']),
    level: Number(stream['level']),
  };
}

/** A scratch directory removed by the returned function. */
export async function scratchDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marquee-media-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A MediaProbe for pure tests: a 16:9 30 fps video with no audio unless told otherwise. */
export function probeFixture(
  overrides: Partial<Omit<MediaProbe, 'video'>> & { video?: Partial<MediaProbe['video']> } = {},
): MediaProbe {
  const width = overrides.video?.width ?? 1920;
  const height = overrides.video?.height ?? 1080;
  return {
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSeconds: 60,
    sizeBytes: 1_000_000,
    bitRate: 8_000_000,
    audio: [],
    subtitles: [],
    ...overrides,
    video: {
      index: 0,
      codec: 'h264',
      width,
      height,
      displayWidth: width,
      displayHeight: height,
      fps: 30,
      frameRate: '30/1',
      rotation: 0,
      pixelAspect: 1,
      pixelFormat: 'yuv420p',
      interlaced: false,
      ...overrides.video,
    },
  };
}

/** An audio-only file: what a music upload looks like. */
export async function makeTone(options: { path: string; seconds: number }): Promise<string> {
  await run(ffmpegPath, [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=440:duration=${options.seconds}`, '-c:a', 'aac', options.path],
  ]);
  return options.path;
}

/** The PTS (90 kHz) of the first video packet in a file, as ffprobe reads it. */
export async function firstVideoPts(file: string): Promise<number> {
  const { stdout } = await run(ffprobePath, [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts'],
    ...['-read_intervals', '%+#1', '-of', 'csv=p=0', file],
  ]);
  // csv output may end in a comma when the packet has side data.
  return Number.parseInt(stdout, 10);
}
