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
import { runFfmpeg, type ProgressListener } from './ffmpeg.runner.ts';
import { packageEncryptedHls, type HlsManifest, type PreparedSubtitle } from './hls-package.ts';
import { bcp47, chooseLadder, type RungSpec } from './ladder.ts';
import { SubtitleUnreadable, TranscodeFailed } from './media.errors.ts';
import { probeMedia, type MediaProbe } from './probe.ts';
import { planThumbnails, renderThumbnailsVtt } from './thumbnails.ts';

export interface TranscodeOptions {
  rungs?: readonly RungSpec[];
  audioBitrateKbps?: number;
  /** x264 preset (default 'veryfast'). */
  preset?: string;
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
  ffmpegPath?: string;
  ffprobePath?: string;
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

export interface ThumbnailsManifest {
  /** WebVTT thumbnails track, relative to the package root. */
  track: string;
  sprites: string[];
  intervalSeconds: number;
  width: number;
  height: number;
  columns: number;
  rows: number;
}

export interface TranscodeManifest extends HlsManifest {
  poster: string;
  thumbnails: ThumbnailsManifest;
}

export interface TranscodeRequest {
  sourcePath: string;
  /** Scratch space for this job; the package is written to `<workDir>/output`. */
  workDir: string;
  subtitles?: readonly SubtitleInput[];
  options?: TranscodeOptions;
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

/** Where the share of the work each step gets, in percent of the whole. */
const ENCODE_END = 90;
const THUMBNAILS_END = 97;

/**
 * Source file → encrypted HLS package with poster and seek thumbnails. Idempotent: a retry
 * starts from an empty output directory. On failure or abort nothing is left in workDir but
 * what was there before.
 */
export async function transcodeToEncryptedHls(request: TranscodeRequest): Promise<TranscodeResult> {
  const { sourcePath, workDir, subtitles = [], options = {}, signal } = request;
  const { ffmpegPath, ffprobePath } = options;
  const segmentSeconds = options.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
  const encodedDir = path.join(workDir, 'encoded');
  const outputDir = path.join(workDir, 'output');
  const report = overallProgress(request.onProgress);
  const redactPaths = [sourcePath, workDir, ...subtitles.map((subtitle) => subtitle.path)];

  await rm(encodedDir, { recursive: true, force: true });
  await rm(outputDir, { recursive: true, force: true });
  try {
    const probe = await probeMedia({ path: sourcePath, ffprobePath, signal });
    report(0);
    const ladder = chooseLadder({
      probe,
      rungs: options.rungs,
      audioBitrateKbps: options.audioBitrateKbps,
    });
    await mkdir(encodedDir, { recursive: true });
    await mkdir(outputDir, { recursive: true });

    // Subtitles first: a bad file should fail the job before the long encode, not after.
    const prepared = await convertSubtitles({ subtitles, encodedDir, ffmpegPath, redactPaths, signal });

    await runFfmpeg({
      args: buildHlsEncodeArgs({
        sourcePath,
        probe,
        ladder,
        outputDir: encodedDir,
        segmentSeconds,
        preset: options.preset ?? DEFAULT_PRESET,
        threads: options.threads ?? 0,
      }),
      ffmpegPath,
      durationSeconds: probe.durationSeconds,
      signal,
      onProgress: (percent) => report((percent * ENCODE_END) / 100),
      redactPaths,
    });

    await runFfmpeg({
      args: buildPosterArgs({ sourcePath, probe, outputPath: path.join(outputDir, 'poster.jpg') }),
      ffmpegPath,
      signal,
      redactPaths,
    });
    const thumbsDir = path.join(outputDir, 'thumbs');
    await mkdir(thumbsDir, { recursive: true });
    const plan = planThumbnails({
      durationSeconds: probe.durationSeconds,
      displayWidth: probe.video.displayWidth,
      displayHeight: probe.video.displayHeight,
      intervalSeconds: options.thumbnailIntervalSeconds,
    });
    await runFfmpeg({
      args: buildSpriteArgs({
        sourcePath,
        probe,
        plan,
        outputDir: thumbsDir,
        // The smallest rendition, already encoded (and not yet encrypted) in encodedDir.
        fromRenditionPlaylist: encodedPlaylistPath({
          outputDir: encodedDir,
          rendition: ladder.video[0]!.name,
        }),
      }),
      ffmpegPath,
      durationSeconds: probe.durationSeconds,
      signal,
      onProgress: (percent) => report(ENCODE_END + (percent * (THUMBNAILS_END - ENCODE_END)) / 100),
      redactPaths,
    });
    await writeFile(
      path.join(thumbsDir, 'thumbnails.vtt'),
      renderThumbnailsVtt({ plan, durationSeconds: probe.durationSeconds }),
    );
    const sprites = (await readdir(thumbsDir)).filter((file) => file.endsWith('.jpg')).sort();

    signal?.throwIfAborted();
    const manifest = await packageEncryptedHls({
      encodedDir,
      outputDir,
      ladder,
      segmentSeconds,
      subtitles: prepared,
      keyRotationSegments: options.keyRotationSegments,
      keyUriPrefix: options.keyUriPrefix,
      signal,
      onProgress: (percent) => report(THUMBNAILS_END + (percent * (100 - THUMBNAILS_END)) / 100),
    });
    report(100);

    const files = (await readdir(outputDir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(outputDir, path.join(entry.parentPath, entry.name)))
      .sort();
    return {
      probe,
      outputDir,
      files,
      manifest: {
        ...manifest,
        poster: 'poster.jpg',
        thumbnails: {
          track: 'thumbs/thumbnails.vtt',
          sprites: sprites.map((file) => `thumbs/${file}`),
          intervalSeconds: plan.intervalSeconds,
          width: plan.width,
          height: plan.height,
          columns: plan.columns,
          rows: plan.rows,
        },
      },
    };
  } catch (error) {
    await rm(outputDir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(encodedDir, { recursive: true, force: true });
  }
}

async function convertSubtitles(options: {
  subtitles: readonly SubtitleInput[];
  encodedDir: string;
  ffmpegPath: string | undefined;
  redactPaths: readonly string[];
  signal: AbortSignal | undefined;
}): Promise<PreparedSubtitle[]> {
  const prepared: PreparedSubtitle[] = [];
  const dir = path.join(options.encodedDir, 'subtitles');
  await mkdir(dir, { recursive: true });
  for (const [i, subtitle] of options.subtitles.entries()) {
    const vttPath = path.join(dir, `${i}.vtt`);
    try {
      await runFfmpeg({
        args: buildSubtitleArgs({
          inputPath: subtitle.path,
          outputPath: vttPath,
          characterEncoding: subtitle.characterEncoding,
        }),
        ffmpegPath: options.ffmpegPath,
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
