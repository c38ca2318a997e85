import path from 'node:path';
import type { Ladder } from './ladder.ts';
import type { MediaProbe } from './probe.ts';
import type { ThumbnailPlan } from './thumbnails.ts';

/**
 * ffmpeg command lines, built by pure functions so each decision is a table test
 * (ffmpeg-args.test.ts); ffmpeg.runner.ts runs them.
 */

export const DEFAULT_SEGMENT_SECONDS = 4;
export const DEFAULT_PRESET = 'veryfast';

const X264_PRESETS = new Set([
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
  'placebo',
]);

/** Quiet, machine-readable: only errors on stderr, key=value progress blocks on stdout. */
const COMMON = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
const PROGRESS = ['-progress', 'pipe:1', '-nostats'];

/**
 * Reads one local file and nothing it refers to: `file:` stops a name like "concat:…" or
 * "http://…" from being read as a protocol, and the whitelist keeps demuxers off the network.
 */
function localInput(filePath: string): string[] {
  return ['-protocol_whitelist', 'file', '-i', `file:${filePath}`];
}

export interface HlsEncodeOptions {
  sourcePath: string;
  probe: MediaProbe;
  ladder: Ladder;
  /** Where ffmpeg writes `<rendition>/index.m3u8` and `<rendition>/seg-00001.ts` (unencrypted). */
  outputDir: string;
  segmentSeconds?: number;
  /** x264 preset; slower presets give smaller files for the same quality. */
  preset?: string;
  /** x264 threads per rendition encoder; 0 lets x264 decide. */
  threads?: number;
}

/** `<outputDir>/<rendition>/index.m3u8`: where buildHlsEncodeArgs puts a rendition's playlist. */
export function encodedPlaylistPath(options: { outputDir: string; rendition: string }): string {
  return path.join(options.outputDir, options.rendition, 'index.m3u8');
}

/**
 * One ffmpeg run that decodes the source once and writes every rendition as unencrypted
 * MPEG-TS HLS. All renditions go through one HLS muxer with -var_stream_map rather than one
 * output per rendition: ffmpeg shifts timestamps per output (B-frame delay for video, AAC
 * priming for audio), so separate outputs leave demuxed audio ~45 ms off the video, while one
 * muxer shifts every stream alike and keeps lip sync. Keyframes are forced at every segment
 * boundary (fixed GOP, no scene-cut keyframes) so all renditions switch cleanly at any segment.
 */
export function buildHlsEncodeArgs(options: HlsEncodeOptions): string[] {
  const { sourcePath, probe, ladder, outputDir } = options;
  const segmentSeconds = options.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
  const preset = options.preset ?? DEFAULT_PRESET;
  const threads = options.threads ?? 0;
  if (!X264_PRESETS.has(preset)) throw new RangeError(`unknown x264 preset "${preset}"`);
  if (!(segmentSeconds >= 1 && segmentSeconds <= 30)) throw new RangeError('segmentSeconds must be 1–30');
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError('threads must be an integer ≥ 0');
  // '%' is the muxer's pattern character (%v, %05d).
  if (outputDir.includes('%')) throw new RangeError('the output directory must not contain "%"');
  if (ladder.video.length === 0) throw new RangeError('the ladder has no video rendition');

  const gop = Math.max(1, Math.round(segmentSeconds * ladder.fps));
  const prepare = [
    ...(ladder.deinterlace ? ['bwdif=mode=send_frame'] : []),
    ...(ladder.frameStep > 1 ? [`fps=${ladder.frameRate}`] : []),
  ];
  const scaled = ladder.video.map(
    (rendition, i) =>
      `scale=w=${rendition.width}:h=${rendition.height}:flags=bicubic,setsar=1,format=yuv420p[v${i}]`,
  );
  const head = `[0:${probe.video.index}]${prepare.map((filter) => `${filter},`).join('')}`;
  const filterGraph =
    scaled.length === 1
      ? `${head}${scaled[0]}`
      : `${head}split=${scaled.length}${scaled.map((_, i) => `[s${i}]`).join('')};` +
        scaled.map((chain, i) => `[s${i}]${chain}`).join(';');

  const video = ladder.video.flatMap((rendition, i) => [
    // Capped CRF: a quality target under the VBV cap; otherwise a target bit rate (ABR).
    ...(rendition.crf === undefined
      ? [`-b:v:${i}`, `${rendition.videoBitrateKbps}k`]
      : [`-crf:v:${i}`, String(rendition.crf)]),
    `-maxrate:v:${i}`,
    `${rendition.maxrateKbps}k`,
    `-bufsize:v:${i}`,
    `${rendition.bufsizeKbps}k`,
    `-level:v:${i}`,
    rendition.level,
  ]);
  const audio = ladder.audio.flatMap((track, i) => [
    `-b:a:${i}`,
    `${track.bitrateKbps}k`,
    `-ac:a:${i}`,
    String(track.channels),
  ]);
  const streamMap = [
    ...ladder.video.map((rendition, i) => `v:${i},name:${rendition.name}`),
    ...ladder.audio.map((track, i) => `a:${i},name:${track.name}`),
  ].join(' ');

  return [
    ...COMMON,
    ...PROGRESS,
    ...localInput(sourcePath),
    '-filter_complex',
    filterGraph,
    ...ladder.video.flatMap((_, i) => ['-map', `[v${i}]`]),
    ...ladder.audio.flatMap((track) => ['-map', `0:${track.sourceIndex}`]),
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-profile:v',
    'high',
    '-threads',
    String(threads),
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-sc_threshold',
    '0',
    '-force_key_frames',
    `expr:gte(t,n_forced*${segmentSeconds})`,
    ...video,
    ...(ladder.audio.length > 0 ? ['-c:a', 'aac', '-ar', '48000', ...audio] : []),
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_playlist_type',
    'vod',
    '-hls_list_size',
    '0',
    '-hls_segment_type',
    'mpegts',
    '-hls_flags',
    'independent_segments',
    '-start_number',
    '1',
    '-hls_segment_filename',
    path.join(outputDir, '%v', 'seg-%05d.ts'),
    '-var_stream_map',
    streamMap,
    path.join(outputDir, '%v', 'index.m3u8'),
  ];
}

/**
 * ffmpeg-filters §"Notes on filtergraph escaping": a value inside a filter's options is unescaped
 * twice (by the option parser, then by the graph parser), so a path with ':' or ',' must be
 * escaped for both.
 */
export function escapeFilterValue(value: string): string {
  const option = value.replace(/[\\':]/g, (character) => `\\${character}`);
  return option.replace(/[\\'[\],;]/g, (character) => `\\${character}`);
}

/**
 * The quality step's command: every encoded rendition (its plain HLS) against the source, on
 * every `sampleStep`-th frame, in one ffmpeg that decodes the source once. Each rendition is
 * scaled up to the source's displayed size with bicubic, as a viewer's screen would, then SSIM
 * and PSNR are taken on the same frames and written per frame to its stats files (parsed by
 * rendition-quality.ts). Both sides are rebased to start at 0 and the source goes through the
 * encode's deinterlace/fps steps, so frame n meets frame n.
 */
export function buildQualityArgs(options: {
  sourcePath: string;
  probe: MediaProbe;
  ladder: Ladder;
  renditions: ReadonlyArray<{ playlist: string; ssimStatsPath: string; psnrStatsPath: string }>;
  sampleStep: number;
}): string[] {
  const { probe, ladder, sampleStep, renditions } = options;
  if (!Number.isInteger(sampleStep) || sampleStep < 1) {
    throw new RangeError('sampleStep must be an integer ≥ 1');
  }
  if (renditions.length === 0) throw new RangeError('no rendition to measure');
  const width = Math.max(2, Math.floor(probe.video.displayWidth / 2) * 2);
  const height = Math.max(2, Math.floor(probe.video.displayHeight / 2) * 2);
  const select = sampleStep === 1 ? '' : `select='not(mod(n\\,${sampleStep}))',`;
  const prepare = [
    ...(ladder.deinterlace ? ['bwdif=mode=send_frame'] : []),
    ...(ladder.frameStep > 1 ? [`fps=${ladder.frameRate}`] : []),
  ];
  const scale = `scale=w=${width}:h=${height}:flags=bicubic,setsar=1,format=yuv420p`;
  const references = renditions.flatMap((_, i) => [`[ssim${i}]`, `[psnr${i}]`]).join('');
  const graph = [
    `[0:${probe.video.index}]${prepare.map((filter) => `${filter},`).join('')}setpts=PTS-STARTPTS,` +
      `${select}${scale},split=${renditions.length * 2}${references}`,
    ...renditions.flatMap((rendition, i) => [
      `[${i + 1}:v:0]setpts=PTS-STARTPTS,${select}${scale}[dist${i}]`,
      `[dist${i}][ssim${i}]ssim=stats_file=${escapeFilterValue(rendition.ssimStatsPath)}[scored${i}]`,
      `[scored${i}][psnr${i}]psnr=stats_file=${escapeFilterValue(rendition.psnrStatsPath)}[out${i}]`,
    ]),
  ].join(';');
  return [
    ...COMMON,
    ...PROGRESS,
    ...localInput(options.sourcePath),
    // The HLS demuxer opens the segments the playlists name: local files only.
    ...renditions.flatMap((rendition) => localInput(rendition.playlist)),
    '-filter_complex',
    graph,
    ...renditions.flatMap((_, i) => ['-map', `[out${i}]`, '-f', 'null', '-']),
  ];
}

/** Fits a picture in a square box without growing it; even sides. */
function fitWithin(options: { width: number; height: number; box: number }): {
  width: number;
  height: number;
} {
  const scale = Math.min(1, options.box / Math.max(options.width, options.height));
  const even = (value: number) => Math.max(2, Math.floor((value * scale) / 2) * 2);
  return { width: even(options.width), height: even(options.height) };
}

/** A poster frame: one JPEG a tenth of the way in, past the black of most openings. */
export function buildPosterArgs(options: {
  sourcePath: string;
  probe: MediaProbe;
  outputPath: string;
  maxSide?: number;
  atFraction?: number;
}): string[] {
  const { sourcePath, probe, outputPath, maxSide = 1280, atFraction = 0.1 } = options;
  const size = fitWithin({
    width: probe.video.displayWidth,
    height: probe.video.displayHeight,
    box: maxSide,
  });
  const at = Math.max(0, probe.durationSeconds * atFraction);
  return [
    ...COMMON,
    // Before -i: seek in the demuxer, then decode from the keyframe before — fast and exact.
    '-ss',
    at.toFixed(3),
    ...localInput(sourcePath),
    '-map',
    `0:${probe.video.index}`,
    '-frames:v',
    '1',
    '-vf',
    `scale=w=${size.width}:h=${size.height},setsar=1`,
    '-q:v',
    '2',
    '-f',
    'image2',
    '-update',
    '1',
    outputPath,
  ];
}

/** Thumbnail sprite sheets: one frame per interval, tiled columns × rows per JPEG. */
export function buildSpriteArgs(options: {
  sourcePath: string;
  probe: MediaProbe;
  plan: ThumbnailPlan;
  outputDir: string;
  /**
   * Draw the sprites from an already encoded rendition (its playlist) instead of the source:
   * decoding the smallest rendition costs a fraction of decoding a 1080p or 4K source again, and
   * 160 px thumbnails lose nothing (measured with bench:transcode: 10 % of the job → about 1 %).
   */
  fromRenditionPlaylist?: string;
}): string[] {
  const { probe, plan, outputDir, fromRenditionPlaylist } = options;
  const sourcePath = fromRenditionPlaylist ?? options.sourcePath;
  if (outputDir.includes('%')) throw new RangeError('the output directory must not contain "%"');
  return [
    ...COMMON,
    ...PROGRESS,
    ...localInput(sourcePath),
    '-map',
    fromRenditionPlaylist ? '0:v:0' : `0:${probe.video.index}`,
    '-vf',
    `fps=1/${plan.intervalSeconds},scale=w=${plan.width}:h=${plan.height},setsar=1,tile=${plan.columns}x${plan.rows}`,
    '-q:v',
    '5',
    '-f',
    'image2',
    '-start_number',
    '1',
    // The image2 pattern for spriteFileName(n).
    path.join(outputDir, 'sprite-%04d.jpg'),
  ];
}

/** SRT or WebVTT in, WebVTT out (ffmpeg's webvtt muxer writes cues without styling it can't map). */
export function buildSubtitleArgs(options: {
  inputPath: string;
  outputPath: string;
  /** Character set of a non-UTF-8 SRT file, e.g. 'CP1252' (ffmpeg assumes UTF-8). */
  characterEncoding?: string;
}): string[] {
  return [
    ...COMMON,
    ...(options.characterEncoding ? ['-sub_charenc', options.characterEncoding] : []),
    ...localInput(options.inputPath),
    '-map',
    '0:s:0',
    '-c:s',
    'webvtt',
    '-f',
    'webvtt',
    options.outputPath,
  ];
}
