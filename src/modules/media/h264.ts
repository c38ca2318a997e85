/**
 * H.264 facts the ladder and the master playlist need. Pure.
 */

interface LevelLimits {
  level: string;
  /** Macroblocks per second. */
  maxMbps: number;
  /** Macroblocks per frame. */
  maxFs: number;
  /** kbit/s for Baseline/Main; High allows 1.25× (ITU-T H.264 Table A-1, A.3.3). */
  maxBrKbps: number;
  maxCpbKbits: number;
}

// ITU-T H.264 (08/2021) Table A-1, without level 1b.
const LEVELS: readonly LevelLimits[] = [
  { level: '1', maxMbps: 1485, maxFs: 99, maxBrKbps: 64, maxCpbKbits: 175 },
  { level: '1.1', maxMbps: 3000, maxFs: 396, maxBrKbps: 192, maxCpbKbits: 500 },
  { level: '1.2', maxMbps: 6000, maxFs: 396, maxBrKbps: 384, maxCpbKbits: 1000 },
  { level: '1.3', maxMbps: 11880, maxFs: 396, maxBrKbps: 768, maxCpbKbits: 2000 },
  { level: '2', maxMbps: 11880, maxFs: 396, maxBrKbps: 2000, maxCpbKbits: 2000 },
  { level: '2.1', maxMbps: 19800, maxFs: 792, maxBrKbps: 4000, maxCpbKbits: 4000 },
  { level: '2.2', maxMbps: 20250, maxFs: 1620, maxBrKbps: 4000, maxCpbKbits: 4000 },
  { level: '3', maxMbps: 40500, maxFs: 1620, maxBrKbps: 10000, maxCpbKbits: 10000 },
  { level: '3.1', maxMbps: 108000, maxFs: 3600, maxBrKbps: 14000, maxCpbKbits: 14000 },
  { level: '3.2', maxMbps: 216000, maxFs: 5120, maxBrKbps: 20000, maxCpbKbits: 20000 },
  { level: '4', maxMbps: 245760, maxFs: 8192, maxBrKbps: 20000, maxCpbKbits: 25000 },
  { level: '4.1', maxMbps: 245760, maxFs: 8192, maxBrKbps: 50000, maxCpbKbits: 62500 },
  { level: '4.2', maxMbps: 522240, maxFs: 8704, maxBrKbps: 50000, maxCpbKbits: 62500 },
  { level: '5', maxMbps: 589824, maxFs: 22080, maxBrKbps: 135000, maxCpbKbits: 135000 },
  { level: '5.1', maxMbps: 983040, maxFs: 36864, maxBrKbps: 240000, maxCpbKbits: 240000 },
  { level: '5.2', maxMbps: 2073600, maxFs: 36864, maxBrKbps: 240000, maxCpbKbits: 240000 },
  { level: '6', maxMbps: 4177920, maxFs: 139264, maxBrKbps: 240000, maxCpbKbits: 240000 },
  { level: '6.1', maxMbps: 8355840, maxFs: 139264, maxBrKbps: 480000, maxCpbKbits: 480000 },
  { level: '6.2', maxMbps: 16711680, maxFs: 139264, maxBrKbps: 800000, maxCpbKbits: 800000 },
];

const HIGH_PROFILE_BITRATE_FACTOR = 1.25;

/**
 * The lowest High-profile level that admits a stream. x264 is told this level, so it also keeps
 * its reference frames within the level's decoded picture buffer.
 */
export function h264LevelFor(stream: {
  width: number;
  height: number;
  fps: number;
  maxrateKbps: number;
  bufsizeKbps: number;
}): string {
  const widthMbs = Math.ceil(stream.width / 16);
  const heightMbs = Math.ceil(stream.height / 16);
  const frameSize = widthMbs * heightMbs;
  const fits = (limits: LevelLimits) =>
    frameSize <= limits.maxFs &&
    // A.3.1 (f): neither side may exceed sqrt(8 × MaxFS) macroblocks.
    Math.max(widthMbs, heightMbs) <= Math.sqrt(8 * limits.maxFs) &&
    frameSize * stream.fps <= limits.maxMbps &&
    stream.maxrateKbps <= limits.maxBrKbps * HIGH_PROFILE_BITRATE_FACTOR &&
    stream.bufsizeKbps <= limits.maxCpbKbits * HIGH_PROFILE_BITRATE_FACTOR;
  return (LEVELS.find(fits) ?? LEVELS[LEVELS.length - 1]!).level;
}

/** The SPS bytes an RFC 6381 `avc1.PPCCLL` string is made of. */
export interface AvcProfile {
  profileIdc: number;
  /** constraint_set0..5 flags and reserved bits, as one byte. */
  constraintFlags: number;
  levelIdc: number;
}

/** RFC 6381 §3.3: 'avc1.' + profile_idc, the constraint byte and level_idc, in hex. */
export function avcCodecString(profile: AvcProfile): string {
  const hex = (byte: number) => byte.toString(16).padStart(2, '0');
  return `avc1.${hex(profile.profileIdc)}${hex(profile.constraintFlags)}${hex(profile.levelIdc)}`;
}

/** What x264 writes for `-profile:v high -level:v <level>` when the preset uses High tools. */
export function plannedAvcProfile(level: string): AvcProfile {
  return { profileIdc: 100, constraintFlags: 0, levelIdc: Math.round(Number(level) * 10) };
}
