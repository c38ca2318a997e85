/**
 * What the viewer is told for each refusal code of POST /api/playback/:itemId (docs/ERRORS.md),
 * and what they can do about it. Pure: the table test checks every code has an answer.
 */
export type RefusalAction = 'end-another-stream' | 'upgrade' | 'sign-in' | 'switch-profile' | 'none';

export interface Refusal {
  message: string;
  action: RefusalAction;
}

export const refusals: Record<string, Refusal> = {
  PLAYBACK_STREAM_LIMIT: {
    message: 'Too many screens are playing on your account right now. End one of them to watch here.',
    action: 'end-another-stream',
  },
  PLAYBACK_PLAN_REQUIRED: {
    message: 'Your plan does not include this title (or has no subscription yet). Upgrade to watch it.',
    action: 'upgrade',
  },
  LIVE_PLAN_REQUIRED: {
    message: 'This live event needs a higher plan. Upgrade to watch it.',
    action: 'upgrade',
  },
  PLAYBACK_REGION_BLOCKED: { message: 'This title is not available in your region.', action: 'none' },
  PLAYBACK_MATURITY_BLOCKED: {
    message: 'This title is above this profile’s maturity rating. Switch to another profile to watch it.',
    action: 'switch-profile',
  },
  PLAYBACK_NOT_AVAILABLE: { message: 'This title is not available to watch at this time.', action: 'none' },
  PLAYBACK_NOT_READY: { message: 'This title has no playable video yet. Try again later.', action: 'none' },
  CATALOG_NOT_PLAYABLE: { message: 'This has no video of its own: pick an episode.', action: 'none' },
  CATALOG_TITLE_NOT_FOUND: { message: 'No such title.', action: 'none' },
  LIVE_EVENT_NOT_FOUND: { message: 'No such live event.', action: 'none' },
  PLAYBACK_SESSION_ENDED: {
    message: 'This stream was ended (from another device, or it timed out).',
    action: 'none',
  },
};

/** Codes whose server detail says more than the general line ("not available yet", "has ended"). */
const detailed = new Set(['PLAYBACK_NOT_AVAILABLE', 'PLAYBACK_NOT_READY']);

export function refusalFor(code: string | null, status: number, detail: string): Refusal {
  const known = code ? refusals[code] : undefined;
  if (known && code && detailed.has(code) && detail)
    return { ...known, message: detail.replace(/\.?$/, '.') };
  if (known) return known;
  if (status === 401) return { message: 'Please sign in again.', action: 'sign-in' };
  return { message: detail || 'This title cannot be played right now.', action: 'none' };
}
