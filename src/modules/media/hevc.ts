import type { Ladder, VideoRendition } from './ladder.ts';

/**
 * HEVC facts the ladder and the master playlist need. Pure: table-tested in hevc.test.ts.
 *
 * H.264 stays the baseline every device plays; HEVC copies of the top rungs are an extra offered
 * only to clients that say they decode it (playback's `codecs`), for the same picture in fewer
 * bytes. They are packaged as fMP4 (CMAF) segments: Apple's HLS authoring spec admits HEVC in
 * fMP4 only, not in MPEG-TS.
 */

/** Which rungs get an HEVC copy: none, or the top ones (1080p and up). */
export type HevcMode = 'off' | 'top';
export const DEFAULT_HEVC_MODE: HevcMode = 'off';
/** The shortest rung (its nominal p) that gets an HEVC copy in 'top' mode. */
export const HEVC_MIN_P = 1080;
/**
 * x265 CRF at about x264's CRF 23 picture: x265's scale sits ~5 higher for the same quality
 * (x265 docs: "default 28 … roughly equivalent to x264 CRF 23").
 */
export const HEVC_CRF_OFFSET = 5;
/** HEVC's cap as a share of the H.264 rung's: the usual ~30–40 % saving at the same picture. */
export const HEVC_BITRATE_SHARE = 0.7;
/**
 * How far (SSIM against the source) a copy may score below its H.264 rung and still be offered:
 * the "same picture" tolerance. The copies exist to give HEVC players the same picture in
 * fewer bytes, never a worse one.
 */
export const HEVC_MAX_SSIM_LOSS = 0.005;

/**
 * The HEVC copies of a ladder's top rungs: same sizes and frame rate (so they switch with the
 * H.264 rungs at the same segment boundaries and fall under the same tier keys), named
 * `h<p>`, with a CRF and caps scaled for x265.
 */
export function chooseHevcRenditions(options: { ladder: Ladder; mode: HevcMode }): VideoRendition[] {
  if (options.mode === 'off') return [];
  return options.ladder.video
    .filter((rendition) => rendition.p >= HEVC_MIN_P)
    .map((rendition) => {
      const maxrateKbps = Math.round(rendition.maxrateKbps * HEVC_BITRATE_SHARE);
      const bufsizeKbps = Math.round(rendition.bufsizeKbps * HEVC_BITRATE_SHARE);
      return {
        ...rendition,
        name: `h${rendition.p}`,
        videoBitrateKbps: Math.round(rendition.videoBitrateKbps * HEVC_BITRATE_SHARE),
        maxrateKbps,
        bufsizeKbps,
        level: hevcLevelFor({ ...rendition, fps: options.ladder.fps, maxrateKbps, bufsizeKbps }),
        ...(rendition.crf !== undefined && { crf: Math.min(51, rendition.crf + HEVC_CRF_OFFSET) }),
      };
    });
}

/**
 * The quality target, from the H.264 rung's measured SSIM: a copy is kept only when it scores
 * within HEVC_MAX_SSIM_LOSS of the rung it copies. The others are not packaged (their players get
 * the H.264 rung, which looks better): measured in bench:ladder, x265 at the presets a small host
 * affords falls short on some pictures at any share that still saves bytes (docs/ARCHITECTURE.md),
 * and a second x265 run at a higher cap would cost more than the copy is worth.
 */
export function keepMatchingHevc(options: {
  ladder: Pick<Ladder, 'video'>;
  hevc: readonly VideoRendition[];
  ssim: ReadonlyMap<string, number>;
}): { kept: VideoRendition[]; dropped: VideoRendition[] } {
  const kept: VideoRendition[] = [];
  const dropped: VideoRendition[] = [];
  for (const copy of options.hevc) {
    const rung = options.ladder.video.find((rendition) => rendition.p === copy.p);
    const [copySsim, rungSsim] = [options.ssim.get(copy.name), rung && options.ssim.get(rung.name)];
    if (copySsim === undefined || rungSsim === undefined)
      throw new Error(`${copy.name} or its H.264 rung is unscored`);
    (copySsim >= rungSsim - HEVC_MAX_SSIM_LOSS ? kept : dropped).push(copy);
  }
  return { kept, dropped };
}

interface HevcLevelLimits {
  level: string;
  /** Luma samples per picture (ITU-T H.265 Table A.8, MaxLumaPs). */
  maxLumaPs: number;
  /** Luma samples per second (Table A.9, MaxLumaSr). */
  maxLumaSr: number;
  /** Main tier, kbit/s (Table A.9, MaxBR, Main profile). */
  maxBrKbps: number;
}

// ITU-T H.265 (V8) Tables A.8 and A.9, Main tier.
const LEVELS: readonly HevcLevelLimits[] = [
  { level: '3', maxLumaPs: 552_960, maxLumaSr: 16_588_800, maxBrKbps: 6_000 },
  { level: '3.1', maxLumaPs: 983_040, maxLumaSr: 33_177_600, maxBrKbps: 10_000 },
  { level: '4', maxLumaPs: 2_228_224, maxLumaSr: 66_846_720, maxBrKbps: 12_000 },
  { level: '4.1', maxLumaPs: 2_228_224, maxLumaSr: 133_693_440, maxBrKbps: 20_000 },
  { level: '5', maxLumaPs: 8_912_896, maxLumaSr: 267_386_880, maxBrKbps: 25_000 },
  { level: '5.1', maxLumaPs: 8_912_896, maxLumaSr: 534_773_760, maxBrKbps: 40_000 },
  { level: '5.2', maxLumaPs: 8_912_896, maxLumaSr: 1_069_547_520, maxBrKbps: 60_000 },
  { level: '6', maxLumaPs: 35_651_584, maxLumaSr: 1_069_547_520, maxBrKbps: 60_000 },
];

/** The lowest Main-tier level that admits a stream (x265 is told it, and keeps within it). */
export function hevcLevelFor(stream: {
  width: number;
  height: number;
  fps: number;
  maxrateKbps: number;
  bufsizeKbps: number;
}): string {
  const picture = stream.width * stream.height;
  const fits = (limits: HevcLevelLimits) =>
    picture <= limits.maxLumaPs &&
    // A.4.1: neither side may exceed sqrt(8 × MaxLumaPs).
    Math.max(stream.width, stream.height) <= Math.sqrt(8 * limits.maxLumaPs) &&
    picture * stream.fps <= limits.maxLumaSr &&
    stream.maxrateKbps <= limits.maxBrKbps &&
    // Main tier: MaxCPB equals MaxBR over one second at every level in Table A.9.
    stream.bufsizeKbps <= limits.maxBrKbps;
  return (LEVELS.find(fits) ?? LEVELS[LEVELS.length - 1]!).level;
}

/** The profile_tier_level fields of an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 §8.3.3). */
export interface HevcProfile {
  profileSpace: number;
  /** false: Main tier; true: High tier. */
  highTier: boolean;
  profileIdc: number;
  /** general_profile_compatibility_flags, 32 bits, flag 0 in the top bit. */
  compatibilityFlags: number;
  /** general_constraint_indicator_flags: 6 bytes. */
  constraintFlags: readonly number[];
  levelIdc: number;
}

/**
 * The `hvcC` box of an fMP4 initialization segment, as written by the encoder: the codec string
 * comes from these bytes, not from what we asked x265 for. Scans for the box type rather than
 * walking moov/trak/…/stsd: an init segment is small and 'hvcC' cannot occur before the box.
 */
export function readHevcProfile(initSegment: Uint8Array): HevcProfile | undefined {
  const bytes = Buffer.from(initSegment.buffer, initSegment.byteOffset, initSegment.byteLength);
  const at = bytes.indexOf('hvcC', 0, 'latin1');
  // 4-byte type, then configurationVersion (1) and the 12 bytes of profile_tier_level.
  if (at < 4 || at + 4 + 13 > bytes.length || bytes[at + 4] !== 1) return undefined;
  const body = at + 4;
  const first = bytes[body + 1]!;
  return {
    profileSpace: first >> 6,
    highTier: ((first >> 5) & 1) === 1,
    profileIdc: first & 0x1f,
    compatibilityFlags: bytes.readUInt32BE(body + 2),
    constraintFlags: [...bytes.subarray(body + 6, body + 12)],
    levelIdc: bytes[body + 12]!,
  };
}

/**
 * RFC 6381 via ISO/IEC 14496-15 Annex E.3: `hvc1.` + profile space letter and profile_idc, the
 * compatibility flags bit-reversed in hex, tier letter and level_idc, then the constraint bytes
 * in hex with trailing zero bytes left off — `hvc1.1.6.L120.90` for Main at level 4.
 */
export function hevcCodecString(profile: HevcProfile): string {
  const space = ['', 'A', 'B', 'C'][profile.profileSpace] ?? '';
  let reversed = 0;
  for (let bit = 0; bit < 32; bit++) reversed = (reversed << 1) | ((profile.compatibilityFlags >>> bit) & 1);
  const constraints = [...profile.constraintFlags];
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  return [
    'hvc1',
    `${space}${profile.profileIdc}`,
    (reversed >>> 0).toString(16).toUpperCase(),
    `${profile.highTier ? 'H' : 'L'}${profile.levelIdc}`,
    ...constraints.map((byte) => byte.toString(16).toUpperCase().padStart(2, '0')),
  ].join('.');
}

/** What x265 writes for Main at `level` (progressive, frame-only): the fallback codec string. */
export function plannedHevcProfile(level: string): HevcProfile {
  return {
    profileSpace: 0,
    highTier: false,
    profileIdc: 1,
    compatibilityFlags: 0x60000000,
    constraintFlags: [0x90, 0, 0, 0, 0, 0],
    levelIdc: Math.round(Number(level) * 30),
  };
}

/** Whether a variant's CODECS names an HEVC video codec. */
export function isHevcCodecs(codecs: string): boolean {
  return codecs.split(',').some((codec) => /^(hvc1|hev1)\./i.test(codec.trim()));
}
