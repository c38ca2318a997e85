import { execFile } from 'node:child_process';
import { z } from 'zod';
import { MediaNotAVideo, MediaToolUnavailable, MediaUnreadable } from './media.errors.ts';
import { summarizeToolError } from './tool-output.ts';

/** What ffprobe tells us about an uploaded file, reduced to what the pipeline decides on. */
export interface MediaProbe {
  /** ffprobe's demuxer name, e.g. 'mov,mp4,m4a,3gp,3g2,mj2' or 'matroska,webm'. */
  formatName: string;
  durationSeconds: number;
  sizeBytes: number | null;
  bitRate: number | null;
  video: VideoStreamProbe;
  audio: AudioStreamProbe[];
  subtitles: SubtitleStreamProbe[];
}

export interface VideoStreamProbe {
  /** Absolute stream index in the file (`-map 0:<index>`). */
  index: number;
  codec: string;
  /** Coded size, before pixel aspect and rotation. */
  width: number;
  height: number;
  /** Size as shown: pixel aspect applied, turned by the rotation. What the ladder works from. */
  displayWidth: number;
  displayHeight: number;
  fps: number;
  /** The rational ffprobe reported, e.g. '30000/1001'. */
  frameRate: string;
  /** Clockwise degrees a player turns the picture (phones record landscape and flag portrait). */
  rotation: 0 | 90 | 180 | 270;
  /** Sample (pixel) aspect ratio as a number; 1 for square pixels. */
  pixelAspect: number;
  pixelFormat: string | null;
  interlaced: boolean;
}

export interface AudioStreamProbe {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number | null;
  /** ISO 639-2 tag as muxed ('eng', 'fre'), or 'und'. */
  language: string;
  title: string | null;
  isDefault: boolean;
}

export interface SubtitleStreamProbe {
  index: number;
  codec: string;
  language: string;
  title: string | null;
  isDefault: boolean;
  isForced: boolean;
}

export interface ProbeOptions {
  path: string;
  ffprobePath?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Containers that name other files or URLs (playlists, concat lists, image sequences). Reading
 * them would let an upload make ffmpeg fetch what it points at — the classic ffmpeg SSRF/LFI.
 */
const REFERENCING_FORMATS = new Set(['hls', 'concat', 'dash', 'image2', 'tee', 'ffmetadata']);

/**
 * Runs ffprobe on a local file. Rejects with MEDIA_UNREADABLE (ffprobe can't read it),
 * MEDIA_NOT_A_VIDEO (no video stream, or a still image), MEDIA_TOOL_UNAVAILABLE, or the signal's
 * reason when aborted.
 */
export async function probeMedia(options: ProbeOptions): Promise<MediaProbe> {
  const { path, ffprobePath = 'ffprobe', timeoutMs = DEFAULT_TIMEOUT_MS, signal } = options;
  signal?.throwIfAborted();
  const args = [
    '-v',
    'error',
    // Only local files: a crafted container must not reach the network.
    '-protocol_whitelist',
    'file',
    '-print_format',
    'json',
    '-show_streams',
    '-show_format',
    '-i',
    `file:${path}`,
  ];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      ffprobePath,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, signal },
      (error, out, err) => {
        if (!error) return resolve(out);
        if (signal?.aborted) return reject(signal.reason as Error);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(MediaToolUnavailable(`${ffprobePath} was not found`, { tool: 'ffprobe' }));
        }
        const reason = error.killed
          ? `ffprobe gave no answer within ${Math.round(timeoutMs / 1000)} s`
          : summarizeToolError({ lines: err.split('\n'), paths: [path] }) || 'ffprobe failed';
        reject(MediaUnreadable(reason, { reason, tool: 'ffprobe' }));
      },
    );
  });
  return parseProbeOutput(stdout);
}

const tagsSchema = z.record(z.string(), z.string()).optional();
const streamSchema = z.object({
  index: z.number(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  sample_aspect_ratio: z.string().optional(),
  pix_fmt: z.string().optional(),
  field_order: z.string().optional(),
  channels: z.number().optional(),
  sample_rate: z.string().optional(),
  duration: z.string().optional(),
  disposition: z.record(z.string(), z.number()).optional(),
  tags: tagsSchema,
  side_data_list: z
    .array(z.object({ side_data_type: z.string().optional(), rotation: z.number().optional() }))
    .optional(),
});
const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z
    .object({
      format_name: z.string().optional(),
      duration: z.string().optional(),
      size: z.string().optional(),
      bit_rate: z.string().optional(),
    })
    .optional(),
});
type RawStream = z.infer<typeof streamSchema>;

/** Turns ffprobe's JSON into a MediaProbe. Pure, so odd files can be table-tested as JSON. */
export function parseProbeOutput(json: string): MediaProbe {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    raw = undefined;
  }
  const parsed = probeSchema.safeParse(raw);
  if (!parsed.success) throw MediaUnreadable('ffprobe output was not understood');
  const { streams, format } = parsed.data;
  const formatName = format?.format_name ?? 'unknown';
  if (REFERENCING_FORMATS.has(formatName)) {
    const reason = `'${formatName}' files refer to other files and are not accepted`;
    throw MediaUnreadable(reason, { reason, tool: 'ffprobe' });
  }
  const videoStream = streams.find(
    (stream) => stream.codec_type === 'video' && stream.disposition?.['attached_pic'] !== 1,
  );
  if (!videoStream || !videoStream.width || !videoStream.height) {
    const reason = `no video stream (found: ${describeStreams(streams)})`;
    throw MediaNotAVideo(reason, { reason });
  }
  const durationSeconds = positive(format?.duration) ?? positive(videoStream.duration);
  if (durationSeconds === undefined) {
    const reason = `'${formatName}' has no duration: a still image is not a video`;
    throw MediaNotAVideo(reason, { reason });
  }
  return {
    formatName,
    durationSeconds,
    sizeBytes: positive(format?.size) ?? null,
    bitRate: positive(format?.bit_rate) ?? null,
    video: videoProbe(videoStream),
    audio: streams
      .filter((stream) => stream.codec_type === 'audio')
      .map((stream) => ({
        index: stream.index,
        codec: stream.codec_name ?? 'unknown',
        channels: stream.channels ?? 2,
        sampleRate: positive(stream.sample_rate) ?? null,
        language: languageOf(stream),
        title: stream.tags?.['title'] ?? null,
        isDefault: stream.disposition?.['default'] === 1,
      })),
    subtitles: streams
      .filter((stream) => stream.codec_type === 'subtitle')
      .map((stream) => ({
        index: stream.index,
        codec: stream.codec_name ?? 'unknown',
        language: languageOf(stream),
        title: stream.tags?.['title'] ?? null,
        isDefault: stream.disposition?.['default'] === 1,
        isForced: stream.disposition?.['forced'] === 1,
      })),
  };
}

function videoProbe(stream: RawStream): VideoStreamProbe {
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  const pixelAspect = rational(stream.sample_aspect_ratio, ':') ?? 1;
  const rotation = rotationOf(stream);
  const shownWidth = Math.round(width * pixelAspect);
  const turned = rotation === 90 || rotation === 270;
  const { fps, frameRate } = frameRateOf(stream);
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    width,
    height,
    displayWidth: turned ? height : shownWidth,
    displayHeight: turned ? shownWidth : height,
    fps,
    frameRate,
    rotation,
    pixelAspect,
    pixelFormat: stream.pix_fmt ?? null,
    interlaced: ['tt', 'bb', 'tb', 'bt'].includes(stream.field_order ?? ''),
  };
}

/**
 * ffprobe ≥ 5 reports the display matrix's counter-clockwise angle in side data; older muxers
 * also left a clockwise `rotate` tag. Both become clockwise degrees in quarter turns.
 */
function rotationOf(stream: RawStream): VideoStreamProbe['rotation'] {
  const matrix = stream.side_data_list?.find((side) => side.side_data_type === 'Display Matrix');
  const clockwise =
    matrix?.rotation !== undefined ? -matrix.rotation : Number(stream.tags?.['rotate'] ?? 0) || 0;
  const quarter = (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
  return quarter as VideoStreamProbe['rotation'];
}

/**
 * avg_frame_rate is the true rate for constant-rate files; r_frame_rate is a guess that reads as
 * 1000/1 or 90000/1 for some variable-rate recordings, so it is only the fallback.
 */
function frameRateOf(stream: RawStream): { fps: number; frameRate: string } {
  for (const candidate of [stream.avg_frame_rate, stream.r_frame_rate]) {
    const fps = rational(candidate, '/');
    if (candidate && fps !== undefined && fps > 0 && fps <= 300) return { fps, frameRate: candidate };
  }
  return { fps: 30, frameRate: '30/1' };
}

function rational(text: string | undefined, separator: string): number | undefined {
  if (!text) return undefined;
  const [numerator, denominator] = text.split(separator).map(Number);
  if (!numerator || !denominator || !Number.isFinite(numerator / denominator)) return undefined;
  return numerator / denominator;
}

function positive(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

function languageOf(stream: RawStream): string {
  const language = stream.tags?.['language']?.trim().toLowerCase();
  return language || 'und';
}

function describeStreams(streams: readonly RawStream[]): string {
  if (streams.length === 0) return 'nothing';
  return streams
    .map((stream) =>
      stream.disposition?.['attached_pic'] === 1
        ? `cover art ${stream.codec_name ?? ''}`.trim()
        : `${stream.codec_type ?? '?'} ${stream.codec_name ?? ''}`.trim(),
    )
    .join(', ');
}
