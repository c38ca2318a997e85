import { randomBytes, randomUUID } from 'node:crypto';
import type { QualityTier } from './ladder.ts';

/**
 * Which content key encrypts which segment. Pure, given a key source.
 *
 * Each quality tier has its own keys, so the key server can refuse HD keys to an SD plan and a
 * leaked SD key opens no HD segment. Audio uses the SD keys: every plan that may play anything
 * may hear it. With rotation every N segments a key opens at most N segments of each rendition
 * of its tier; renditions are keyframe-aligned, so segment i of every rendition in a tier covers
 * the same time and shares one key.
 */

export interface ContentKey {
  keyId: string;
  tier: QualityTier;
  /** AES-128 key: 16 bytes. Store it wrapped (key-wrap.ts), never as a file beside the media. */
  key: Buffer;
  /** The IV written into EXT-X-KEY for the segments this key encrypts. */
  iv: Buffer;
  /** Media sequence number (0-based) of the first segment this key encrypts, in each rendition. */
  firstSegment: number;
  /** Names of the renditions ('v720', 'a-eng') with segments under this key. */
  renditions: string[];
}

export interface KeyedRendition {
  name: string;
  tier: QualityTier;
  segmentCount: number;
}

export type KeySource = () => { keyId: string; key: Buffer; iv: Buffer };

export const randomKeySource: KeySource = () => ({
  keyId: randomUUID(),
  key: randomBytes(16),
  iv: randomBytes(16),
});

export interface KeyPlan {
  keys: ContentKey[];
  /** The key for a rendition's segment (0-based). */
  keyFor(options: { rendition: string; segment: number }): ContentKey;
}

/** `rotationSegments` 0 means one key per tier for the whole title. */
export function planContentKeys(options: {
  renditions: readonly KeyedRendition[];
  rotationSegments: number;
  source?: KeySource;
}): KeyPlan {
  const { renditions, rotationSegments, source = randomKeySource } = options;
  if (!Number.isInteger(rotationSegments) || rotationSegments < 0) {
    throw new RangeError('keyRotationSegments must be an integer ≥ 0');
  }
  const period = (segment: number) => (rotationSegments === 0 ? 0 : Math.floor(segment / rotationSegments));
  const byTierAndPeriod = new Map<string, ContentKey>();
  const keys: ContentKey[] = [];
  const tierOf = new Map(renditions.map((rendition) => [rendition.name, rendition.tier]));

  for (const rendition of renditions) {
    for (let segment = 0; segment < rendition.segmentCount; segment++) {
      const slot = `${rendition.tier}/${period(segment)}`;
      let key = byTierAndPeriod.get(slot);
      if (!key) {
        key = { ...source(), tier: rendition.tier, firstSegment: segment, renditions: [] };
        byTierAndPeriod.set(slot, key);
        keys.push(key);
      }
      if (!key.renditions.includes(rendition.name)) key.renditions.push(rendition.name);
    }
  }
  keys.sort((a, b) => a.tier.localeCompare(b.tier) || a.firstSegment - b.firstSegment);

  return {
    keys,
    keyFor({ rendition, segment }) {
      const tier = tierOf.get(rendition);
      const key = tier && byTierAndPeriod.get(`${tier}/${period(segment)}`);
      if (!key) throw new RangeError(`no key for ${rendition} segment ${segment}`);
      return key;
    },
  };
}

/** Bits per second of a media playlist (RFC 8216 §4.3.4.2). */
export interface MeasuredBandwidth {
  /**
   * The peak segment bit rate: the highest rate over any run of consecutive segments lasting
   * 0.5–1.5 × the target duration. Runs rather than single segments, so a 40 ms runt at the end
   * doesn't read as a 20 Mbit/s peak.
   */
  peak: number;
  average: number;
}

export function measureBandwidth(options: {
  segments: ReadonlyArray<{ bytes: number; duration: number }>;
  targetDuration: number;
}): MeasuredBandwidth {
  const { segments, targetDuration } = options;
  const totalBits = segments.reduce((sum, segment) => sum + segment.bytes * 8, 0);
  const totalDuration = segments.reduce((sum, segment) => sum + segment.duration, 0);
  const average = totalDuration > 0 ? totalBits / totalDuration : 0;
  let peak = 0;
  for (let start = 0; start < segments.length; start++) {
    let bits = 0;
    let duration = 0;
    for (let end = start; end < segments.length; end++) {
      bits += segments[end]!.bytes * 8;
      duration += segments[end]!.duration;
      if (duration > 1.5 * targetDuration) break;
      if (duration >= 0.5 * targetDuration) peak = Math.max(peak, bits / duration);
    }
  }
  // A title shorter than half a target duration has no qualifying run: its one rate is the peak.
  return { peak: Math.max(peak, average), average };
}
