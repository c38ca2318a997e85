import { TIER_MAX_HEIGHT, type QualityTier } from '../media/index.ts';

/**
 * What a plan lets a viewer receive. Pure: the plan row in, the caps out. The key server asks
 * mayReceiveKey for every key; the playlist filter (playlist-rewrite.ts) hides what it would refuse.
 */

/** The columns of a plan that playback reads. */
export interface PlanLimits {
  id: string;
  /** Tallest picture, in pixels: 480, 720, 1080, 2160. */
  maxHeight: number;
  /** Streams playing at once. */
  maxStreams: number;
  /** Signed-in devices. */
  maxDevices: number;
  /** Downloads held at once; 0 means the plan has no downloads. */
  maxDownloads: number;
  /** Devices holding downloads at once. */
  maxDownloadDevices: number;
}

export interface PlanQuality extends Readonly<PlanLimits> {
  /** The key tiers the plan may receive, lowest first. */
  readonly tiers: readonly QualityTier[];
  readonly allowsDownloads: boolean;
}

const TIERS: readonly QualityTier[] = ['SD', 'HD', 'FHD', 'UHD'];

/**
 * The height a plan needs to reach a tier. UHD has no ceiling (TIER_MAX_HEIGHT.UHD is ∞), so
 * "the tier's ceiling ≤ maxHeight" would never admit it: a plan reaches UHD at 2160 (4K), the
 * top rung of the default ladder.
 */
const TIER_THRESHOLD: Readonly<Record<QualityTier, number>> = Object.freeze({
  SD: TIER_MAX_HEIGHT.SD,
  HD: TIER_MAX_HEIGHT.HD,
  FHD: TIER_MAX_HEIGHT.FHD,
  UHD: 2160,
});

/**
 * A tier is allowed iff its threshold ≤ maxHeight. SD is always allowed: it is the smallest key
 * granularity (and opens the audio), so even a plan capped below 480 gets it; the playlist
 * filter still hides the variants above the cap.
 */
export function tiersFor(maxHeight: number): QualityTier[] {
  return TIERS.filter((tier) => tier === 'SD' || TIER_THRESHOLD[tier] <= maxHeight);
}

/** Whether a session capped at `maxHeight` may receive a content key of `keyTier`. */
export function mayReceiveKey(options: { keyTier: QualityTier; maxHeight: number }): boolean {
  return tiersFor(options.maxHeight).includes(options.keyTier);
}

export function planQuality(plan: PlanLimits): PlanQuality {
  const { id, maxHeight, maxStreams, maxDevices, maxDownloads, maxDownloadDevices } = plan;
  for (const [name, value] of Object.entries({ maxStreams, maxDevices, maxDownloads, maxDownloadDevices })) {
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`plan ${id}: ${name} must be an integer ≥ 0`);
  }
  if (!(maxHeight > 0)) throw new RangeError(`plan ${id}: maxHeight must be positive`);
  return Object.freeze({
    id,
    maxHeight,
    maxStreams,
    maxDevices,
    maxDownloads,
    maxDownloadDevices,
    tiers: Object.freeze(tiersFor(maxHeight)),
    allowsDownloads: maxDownloads > 0 && maxDownloadDevices > 0,
  });
}
