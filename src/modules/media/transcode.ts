import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors.ts';
import {
  buildHlsEncodeArgs,
  buildPosterArgs,
  buildSpriteArgs,
  buildSubtitleArgs,
  encodedPlaylistPath,
  DEFAULT_PRESET,
  DEFAULT_SEGMENT_SECONDS,
} from './ffmpeg-args.ts';
import type { ProgressListener } from './ffmpeg.runner.ts';
import { encodeHevcRenditions } from './hevc-step.ts';
import { chooseHevcRenditions, DEFAULT_HEVC_MODE, keepMatchingHevc, type HevcMode } from './hevc.ts';
import { packageEncryptedHls, type HlsManifest, type PreparedSubtitle } from './hls-package.ts';
import {
  bcp47,
  chooseLadder,
  DEFAULT_LADDER_MODE,
  type Ladder,
  type LadderMode,
  type RungSpec,
  type VideoRendition,
} from './ladder.ts';
import { SubtitleUnreadable, TranscodeFailed } from './media.errors.ts';
import type { MediaTools } from './media-tools.ts';
import type { PackageManifest, ThumbnailsManifest } from './package-manifest.ts';
import type { MediaProbe } from './probe.ts';
import { keepDistinctRungs, measureQuality } from './quality-step.ts';
import { planThumbnails, renderThumbnailsVtt } from './thumbnails.ts';
import { planProgress, withinSpan, type ProgressSpan } from './transcode-progress.ts';

export interface TranscodeOptions {
  rungs?: readonly RungSpec[];
  /** 'content-aware' (default): capped CRF, and rungs no better than the one below dropped. */
  ladderMode?: LadderMode;
  /** x264 CRF of the content-aware ladder (default 23). */
  crf?: number;
  /** SSIM a rung must gain over the last kept one to stay (default 0.002; content-aware only). */
  minSsimGain?: number;
  /** About how many frames the quality step compares per rendition (default 60). */
  qualitySampleFrames?: number;
  audioBitrateKbps?: number;
  /** x264 preset (default 'veryfast'). */
  preset?: string;
  /** 'top': HEVC (fMP4) copies of the 1080p and 2160p rungs too; 'off' (default): H.264 only. */
  hevc?: HevcMode;
  /** x265 preset of those copies (default: `preset`). */
  hevcPreset?: string;
  /** x264 threads per rendition; 0 (default) lets x264 decide. */
  threads?: number;
  /** Target segment length (default 4 s); keyframes are forced on it. */
  segmentSeconds?: number;
  /** Rotate content keys every N segments; 0 (default) keeps one key per tier. */
  keyRotationSegments?: number;
  /** Key URIs in playlists are `<prefix><keyId>` (default '/api/keys/'). */
  keyUriPrefix?: string;
  /** One seek thumbnail per this many seconds (default 5, grown for very long titles). */
  thumbnailIntervalSeconds?: number;
}

export interface SubtitleInput {
  /** An SRT or WebVTT file. */
  path: string;
  /** ISO 639 ('eng') or RFC 5646 ('en', 'pt-BR'). */
  language: string;
  label: string;
  isDefault?: boolean;
  forced?: boolean;
  /** For SRT files not in UTF-8, e.g. 'CP1252'. */
  characterEncoding?: string;
}

/** What the packager made: the stored manifest, plus the content keys (stored apart, wrapped). */
export type TranscodeManifest = PackageManifest & Pick<HlsManifest, 'keys'>;

export interface TranscodeRequest {
  sourcePath: string;
  /** Scratch space for this job; the package is written to `<workDir>/output`. */
  workDir: string;
  subtitles?: readonly SubtitleInput[];
  options?: TranscodeOptions;
  /** ffmpeg and ffprobe (ffmpegTools(config) in production). */
  tools: MediaTools;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface TranscodeResult {
  probe: MediaProbe;
  manifest: TranscodeManifest;
  outputDir: string;
  /** Every file of the package, relative to outputDir, for upload. */
  files: string[];
}

/** What every step of one transcode shares: its tools, files, options and abort signal. */
export interface StepContext {
  tools: MediaTools;
  sourcePath: string;
  encodedDir: string;
  outputDir: string;
  options: TranscodeOptions;
  segmentSeconds: number;
  redactPaths: readonly string[];
  signal: AbortSignal | undefined;
  report: (percent: number) => void;
}

/**
 * Source file → encrypted HLS package with poster and seek thumbnails, in named steps: probe,
 * decide the ladder, encode (subtitles first, then every rendition in one ffmpeg), thumbnails,
 * package and encrypt. Idempotent: a retry starts from an empty output directory. On failure or
 * abort nothing is left in workDir but what was there before.
 */
export async function transcodeToEncryptedHls(request: TranscodeRequest): Promise<TranscodeResult> {
  const { sourcePath, workDir, subtitles = [], options = {}, signal, tools } = request;
  const step: StepContext = {
    tools,
    sourcePath,
    encodedDir: path.join(workDir, 'encoded'),
    outputDir: path.join(workDir, 'output'),
    options,
    segmentSeconds: options.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS,
    redactPaths: [sourcePath, workDir, ...subtitles.map((subtitle) => subtitle.path)],
    signal,
    report: overallProgress(request.onProgress),
  };
  await rm(step.encodedDir, { recursive: true, force: true });
  await rm(step.outputDir, { recursive: true, force: true });
  try {
    const probe = await tools.probe({ path: sourcePath, signal });
    step.report(0);
    const encodedLadder = decideLadder(probe, options);
    // Whether HEVC copies may follow: rung dropping can only remove them, never add one.
    const progress = planProgress({
      hevc:
        chooseHevcRenditions({ ladder: encodedLadder, mode: options.hevc ?? DEFAULT_HEVC_MODE }).length > 0,
    });
    await mkdir(step.encodedDir, { recursive: true });
    await mkdir(step.outputDir, { recursive: true });
    // Subtitles first: a bad file should fail the job before the long encode, not after.
    const prepared = await convertSubtitles({ ...step, subtitles });
    await encodeRenditions(step, { probe, ladder: encodedLadder, span: progress.encode });
    const scores = await measureQuality(step, {
      probe,
      ladder: encodedLadder,
      renditions: encodedLadder.video,
      onProgress: withinSpan(progress.quality, step.report),
    });
    const { ladder, dropped } = keepDistinctRungs({ ladder: encodedLadder, scores, options });
    const encodedHevc = await encodeHevcRenditions(step, {
      probe,
      ladder,
      onProgress: withinSpan(progress.hevc, step.report),
    });
    if (encodedHevc.length > 0) {
      const hevcScores = await measureQuality(step, {
        probe,
        ladder,
        renditions: encodedHevc,
        onProgress: withinSpan(progress.hevcQuality, step.report),
      });
      for (const [name, quality] of hevcScores) scores.set(name, quality);
    }
    // A copy that looks worse than its H.264 rung is not offered (listed with the dropped rungs).
    const { kept: hevc, dropped: droppedHevc } = keepMatchingHevc({
      ladder,
      hevc: encodedHevc,
      ssim: new Map([...scores].map(([name, quality]) => [name, quality.ssim])),
    });
    const thumbnails = await makeThumbnails(step, { probe, ladder, span: progress.thumbnails });
    const packaged = await packageAndEncrypt(step, {
      ladder,
      hevc,
      subtitles: prepared,
      span: progress.package,
    });
    const manifest = {
      ...packaged,
      renditions: packaged.renditions.map((rendition) => ({
        ...rendition,
        quality: scores.get(rendition.name),
      })),
      ladder: {
        mode: options.ladderMode ?? DEFAULT_LADDER_MODE,
        dropped: [...dropped, ...droppedHevc].map((rendition) => ({
          name: rendition.name,
          width: rendition.width,
          height: rendition.height,
          quality: scores.get(rendition.name)!,
        })),
      },
    };
    const files = (await readdir(step.outputDir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(step.outputDir, path.join(entry.parentPath, entry.name)))
      .sort();
    return {
      probe,
      outputDir: step.outputDir,
      files,
      manifest: { ...manifest, poster: 'poster.jpg', thumbnails },
    };
  } catch (error) {
    await rm(step.outputDir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(step.encodedDir, { recursive: true, force: true });
  }
}

/** Decide the ladder: which renditions and audio tracks this source gets. Pure. */
export function decideLadder(probe: MediaProbe, options: TranscodeOptions): Ladder {
  return chooseLadder({
    probe,
    rungs: options.rungs,
    audioBitrateKbps: options.audioBitrateKbps,
    mode: options.ladderMode ?? DEFAULT_LADDER_MODE,
    crf: options.crf,
  });
}

/** Encode: one ffmpeg decodes the source once and writes every rendition's plain HLS. */
async function encodeRenditions(
  step: StepContext,
  plan: { probe: MediaProbe; ladder: Ladder; span: ProgressSpan },
) {
  await step.tools.ffmpeg({
    args: buildHlsEncodeArgs({
      sourcePath: step.sourcePath,
      probe: plan.probe,
      ladder: plan.ladder,
      outputDir: step.encodedDir,
      segmentSeconds: step.segmentSeconds,
      preset: step.options.preset ?? DEFAULT_PRESET,
      threads: step.options.threads ?? 0,
    }),
    durationSeconds: plan.probe.durationSeconds,
    signal: step.signal,
    onProgress: withinSpan(plan.span, step.report),
    redactPaths: step.redactPaths,
  });
}

/** Poster and seek thumbnails, the sprites drawn from the smallest rendition already encoded. */
async function makeThumbnails(
  step: StepContext,
  plan: { probe: MediaProbe; ladder: Ladder; span: ProgressSpan },
): Promise<ThumbnailsManifest> {
  const { probe } = plan;
  const { tools, sourcePath, outputDir, signal, redactPaths } = step;
  await tools.ffmpeg({
    args: buildPosterArgs({ sourcePath, probe, outputPath: path.join(outputDir, 'poster.jpg') }),
    signal,
    redactPaths,
  });
  const thumbsDir = path.join(outputDir, 'thumbs');
  await mkdir(thumbsDir, { recursive: true });
  const thumbnails = planThumbnails({
    durationSeconds: probe.durationSeconds,
    displayWidth: probe.video.displayWidth,
    displayHeight: probe.video.displayHeight,
    intervalSeconds: step.options.thumbnailIntervalSeconds,
  });
  await tools.ffmpeg({
    args: buildSpriteArgs({
      sourcePath,
      probe,
      plan: thumbnails,
      outputDir: thumbsDir,
      // The smallest rendition, already encoded (and not yet encrypted) in encodedDir.
      fromRenditionPlaylist: encodedPlaylistPath({
        outputDir: step.encodedDir,
        rendition: plan.ladder.video[0]!.name,
      }),
    }),
    durationSeconds: probe.durationSeconds,
    signal,
    onProgress: withinSpan(plan.span, step.report),
    redactPaths,
  });
  await writeFile(
    path.join(thumbsDir, 'thumbnails.vtt'),
    renderThumbnailsVtt({ plan: thumbnails, durationSeconds: probe.durationSeconds }),
  );
  const sprites = (await readdir(thumbsDir)).filter((file) => file.endsWith('.jpg')).sort();
  return {
    track: 'thumbs/thumbnails.vtt',
    sprites: sprites.map((file) => `thumbs/${file}`),
    intervalSeconds: thumbnails.intervalSeconds,
    width: thumbnails.width,
    height: thumbnails.height,
    columns: thumbnails.columns,
    rows: thumbnails.rows,
  };
}

/** Package and encrypt: AES-128 segments under per-tier keys, playlists, the master playlist. */
async function packageAndEncrypt(
  step: StepContext,
  plan: {
    ladder: Ladder;
    hevc: readonly VideoRendition[];
    subtitles: PreparedSubtitle[];
    span: ProgressSpan;
  },
): Promise<HlsManifest> {
  step.signal?.throwIfAborted();
  const manifest = await packageEncryptedHls({
    encodedDir: step.encodedDir,
    outputDir: step.outputDir,
    ladder: plan.ladder,
    hevc: plan.hevc,
    segmentSeconds: step.segmentSeconds,
    subtitles: plan.subtitles,
    keyRotationSegments: step.options.keyRotationSegments,
    keyUriPrefix: step.options.keyUriPrefix,
    signal: step.signal,
    onProgress: withinSpan(plan.span, step.report),
  });
  step.report(100);
  return manifest;
}

async function convertSubtitles(
  options: StepContext & { subtitles: readonly SubtitleInput[] },
): Promise<PreparedSubtitle[]> {
  const prepared: PreparedSubtitle[] = [];
  const dir = path.join(options.encodedDir, 'subtitles');
  await mkdir(dir, { recursive: true });
  for (const [i, subtitle] of options.subtitles.entries()) {
    const vttPath = path.join(dir, `${i}.vtt`);
    try {
      await options.tools.ffmpeg({
        args: buildSubtitleArgs({
          inputPath: subtitle.path,
          outputPath: vttPath,
          characterEncoding: subtitle.characterEncoding,
        }),
        signal: options.signal,
        redactPaths: options.redactPaths,
      });
    } catch (error) {
      if (!(error instanceof AppError) || !TranscodeFailed.is(error)) throw error;
      const reason =
        typeof error.extensions['reason'] === 'string' ? error.extensions['reason'] : error.message;
      throw SubtitleUnreadable(`${subtitle.label}: ${reason}`, { reason, subtitle: subtitle.label });
    }
    prepared.push({
      vttPath,
      language: bcp47(subtitle.language.toLowerCase()),
      label: subtitle.label,
      isDefault: subtitle.isDefault,
      forced: subtitle.forced,
    });
  }
  return prepared;
}

/** One monotonic 0–100 for the caller, whatever step reports; a throwing listener is ignored. */
function overallProgress(onProgress: ProgressListener | undefined): (percent: number) => void {
  let last = -1;
  return (percent) => {
    const rounded = Math.min(100, Math.floor(percent * 10) / 10);
    if (rounded <= last) return;
    last = rounded;
    try {
      onProgress?.(rounded);
    } catch {
      // Progress is advisory; see ProgressReporter.
    }
  };
}
