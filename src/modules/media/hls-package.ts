import { createCipheriv } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  measureBandwidth,
  planContentKeys,
  type ContentKey,
  type KeySource,
  type MeasuredBandwidth,
} from './content-keys.ts';
import type { ProgressListener } from './ffmpeg.runner.ts';
import { avcCodecString, plannedAvcProfile } from './h264.ts';
import { HEVC_INIT_SEGMENT } from './hevc-args.ts';
import { hevcCodecString, plannedHevcProfile, readHevcProfile } from './hevc.ts';
import type { AudioRendition, Ladder, QualityTier, VideoRendition } from './ladder.ts';
import { readTsVideoInfo } from './mpeg-ts.ts';
import type { AudioTrackManifest, RenditionManifest, SubtitleTrackManifest } from './package-manifest.ts';
import {
  parseMapUri,
  parseMediaPlaylist,
  renderMasterPlaylist,
  renderMediaPlaylist,
  renderSubtitlePlaylist,
  type PlaylistSegment,
} from './playlists.ts';

/**
 * Turns ffmpeg's unencrypted HLS into the published package: every segment encrypted with
 * HLS AES-128 (AES-128-CBC, PKCS#7 padding, RFC 8216 §5.2) under per-tier, rotating keys; media
 * playlists rewritten with EXT-X-KEY; the master playlist written from measured bit rates.
 */

/** The audio codec we encode: AAC-LC (RFC 6381 §3.3, ISO/IEC 14496-3 object type 2). */
const AAC_LC = 'mp4a.40.2';
export const MASTER_PLAYLIST = 'master.m3u8';
export const DEFAULT_KEY_URI_PREFIX = '/api/keys/';

export type { AudioTrackManifest, RenditionManifest, SubtitleTrackManifest };

export interface HlsManifest {
  masterPlaylist: string;
  renditions: RenditionManifest[];
  audioTracks: AudioTrackManifest[];
  subtitleTracks: SubtitleTrackManifest[];
  keys: ContentKey[];
  segmentSeconds: number;
}

/** A subtitle already converted to WebVTT. */
export interface PreparedSubtitle {
  vttPath: string;
  /** RFC 5646 ('en') or 'und'. */
  language: string;
  label: string;
  isDefault?: boolean;
  forced?: boolean;
}

export interface PackageOptions {
  /** ffmpeg's output: `<rendition>/index.m3u8` and its segments. */
  encodedDir: string;
  outputDir: string;
  ladder: Ladder;
  /**
   * HEVC copies of top rungs, encoded as fMP4 (`<name>/init.mp4`, `<name>/seg-00001.m4s`): same
   * tiers, so the same keys; listed in the master after the H.264 variants.
   */
  hevc?: readonly VideoRendition[];
  segmentSeconds: number;
  subtitles?: readonly PreparedSubtitle[];
  /** Rotate keys every N segments; 0 keeps one key per tier. */
  keyRotationSegments?: number;
  /** Key URIs are `<prefix><keyId>`: paths on our key server, which checks the viewer. */
  keyUriPrefix?: string;
  keySource?: KeySource;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Segments encrypted at once. */
  concurrency?: number;
}

interface EncodedRendition {
  name: string;
  tier: QualityTier;
  segments: PlaylistSegment[];
  /** fMP4: the initialization section (EXT-X-MAP), published unencrypted as init.mp4. */
  map?: string;
  /** fMP4: the initialization section's name as ffmpeg wrote it (init_1.mp4 with several variants). */
  encodedMap?: string;
}

export async function packageEncryptedHls(options: PackageOptions): Promise<HlsManifest> {
  const { encodedDir, outputDir, ladder, segmentSeconds, signal, onProgress } = options;
  const keyUriPrefix = options.keyUriPrefix ?? DEFAULT_KEY_URI_PREFIX;
  const report = (percent: number) => {
    try {
      onProgress?.(percent);
    } catch {
      // Progress is advisory (see ProgressReporter): never fail a package over it.
    }
  };
  const read = async (name: string, tier: QualityTier, fmp4 = false): Promise<EncodedRendition> => {
    const text = await readFile(path.join(encodedDir, name, 'index.m3u8'), 'utf8');
    const segments = parseMediaPlaylist(text);
    if (segments.length === 0) throw new Error(`rendition ${name} has no segments`);
    const pattern = fmp4 ? /^[\w-]+\.m4s$/ : /^[\w-]+\.ts$/;
    for (const segment of segments) {
      if (!pattern.test(segment.uri)) throw new Error(`unexpected segment name ${segment.uri}`);
    }
    if (!fmp4) return { name, tier, segments };
    const encodedMap = parseMapUri(text);
    if (!encodedMap || !/^[\w-]+\.mp4$/.test(encodedMap))
      throw new Error(`rendition ${name} has no EXT-X-MAP`);
    return { name, tier, segments, map: HEVC_INIT_SEGMENT, encodedMap };
  };
  const hevcLadder = options.hevc ?? [];
  const video = await Promise.all(ladder.video.map((rendition) => read(rendition.name, rendition.tier)));
  const hevc = await Promise.all(hevcLadder.map((rendition) => read(rendition.name, rendition.tier, true)));
  const audio = await Promise.all(ladder.audio.map((track) => read(track.name, 'SD')));
  const all = [...video, ...hevc, ...audio];

  const plan = planContentKeys({
    renditions: all.map(({ name, tier, segments }) => ({ name, tier, segmentCount: segments.length })),
    rotationSegments: options.keyRotationSegments ?? 0,
    source: options.keySource,
  });

  // What x264 actually wrote (a fast preset may fall back to Baseline tools), and the first PTS.
  const videoInfo = await Promise.all(
    video.map(async (rendition) =>
      readTsVideoInfo(await readHead(path.join(encodedDir, rendition.name, rendition.segments[0]!.uri))),
    ),
  );
  // The codec string from the hvcC box x265 wrote; the init section itself carries no media.
  const hevcProfiles = await Promise.all(
    hevc.map(async (rendition) => {
      const from = path.join(encodedDir, rendition.name, rendition.encodedMap!);
      await mkdir(path.join(outputDir, rendition.name), { recursive: true });
      await copyFile(from, path.join(outputDir, rendition.name, HEVC_INIT_SEGMENT));
      return readHevcProfile(await readFile(from));
    }),
  );
  const sizes = new Map<string, number[]>();
  const jobs = all.flatMap((rendition) =>
    rendition.segments.map((segment, index) => ({ rendition, segment, index })),
  );
  let done = 0;
  await forEachLimit({
    items: jobs,
    limit: options.concurrency ?? 4,
    signal,
    run: async ({ rendition, segment, index }) => {
      const key = plan.keyFor({ rendition: rendition.name, segment: index });
      const bytes = await encryptFile({
        from: path.join(encodedDir, rendition.name, segment.uri),
        to: path.join(outputDir, rendition.name, segment.uri),
        key,
      });
      const list = sizes.get(rendition.name) ?? [];
      list[index] = bytes;
      sizes.set(rendition.name, list);
      done++;
      report(Math.min(99.9, Math.floor((done / jobs.length) * 1000) / 10));
    },
  });

  const measured = new Map<string, MeasuredBandwidth>();
  for (const rendition of all) {
    const segments = rendition.segments.map((segment, index) => {
      const { keyId, iv } = plan.keyFor({ rendition: rendition.name, segment: index });
      return { ...segment, encryption: { uri: `${keyUriPrefix}${keyId}`, iv } };
    });
    const playlist = renderMediaPlaylist({ segments, map: rendition.map });
    await writeFile(path.join(outputDir, rendition.name, 'index.m3u8'), playlist);
    const targetDuration = Math.max(1, ...rendition.segments.map((segment) => Math.round(segment.duration)));
    measured.set(
      rendition.name,
      measureBandwidth({
        segments: rendition.segments.map((segment, index) => ({
          duration: segment.duration,
          bytes: sizes.get(rendition.name)?.[index] ?? 0,
        })),
        targetDuration,
      }),
    );
  }

  const subtitleTracks = await writeSubtitles({
    subtitles: options.subtitles ?? [],
    outputDir,
    firstPts: videoInfo[0]?.firstPts,
    durationSeconds: totalDuration(video[0]!.segments),
  });

  const loudest = {
    peak: Math.max(0, ...audio.map((track) => measured.get(track.name)!.peak)),
    average: Math.max(0, ...audio.map((track) => measured.get(track.name)!.average)),
  };
  const renditions = ladder.video.map((rendition, i): RenditionManifest => {
    const encoded = video[i]!;
    const own = measured.get(rendition.name)!;
    const avc = videoInfo[i]?.avc ?? plannedAvcProfile(rendition.level);
    return {
      name: rendition.name,
      width: rendition.width,
      height: rendition.height,
      tier: rendition.tier,
      bandwidth: Math.ceil(own.peak + loudest.peak),
      averageBandwidth: Math.ceil(own.average + loudest.average),
      codecs: [avcCodecString(avc), ...(audio.length > 0 ? [AAC_LC] : [])].join(','),
      frameRate: ladder.fps,
      playlist: `${rendition.name}/index.m3u8`,
      segmentCount: encoded.segments.length,
      durationSeconds: totalDuration(encoded.segments),
    };
  });
  for (const [i, rendition] of hevcLadder.entries()) {
    const own = measured.get(rendition.name)!;
    const profile = hevcProfiles[i] ?? plannedHevcProfile(rendition.level);
    renditions.push({
      name: rendition.name,
      width: rendition.width,
      height: rendition.height,
      tier: rendition.tier,
      videoCodec: 'hevc',
      bandwidth: Math.ceil(own.peak + loudest.peak),
      averageBandwidth: Math.ceil(own.average + loudest.average),
      codecs: [hevcCodecString(profile), ...(audio.length > 0 ? [AAC_LC] : [])].join(','),
      frameRate: ladder.fps,
      playlist: `${rendition.name}/index.m3u8`,
      segmentCount: hevc[i]!.segments.length,
      durationSeconds: totalDuration(hevc[i]!.segments),
    });
  }
  const audioTracks = ladder.audio.map((track: AudioRendition, i): AudioTrackManifest => {
    const own = measured.get(track.name)!;
    return {
      name: track.name,
      language: track.language,
      label: track.label,
      channels: track.channels,
      isDefault: track.isDefault,
      bandwidth: Math.ceil(own.peak),
      averageBandwidth: Math.ceil(own.average),
      playlist: `${track.name}/index.m3u8`,
      segmentCount: audio[i]!.segments.length,
      durationSeconds: totalDuration(audio[i]!.segments),
    };
  });

  const master = renderMasterPlaylist({
    variants: renditions.map((rendition) => ({ ...rendition, uri: rendition.playlist })),
    audio: audioTracks.map((track) => ({
      uri: track.playlist,
      language: track.language,
      name: track.label,
      isDefault: track.isDefault,
      channels: track.channels,
    })),
    subtitles: subtitleTracks.map((track) => ({
      uri: track.playlist,
      language: track.language,
      name: track.label,
      isDefault: track.isDefault,
      forced: track.forced,
    })),
  });
  await writeFile(path.join(outputDir, MASTER_PLAYLIST), master);
  report(100);

  return {
    masterPlaylist: MASTER_PLAYLIST,
    renditions,
    audioTracks,
    subtitleTracks,
    keys: plan.keys,
    segmentSeconds,
  };
}

async function encryptFile(options: { from: string; to: string; key: ContentKey }): Promise<number> {
  await mkdir(path.dirname(options.to), { recursive: true });
  // Node's CBC cipher pads with PKCS#7 by default, as RFC 8216 §5.2 requires.
  const cipher = createCipheriv('aes-128-cbc', options.key.key, options.key.iv);
  await pipeline(createReadStream(options.from), cipher, createWriteStream(options.to));
  return (await stat(options.to)).size;
}

/** The first 64 KiB of a segment: enough for the first access unit's PES header and SPS. */
async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead - (bytesRead % 188));
  } finally {
    await handle.close();
  }
}

async function writeSubtitles(options: {
  subtitles: readonly PreparedSubtitle[];
  outputDir: string;
  firstPts: number | undefined;
  durationSeconds: number;
}): Promise<SubtitleTrackManifest[]> {
  const tracks: SubtitleTrackManifest[] = [];
  const used = new Map<string, number>();
  for (const subtitle of options.subtitles) {
    const base = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(subtitle.language) ? subtitle.language : 'und';
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    const name = count === 1 ? base : `${base}-${count}`;
    const vtt = await readFile(subtitle.vttPath, 'utf8');
    await mkdir(path.join(options.outputDir, 'subs'), { recursive: true });
    await writeFile(
      path.join(options.outputDir, 'subs', `${name}.vtt`),
      withTimestampMap({ vtt, mpegTsPts: options.firstPts ?? 0 }),
    );
    await writeFile(
      path.join(options.outputDir, 'subs', `${name}.m3u8`),
      renderSubtitlePlaylist({ uri: `${name}.vtt`, durationSeconds: options.durationSeconds }),
    );
    tracks.push({
      name,
      language: subtitle.language,
      label: subtitle.label,
      isDefault: subtitle.isDefault ?? false,
      forced: subtitle.forced ?? false,
      playlist: `subs/${name}.m3u8`,
      file: `subs/${name}.vtt`,
    });
  }
  return tracks;
}

/**
 * RFC 8216 §3.5: without X-TIMESTAMP-MAP a player takes cue time 0 as MPEG-TS time 0, but
 * ffmpeg's segments start around 1.4 s (mux delay plus B-frame shift). Mapping cue time 0 to
 * the first video frame's PTS keeps the subtitles on the picture.
 */
export function withTimestampMap(options: { vtt: string; mpegTsPts: number }): string {
  const lines = options.vtt.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0]?.startsWith('WEBVTT') ? lines.shift()! : 'WEBVTT';
  const headerEnd = lines.indexOf('');
  const rest = lines.filter(
    (line, index) => !(line.startsWith('X-TIMESTAMP-MAP=') && (headerEnd < 0 || index < headerEnd)),
  );
  return [header, `X-TIMESTAMP-MAP=MPEGTS:${options.mpegTsPts},LOCAL:00:00:00.000`, ...rest].join('\n');
}

function totalDuration(segments: readonly PlaylistSegment[]): number {
  return Math.round(segments.reduce((sum, segment) => sum + segment.duration, 0) * 1000) / 1000;
}

/**
 * Runs `run` over items, at most `limit` at a time. After a failure or an abort no new item
 * starts, and it settles only when the running ones have, so the caller may delete the files.
 */
async function forEachLimit<T>(options: {
  items: readonly T[];
  limit: number;
  signal?: AbortSignal;
  run: (item: T) => Promise<void>;
}): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < options.items.length) {
      options.signal?.throwIfAborted();
      try {
        await options.run(options.items[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(options.limit, options.items.length) }, worker),
  );
  const rejected = results.find((result) => result.status === 'rejected');
  if (rejected) throw rejected.reason;
}
