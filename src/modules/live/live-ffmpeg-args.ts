import path from 'node:path';
import type { LiveRung } from '../../config/parsers.ts';

/**
 * The live transcoder's ffmpeg command line, built by a pure function so each decision is a
 * table test (live-ffmpeg-args.test.ts), in the style of the media module's VOD builders.
 */

export type { LiveRung } from '../../config/parsers.ts';
export { parseLiveRungs } from '../../config/parsers.ts';

export interface LiveHlsOptions {
  /**
   * Where the transcoder reads the published stream: the RTMP ingest's loopback URL, or a
   * loopback SRT listener that the SRT gate lets an authenticated caller through to.
   */
  inputUrl: string;
  rungs: readonly LiveRung[];
  /** `<outputDir>/master.m3u8`, `<outputDir>/<n>/index.m3u8` and its segments. */
  outputDir: string;
  segmentSeconds: number;
  /** How many segments stay in each playlist: the DVR window a viewer can rewind through. */
  windowSegments: number;
  /** ffmpeg's key info file (key URI, key file), re-read at every segment: keys rotate when it changes. */
  keyInfoPath: string;
  hasAudio: boolean;
  /** A second output: the published stream copied as is (no encode) into one MPEG-TS file. */
  recordingPath?: string;
  /**
   * A session that may follow another into the same playlists (SRT: one ffmpeg per connection):
   * it appends to them, and leaves them open for the next one (the ingest closes them at the end).
   */
  resumable?: boolean;
  preset?: string;
}

/**
 * One ffmpeg that decodes the stream once and writes every rung through one HLS muxer (as the
 * VOD builder does, for aligned keyframes and lip sync), as a sliding window of AES-128
 * segments. Keyframes are forced at segment boundaries (no scene-cut keyframes), x264's
 * zerolatency tune keeps the encoder from buffering frames, and `scale=-2:min(ih\,H)` never
 * upscales: a 360p source gives 360p for every taller rung.
 */
export function buildLiveHlsArgs(options: LiveHlsOptions): string[] {
  const { rungs, outputDir, segmentSeconds } = options;
  if (rungs.length === 0) throw new RangeError('the ladder has no rung');
  if (!(segmentSeconds >= 1 && segmentSeconds <= 6)) throw new RangeError('segmentSeconds must be 1–6');
  if (!Number.isInteger(options.windowSegments) || options.windowSegments < 3)
    throw new RangeError('the window needs at least 3 segments');
  if (outputDir.includes('%')) throw new RangeError('the output directory must not contain "%"');
  const rtmp = /^rtmps?:\/\/127\.0\.0\.1:\d+\/live\/[A-Za-z0-9_-]+$/.test(options.inputUrl);
  const srt = /^srt:\/\/127\.0\.0\.1:\d+\?mode=listener(&[a-z_]+=\d+)*$/.test(options.inputUrl);
  if (!rtmp && !srt) throw new RangeError('the input must be the ingest’s loopback RTMP or SRT URL');
  const flags = [
    'delete_segments',
    'independent_segments',
    'program_date_time',
    'periodic_rekey',
    'temp_file',
  ];
  if (options.resumable) flags.push('append_list', 'omit_endlist');

  const split = `[0:v]split=${rungs.length}${rungs.map((_, index) => `[s${index}]`).join('')}`;
  const scales = rungs.map((rung, index) => `[s${index}]scale=-2:'min(ih,${rung.height})'[v${index}]`);
  const perRung = rungs.flatMap((rung, index) => [
    '-map',
    `[v${index}]`,
    ...(options.hasAudio ? ['-map', '0:a:0'] : []),
    `-b:v:${index}`,
    `${rung.videoBitrateKbps}k`,
    `-maxrate:v:${index}`,
    `${Math.round(rung.videoBitrateKbps * 1.5)}k`,
    `-bufsize:v:${index}`,
    `${rung.videoBitrateKbps * 2}k`,
  ]);
  const streamMap = rungs
    .map((_, index) => (options.hasAudio ? `v:${index},a:${index}` : `v:${index}`))
    .join(' ');
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    // Only the ingest's own loopback stream: no other protocol may be opened.
    '-protocol_whitelist',
    rtmp ? 'rtmp,tcp' : 'srt,udp',
    // MPEG-TS has no header listing its streams: ffmpeg would read 5 s of it (and frames for a
    // frame rate) before the first output, all of it added to the first segment's latency.
    ...(srt ? ['-analyzeduration', '500000', '-fpsprobesize', '0'] : []),
    '-i',
    options.inputUrl,
    '-filter_complex',
    [split, ...scales].join(';'),
    ...perRung,
    '-c:v',
    'libx264',
    '-preset',
    options.preset ?? 'veryfast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    '-sc_threshold',
    '0',
    '-force_key_frames',
    `expr:gte(t,n_forced*${segmentSeconds})`,
    ...(options.hasAudio ? ['-c:a', 'aac', '-b:a', '96k', '-ac', '2'] : []),
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_list_size',
    String(options.windowSegments),
    '-hls_flags',
    flags.join('+'),
    '-hls_key_info_file',
    options.keyInfoPath,
    '-hls_segment_type',
    'mpegts',
    '-hls_segment_filename',
    path.join(outputDir, '%v', 'seg-%05d.ts'),
    '-master_pl_name',
    'master.m3u8',
    '-var_stream_map',
    streamMap,
    path.join(outputDir, '%v', 'index.m3u8'),
    ...(options.recordingPath === undefined
      ? []
      : [
          '-map',
          '0:v:0',
          ...(options.hasAudio ? ['-map', '0:a:0'] : []),
          '-c',
          'copy',
          // Written as it comes, not buffered: a transcoder killed on a silent input (the grace
          // window's end) must leave its recording on disk.
          '-flush_packets',
          '1',
          '-f',
          'mpegts',
          options.recordingPath,
        ]),
  ];
}
