import { h264LevelFor } from './h264.ts';
import type { MediaProbe } from './probe.ts';

/**
 * Which renditions to encode from a source. Pure: table-tested in ladder.test.ts.
 */

/**
 * Quality tiers, aligned with the plans' caps (free 480p, basic 720p, standard 1080p, premium
 * 2160p): each tier has its own content keys, so a plan capped at 720p holds no key that opens a
 * 1080p segment. Commercial DRM draws the same lines (SD / HD / FHD / UHD key policies).
 */
export type QualityTier = 'SD' | 'HD' | 'FHD' | 'UHD';

/** The tallest picture each tier admits, lowest tier first. */
export const TIER_MAX_HEIGHT: Readonly<Record<QualityTier, number>> = Object.freeze({
  SD: 480,
  HD: 720,
  FHD: 1080,
  UHD: Number.POSITIVE_INFINITY,
});

export interface RungSpec {
  /** The rung's nominal size: 720 for "720p". */
  p: number;
  videoBitrateKbps: number;
  /** VBV peak; defaults to 1.5 × the bitrate. */
  maxrateKbps?: number;
  /** VBV buffer; defaults to 2 s at the peak rate. */
  bufsizeKbps?: number;
}

export const DEFAULT_RUNGS: readonly RungSpec[] = Object.freeze([
  { p: 240, videoBitrateKbps: 400 },
  { p: 360, videoBitrateKbps: 800 },
  { p: 480, videoBitrateKbps: 1400 },
  { p: 720, videoBitrateKbps: 2800 },
  { p: 1080, videoBitrateKbps: 5000 },
  { p: 2160, videoBitrateKbps: 16000 },
]);

export const DEFAULT_AUDIO_BITRATE_KBPS = 128;

/**
 * How the renditions spend their bits. 'fixed': a target bit rate per rung (ABR with a VBV
 * peak), whatever the picture. 'content-aware': capped CRF — a quality target (x264's CRF) with
 * the rung's bit rate as the cap (maxrate, 1 s buffer), so a static card spends a fraction of
 * what an action scene does; rungs that measure no better than the one below are then dropped
 * (dropIndistinctRungs, after the quality step).
 */
export type LadderMode = 'fixed' | 'content-aware';
export const DEFAULT_LADDER_MODE: LadderMode = 'content-aware';
/** x264 CRF of every rung in content-aware mode: measured in bench:ladder (SSIM within 0.005 of fixed). */
export const DEFAULT_CRF = 23;
/** A rung must beat the last kept rung's SSIM (both scaled to the source) by this much to stay. */
export const DEFAULT_MIN_SSIM_GAIN = 0.002;
export const DEFAULT_MAX_FPS = 60;

export interface VideoRendition {
  /** Directory-safe name, e.g. 'v720'. */
  name: string;
  p: number;
  width: number;
  height: number;
  tier: QualityTier;
  videoBitrateKbps: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  /** The lowest H.264 level (High profile) that admits this rendition, e.g. '3.1'. */
  level: string;
  /** Capped CRF (content-aware): the quality target; videoBitrateKbps is then only the cap. */
  crf?: number;
}

export interface AudioRendition {
  /** Directory-safe name, e.g. 'a-eng' ('a-eng-2' for a second English track). */
  name: string;
  /** Absolute stream index in the source. */
  sourceIndex: number;
  /** RFC 5646 tag for the playlist's LANGUAGE ('en'), or 'und'. */
  language: string;
  /** The tag as muxed in the source ('eng'). */
  sourceLanguage: string;
  /** What a player shows: the track's title, else the language's English name. */
  label: string;
  channels: number;
  bitrateKbps: number;
  isDefault: boolean;
}

export interface Ladder {
  video: VideoRendition[];
  audio: AudioRendition[];
  /** Output frame rate, shared by every rendition so keyframes line up. */
  fps: number;
  /** The same rate as an exact rational ('30000/1001'), for ffmpeg's fps filter. */
  frameRate: string;
  /** Keep every n-th source frame: 2 for 120 fps phone footage under a 60 fps cap. */
  frameStep: number;
  deinterlace: boolean;
}

export function tierFor(p: number): QualityTier {
  if (p <= TIER_MAX_HEIGHT.SD) return 'SD';
  if (p <= TIER_MAX_HEIGHT.HD) return 'HD';
  if (p <= TIER_MAX_HEIGHT.FHD) return 'FHD';
  return 'UHD';
}

/** Rounds to the nearest even number: 4:2:0 chroma needs even dimensions. */
const even = (value: number) => Math.max(2, Math.round(value / 2) * 2);
const evenFloor = (value: number) => Math.max(2, Math.floor(value / 2) * 2);

/**
 * Chooses the renditions for a source. A rung is a 16:9 box (p × p·16/9, stood on end for
 * vertical video) and the picture is scaled to fit it: for 16:9 and narrower pictures that is
 * "the short side is p"; for scope pictures (1920×800) it keeps them in the 1080p rung instead of
 * demoting them to 720p. A rung the picture would have to grow for is skipped — never upscale —
 * and a source smaller than every rung gets one rendition at its own size.
 */
export function chooseLadder(options: {
  probe: MediaProbe;
  rungs?: readonly RungSpec[];
  audioBitrateKbps?: number;
  maxFps?: number;
  mode?: LadderMode;
  crf?: number;
}): Ladder {
  const { probe, rungs = DEFAULT_RUNGS, audioBitrateKbps = DEFAULT_AUDIO_BITRATE_KBPS } = options;
  const maxFps = options.maxFps ?? DEFAULT_MAX_FPS;
  const mode = options.mode ?? 'fixed';
  const crf = mode === 'content-aware' ? (options.crf ?? DEFAULT_CRF) : undefined;
  if (rungs.length === 0) throw new RangeError('at least one rung is needed');
  if (crf !== undefined && !(Number.isInteger(crf) && crf >= 0 && crf <= 51)) {
    throw new RangeError('crf must be an integer 0–51');
  }
  const frameStep = Math.max(1, Math.ceil(probe.video.fps / maxFps - 1e-9));
  const fps = probe.video.fps / frameStep;
  const sourceWidth = probe.video.displayWidth;
  const sourceHeight = probe.video.displayHeight;
  const vertical = sourceHeight > sourceWidth;

  const video: VideoRendition[] = [];
  for (const rung of [...rungs].sort((a, b) => a.p - b.p)) {
    const long = (rung.p * 16) / 9;
    const [boxWidth, boxHeight] = vertical ? [rung.p, long] : [long, rung.p];
    const scale = Math.min(boxWidth / sourceWidth, boxHeight / sourceHeight);
    if (scale > 1 + 1e-6) continue;
    const width = Math.min(even(sourceWidth * scale), evenFloor(sourceWidth));
    const height = Math.min(even(sourceHeight * scale), evenFloor(sourceHeight));
    if (video.some((existing) => existing.width === width && existing.height === height)) continue;
    video.push(rendition({ rung, width, height, fps, crf }));
  }
  if (video.length === 0) {
    const smallest = [...rungs].sort((a, b) => a.p - b.p)[0]!;
    const width = evenFloor(sourceWidth);
    const height = evenFloor(sourceHeight);
    const rungArea = smallest.p * ((smallest.p * 16) / 9);
    const share = Math.max(0.25, Math.min(1, (width * height) / rungArea));
    const scaled = (kbps: number | undefined) => (kbps === undefined ? undefined : Math.round(kbps * share));
    const rung: RungSpec = {
      p: Math.min(width, height),
      videoBitrateKbps: Math.round(smallest.videoBitrateKbps * share),
      maxrateKbps: scaled(smallest.maxrateKbps),
      bufsizeKbps: scaled(smallest.bufsizeKbps),
    };
    video.push(rendition({ rung, width, height, fps, crf }));
  }

  return {
    video,
    audio: chooseAudio({ probe, bitrateKbps: audioBitrateKbps }),
    fps,
    frameRate: dividedRate({ frameRate: probe.video.frameRate, step: frameStep }),
    frameStep,
    deinterlace: probe.video.interlaced,
  };
}

function rendition(options: {
  rung: RungSpec;
  width: number;
  height: number;
  fps: number;
  crf: number | undefined;
}): VideoRendition {
  const { rung, width, height, fps, crf } = options;
  // Capped CRF: the rung's bit rate is the ceiling, over a 1 s buffer (measured: a 2 s buffer
  // let short complex titles overshoot the fixed ladder's bytes).
  const maxrateKbps = rung.maxrateKbps ?? Math.round(rung.videoBitrateKbps * (crf === undefined ? 1.5 : 1));
  const bufsizeKbps = rung.bufsizeKbps ?? maxrateKbps * (crf === undefined ? 2 : 1);
  return {
    name: `v${rung.p}`,
    p: rung.p,
    width,
    height,
    tier: tierFor(rung.p),
    videoBitrateKbps: rung.videoBitrateKbps,
    maxrateKbps,
    bufsizeKbps,
    level: h264LevelFor({ width, height, fps, maxrateKbps, bufsizeKbps }),
    ...(crf !== undefined && { crf }),
  };
}

/**
 * Which rungs earn their place: from the lowest up, a rung is kept only when its SSIM against
 * the source (scaled to the source's size, as a viewer's screen would) beats the last kept
 * rung's by at least `minSsimGain`. The lowest rung always stays. Pure.
 */
export function dropIndistinctRungs<T extends { p: number; ssim: number }>(options: {
  renditions: readonly T[];
  minSsimGain: number;
}): { kept: T[]; dropped: T[] } {
  const sorted = [...options.renditions].sort((a, b) => a.p - b.p);
  const kept: T[] = [];
  const dropped: T[] = [];
  for (const rendition of sorted) {
    const last = kept.at(-1);
    if (!last || rendition.ssim - last.ssim >= options.minSsimGain) kept.push(rendition);
    else dropped.push(rendition);
  }
  return { kept, dropped };
}

function dividedRate(options: { frameRate: string; step: number }): string {
  const [numerator = 30, denominator = 1] = options.frameRate.split('/').map(Number);
  const divided = denominator * options.step;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const common = gcd(numerator, divided) || 1;
  return `${numerator / common}/${divided / common}`;
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** Every audio track, AAC, at most stereo; exactly one is the default. */
function chooseAudio(options: { probe: MediaProbe; bitrateKbps: number }): AudioRendition[] {
  const { probe, bitrateKbps } = options;
  const defaultIndex = (probe.audio.find((track) => track.isDefault) ?? probe.audio[0])?.index;
  const used = new Map<string, number>();
  return probe.audio.map((track, ordinal) => {
    const sourceLanguage = /^[a-z]{2,3}$/.test(track.language) ? track.language : 'und';
    const count = (used.get(sourceLanguage) ?? 0) + 1;
    used.set(sourceLanguage, count);
    const language = bcp47(sourceLanguage);
    return {
      name: count === 1 ? `a-${sourceLanguage}` : `a-${sourceLanguage}-${count}`,
      sourceIndex: track.index,
      language,
      sourceLanguage,
      label: track.title?.trim() || labelFor({ language, ordinal }),
      channels: Math.min(2, Math.max(1, track.channels)),
      bitrateKbps,
      isDefault: track.index === defaultIndex,
    };
  });
}

/** ISO 639-2 ('eng', and bibliographic 'fre') → RFC 5646 ('en', 'fr'), as HLS's LANGUAGE wants. */
export function bcp47(iso639: string): string {
  if (iso639 === 'und') return 'und';
  try {
    return Intl.getCanonicalLocales(iso639)[0] ?? 'und';
  } catch {
    return 'und';
  }
}

function labelFor(options: { language: string; ordinal: number }): string {
  if (options.language === 'und') return `Audio ${options.ordinal + 1}`;
  return languageNames.of(options.language) ?? options.language;
}
