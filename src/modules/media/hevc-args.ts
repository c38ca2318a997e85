import path from 'node:path';
import type { Ladder, VideoRendition } from './ladder.ts';
import type { MediaProbe } from './probe.ts';

/**
 * The ffmpeg command line of the HEVC copies, built by a pure function so each decision is a
 * table test (hevc.test.ts); transcode.ts runs it after the H.264 encode.
 */

export const HEVC_INIT_SEGMENT = 'init.mp4';
const X265_PRESETS = new Set([
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

/**
 * One ffmpeg that decodes the source once more and writes every HEVC rendition as unencrypted
 * fMP4 HLS (`<name>/init*.mp4` — ffmpeg numbers it per variant when there are several —
 * and `<name>/seg-00001.m4s`), video only: the H.264 encode's audio
 * renditions serve these variants too. A separate run rather than outputs of the H.264 one,
 * because the HLS muxer has one segment type for all its variants (MPEG-TS there, fMP4 here).
 *
 * - Keyframes exactly as the H.264 encode places them (fixed GOP, forced at segment starts, no
 *   scene cuts) and closed GOPs (x265 opens them by default), so every segment starts with an
 *   IDR, segments line up with the H.264 ones and a player can switch codecs at any boundary.
 * - `timeOffsetSeconds`: the H.264 segments' first video PTS (the MPEG-TS muxer starts its clock
 *   at ~1.4 s); shifting the fMP4 timeline by it keeps these variants on the same timeline as the
 *   shared audio renditions, so lip sync holds when a player changes variant.
 * - `hvc1` sample entry (parameter sets in the sample description only): what Apple's players
 *   require; `hev1` is refused by Safari.
 */
export function buildHevcEncodeArgs(options: {
  sourcePath: string;
  probe: MediaProbe;
  ladder: Pick<Ladder, 'fps' | 'frameRate' | 'frameStep' | 'deinterlace'>;
  renditions: readonly VideoRendition[];
  outputDir: string;
  segmentSeconds: number;
  timeOffsetSeconds: number;
  preset: string;
  threads: number;
}): string[] {
  const { probe, ladder, renditions, outputDir, segmentSeconds, preset, threads } = options;
  if (renditions.length === 0) throw new RangeError('no HEVC rendition to encode');
  if (!X265_PRESETS.has(preset)) throw new RangeError(`unknown x265 preset "${preset}"`);
  if (!(segmentSeconds >= 1 && segmentSeconds <= 30)) throw new RangeError('segmentSeconds must be 1–30');
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError('threads must be an integer ≥ 0');
  if (!(options.timeOffsetSeconds >= 0 && options.timeOffsetSeconds < 60)) {
    throw new RangeError('timeOffsetSeconds must be 0–60');
  }
  if (outputDir.includes('%')) throw new RangeError('the output directory must not contain "%"');

  const gop = Math.max(1, Math.round(segmentSeconds * ladder.fps));
  const prepare = [
    ...(ladder.deinterlace ? ['bwdif=mode=send_frame'] : []),
    ...(ladder.frameStep > 1 ? [`fps=${ladder.frameRate}`] : []),
  ];
  const scaled = renditions.map(
    (rendition, i) =>
      `scale=w=${rendition.width}:h=${rendition.height}:flags=bicubic,setsar=1,format=yuv420p[h${i}]`,
  );
  const head = `[0:${probe.video.index}]${prepare.map((filter) => `${filter},`).join('')}`;
  const filterGraph =
    scaled.length === 1
      ? `${head}${scaled[0]}`
      : `${head}split=${scaled.length}${scaled.map((_, i) => `[s${i}]`).join('')};` +
        scaled.map((chain, i) => `[s${i}]${chain}`).join(';');
  const x265 = [
    'log-level=error',
    `keyint=${gop}`,
    `min-keyint=${gop}`,
    'scenecut=0',
    'open-gop=0',
    // x265 picks its own thread pool size; 0 keeps that, as -threads 0 does for x264.
    ...(threads > 0 ? [`pools=${threads}`] : []),
  ].join(':');

  const video = renditions.flatMap((rendition, i) => [
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

  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-progress',
    'pipe:1',
    '-nostats',
    '-protocol_whitelist',
    'file',
    '-i',
    `file:${options.sourcePath}`,
    '-filter_complex',
    filterGraph,
    ...renditions.flatMap((_, i) => ['-map', `[h${i}]`]),
    '-an',
    '-sn',
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-c:v',
    'libx265',
    '-preset',
    preset,
    '-profile:v',
    'main',
    '-tag:v',
    'hvc1',
    '-x265-params',
    x265,
    '-force_key_frames',
    `expr:gte(t,n_forced*${segmentSeconds})`,
    ...video,
    '-output_ts_offset',
    options.timeOffsetSeconds.toFixed(6),
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_playlist_type',
    'vod',
    '-hls_list_size',
    '0',
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    HEVC_INIT_SEGMENT,
    '-hls_flags',
    'independent_segments',
    '-start_number',
    '1',
    '-hls_segment_filename',
    path.join(outputDir, '%v', 'seg-%05d.m4s'),
    '-var_stream_map',
    renditions.map((rendition, i) => `v:${i},name:${rendition.name}`).join(' '),
    path.join(outputDir, '%v', 'index.m3u8'),
  ];
}
