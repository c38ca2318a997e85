/**
 * Ad decisioning, pure: which campaigns may serve this break (targeting, flight, budget, pacing,
 * daily cap, frequency cap) and which fill a pod (priority, price, competitive separation). No
 * clock, no cache, no database: the service hands in the facts and applies the answer.
 */

export const contentKinds = ['vod', 'live'] as const;
export type ContentKind = (typeof contentKinds)[number];

export interface Targeting {
  genres?: readonly string[];
  minMaturity?: number;
  maxMaturity?: number;
  /** ISO 3166-1 alpha-2; a viewer whose country is unknown never matches a region list. */
  regions?: readonly string[];
  deviceTypes?: readonly string[];
  /** UTC hours 0–23 the campaign runs in. */
  hoursUtc?: readonly number[];
  contentKinds?: readonly ContentKind[];
}

export interface ReadyCreative {
  id: string;
  name: string;
  clickThroughUrl: string;
  companionImageUrl: string | null;
  durationSeconds: number;
  renditions: ReadonlyArray<{ width: number; height: number; bitrateKbps: number; key: string }>;
}

/** A campaign as decisioning sees it: its rules and what it has delivered so far. */
export interface LiveCampaign {
  id: string;
  advertiserId: string;
  advertiserName: string;
  name: string;
  priority: number;
  cpmMinor: number;
  budgetMinor: number;
  dailyImpressionCap: number | null;
  frequencyCapPerDay: number | null;
  competitiveCategory: string | null;
  startsAt: Date;
  endsAt: Date;
  targeting: Targeting;
  creatives: readonly ReadyCreative[];
  /** Thousandths of a minor unit, since the start. */
  spentMilli: number;
  spentTodayMilli: number;
  impressionsToday: number;
}

/** What the break is shown in and to whom. */
export interface AdContext {
  genres: readonly string[];
  maturityLevel: number;
  region: string | null;
  deviceType: string;
  contentKind: ContentKind;
  now: Date;
}

export type Ineligibility =
  | 'no_creative'
  | 'outside_flight'
  | 'budget_exhausted'
  | 'daily_cap'
  | 'paced'
  | 'genre'
  | 'maturity'
  | 'region'
  | 'device'
  | 'hour'
  | 'content_kind';

const DAY_MS = 86_400_000;
/** Early in the day a campaign may run this share of the day ahead of even pacing. */
export const PACING_SLACK = 0.1;

/** Whether the context matches the campaign's targeting; the first reason it doesn't. */
export function targetingMiss(targeting: Targeting, context: AdContext): Ineligibility | null {
  if (targeting.genres?.length && !targeting.genres.some((genre) => context.genres.includes(genre)))
    return 'genre';
  if (targeting.minMaturity !== undefined && context.maturityLevel < targeting.minMaturity) return 'maturity';
  if (targeting.maxMaturity !== undefined && context.maturityLevel > targeting.maxMaturity) return 'maturity';
  if (targeting.regions?.length && (context.region === null || !targeting.regions.includes(context.region)))
    return 'region';
  if (targeting.deviceTypes?.length && !targeting.deviceTypes.includes(context.deviceType)) return 'device';
  if (targeting.hoursUtc?.length && !targeting.hoursUtc.includes(context.now.getUTCHours())) return 'hour';
  if (targeting.contentKinds?.length && !targeting.contentKinds.includes(context.contentKind))
    return 'content_kind';
  return null;
}

/**
 * Even pacing: what remains of the budget is spread over the flight's remaining UTC days, and
 * today's share over the hours of today — so a campaign doesn't spend its month by breakfast.
 */
export function pacingMiss(campaign: LiveCampaign, now: Date): Ineligibility | null {
  const budgetMilli = campaign.budgetMinor * 1000;
  if (campaign.spentMilli + campaign.cpmMinor > budgetMilli) return 'budget_exhausted';
  if (campaign.dailyImpressionCap !== null && campaign.impressionsToday >= campaign.dailyImpressionCap)
    return 'daily_cap';
  const startOfToday = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const daysLeft = Math.max(1, Math.ceil((campaign.endsAt.getTime() - startOfToday) / DAY_MS));
  const remainingAtDayStart = budgetMilli - (campaign.spentMilli - campaign.spentTodayMilli);
  const todayShare = remainingAtDayStart / daysLeft;
  const dayElapsed = (now.getTime() - startOfToday) / DAY_MS;
  if (campaign.spentTodayMilli >= todayShare * Math.min(1, dayElapsed + PACING_SLACK)) return 'paced';
  return null;
}

/** Whether a campaign may serve now in this context; the first reason it may not. */
export function ineligibility(campaign: LiveCampaign, context: AdContext): Ineligibility | null {
  if (campaign.creatives.length === 0) return 'no_creative';
  if (context.now < campaign.startsAt || context.now >= campaign.endsAt) return 'outside_flight';
  return pacingMiss(campaign, context.now) ?? targetingMiss(campaign.targeting, context);
}

/** Priority first, then the price paid, then the id (a stable order for equal offers). */
export function byPreference(a: LiveCampaign, b: LiveCampaign): number {
  return b.priority - a.priority || b.cpmMinor - a.cpmMinor || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface PodChoice {
  campaign: LiveCampaign;
  creative: ReadyCreative;
}

/**
 * Fills a pod of at most `podSize` ads from eligible campaigns, best first: one ad per campaign,
 * never two of one competitive category (nor one of a category the session just saw), and
 * within what the frequency caps leave (`servedToday`: this profile's ads of each campaign today).
 * `pick` chooses among a campaign's creatives (the service rotates them).
 */
export function selectPod(options: {
  eligible: readonly LiveCampaign[];
  podSize: number;
  servedToday: ReadonlyMap<string, number>;
  excludedCategories?: readonly string[];
  pick?: (creatives: readonly ReadyCreative[]) => ReadyCreative;
  /** The caller's list is already best first (`byPreference`), as the campaign cache keeps it. */
  sorted?: boolean;
}): PodChoice[] {
  const { podSize, servedToday } = options;
  const pick = options.pick ?? ((creatives) => creatives[0]!);
  const categories = new Set(options.excludedCategories ?? []);
  const pod: PodChoice[] = [];
  const ordered = options.sorted ? options.eligible : [...options.eligible].sort(byPreference);
  for (const campaign of ordered) {
    if (pod.length >= podSize) break;
    if (campaign.creatives.length === 0) continue;
    const cap = campaign.frequencyCapPerDay;
    if (cap !== null && (servedToday.get(campaign.id) ?? 0) >= cap) continue;
    const category = campaign.competitiveCategory;
    if (category !== null && categories.has(category)) continue;
    if (category !== null) categories.add(category);
    pod.push({ campaign, creative: pick(campaign.creatives) });
  }
  return pod;
}

/** A plan's ad policy (subscriptions' plan row). */
export interface AdPolicy {
  hasAds: boolean;
  preroll: boolean;
  /** 0: no mid-rolls. */
  midrollIntervalSeconds: number;
  podMax: number;
}

export interface AdBreak {
  index: number;
  /** Seconds into the content; 0 is the pre-roll. */
  offsetSeconds: number;
  podSize: number;
}

/** Mid-rolls closer than this to the end are dropped: the viewer is in the credits. */
export const MIN_TAIL_SECONDS = 30;

/**
 * The breaks of one viewing: a pre-roll if the policy has one, then a mid-roll every
 * `midrollIntervalSeconds`, each moved to the nearest cue point within half an interval (the
 * title's own breaks: a scene change, a fade), none in the last 30 seconds.
 */
export function breakSchedule(options: {
  policy: AdPolicy;
  durationSeconds: number | null;
  cuePoints: readonly number[];
}): AdBreak[] {
  const { policy, cuePoints } = options;
  if (!policy.hasAds) return [];
  const offsets: number[] = policy.preroll ? [0] : [];
  const duration = options.durationSeconds ?? 0;
  const interval = policy.midrollIntervalSeconds;
  if (interval > 0) {
    for (let at = interval; at < duration - MIN_TAIL_SECONDS; at += interval) {
      const nearest = cuePoints
        .filter((cue) => Math.abs(cue - at) <= interval / 2 && cue < duration - MIN_TAIL_SECONDS)
        .sort((a, b) => Math.abs(a - at) - Math.abs(b - at))[0];
      const offset = Math.round((nearest ?? at) * 1000) / 1000;
      if (!offsets.includes(offset) && offset > (offsets.at(-1) ?? -1)) offsets.push(offset);
    }
  }
  return offsets.map((offsetSeconds, index) => ({ index, offsetSeconds, podSize: policy.podMax }));
}
