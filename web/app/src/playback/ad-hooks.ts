import type { Schemas } from '../../../ui/api/openapi.generated.ts';

/**
 * Hooks for features built on other branches, so they plug in without reshaping the player:
 *  - ads (free plan): `prerollFor` is asked before the title starts; when the ads API lands it
 *    returns the VAST/VMAP pre-roll to play first. Until then a plan with ads plays no ad.
 *  - live events with chat: a live session is a PlaybackSession whose master playlist is live;
 *    the chat panel mounts in `player-side` beside the video.
 */
export interface Preroll {
  mediaUrl: string;
  durationSeconds: number;
  clickThroughUrl: string | null;
}

export async function prerollFor(_options: {
  session: Schemas['PlaybackSession'];
  hasAds: boolean;
}): Promise<Preroll | null> {
  return null;
}
