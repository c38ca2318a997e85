import { z } from 'zod';
import { text } from '../../shared/schemas.ts';

/**
 * The one catalog of analytics events: what players report (QoE beacons) and the domain events
 * other modules publish on the pub/sub port, each named in the past tense. Every event the sink
 * stores is an `AnalyticsEvent`; the rollups read the columns, the payload keeps the rest.
 */

const dimensions = {
  device: text({ max: 60 }).optional(),
  appVersion: text({ max: 40 }).optional(),
  /** ISO 3166-1 alpha-2; the edge's country header wins when it is set. */
  region: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code')
    .optional(),
};

const beaconBase = {
  /** The player's own id for the event: a retried batch is stored once. */
  id: z.uuid(),
  /** When it happened, by the player's clock (ISO 8601). */
  at: z.iso.datetime({ offset: true }),
  ...dimensions,
};

/** A player's quality-of-experience beacon, one of a batch (see POST /api/analytics/events). */
export const qoeBeaconSchema = z.discriminatedUnion('type', [
  z.object({
    ...beaconBase,
    type: z.literal('PlaybackStarted'),
    startupMs: z.number().int().min(0).max(600_000),
    renditionHeight: z.number().int().min(1).max(4320),
  }),
  z.object({
    ...beaconBase,
    type: z.literal('PlaybackRebuffered'),
    durationMs: z.number().int().min(0).max(3_600_000),
    /** The rendition playing when it stalled (QoE by rendition). */
    renditionHeight: z.number().int().min(1).max(4320).optional(),
  }),
  z.object({
    ...beaconBase,
    type: z.literal('BitrateSwitched'),
    fromHeight: z.number().int().min(1).max(4320),
    toHeight: z.number().int().min(1).max(4320),
    bitrate: z.number().int().min(1).max(1_000_000_000),
  }),
  z.object({
    ...beaconBase,
    type: z.literal('RenditionWatched'),
    renditionHeight: z.number().int().min(1).max(4320),
    seconds: z.number().min(0).max(3600),
  }),
  z.object({
    ...beaconBase,
    type: z.literal('PlaybackFailed'),
    code: z.string().regex(/^[A-Za-z0-9_.:-]{1,60}$/, 'letters, digits and _.:-'),
    fatal: z.boolean(),
    renditionHeight: z.number().int().min(1).max(4320).optional(),
  }),
]);
export type QoeBeacon = z.infer<typeof qoeBeaconSchema>;
export type QoeBeaconType = QoeBeacon['type'];

/** The domain events analytics keeps, by channel: names as their publishers spell them. */
export const domainEventTypes = {
  'engagement.events': [
    'TitleReacted',
    'TitleRated',
    'ProgressRecorded',
    'TitleFinished',
    'CommentPosted',
    'CommentHidden',
    'CommentRestored',
    'ListChanged',
  ],
  'media.events': [
    'TranscodeQueued',
    'TranscodeFinished',
    'TranscodeFailed',
    'TranscodeCancelled',
    'PackageRetired',
  ],
  // Ad beacons the ad server counted (once per ad instance and event): impressions, quartiles…
  'ads.events': ['AdBeaconCounted', 'AdSlotsCounted'],
  'identity.events': ['UserRegistered', 'UserSignedIn'],
  'subscriptions.events': [
    'SubscriptionTrialStarted',
    'SubscriptionActivated',
    'SubscriptionTrialConverted',
    'SubscriptionRenewed',
    'SubscriptionCancelled',
    'SubscriptionRefunded',
    'SubscriptionPlanLeft',
    'SubscriptionPlanChanged',
  ],
  // Named apart from the player's `PlaybackStarted` beacon (startup time), which counts plays.
  'playback.events': ['PlaybackSessionStarted'],
  'recommendations.events': ['RecommendationsImpressed', 'RecommendationsClicked'],
  'live.events': ['LiveViewerJoined', 'LiveChatMessagePosted', 'LiveViewersCounted'],
} as const;
export type DomainEventType = (typeof domainEventTypes)[keyof typeof domainEventTypes][number];

/**
 * Written by the worker itself: the streams open at one minute (from playback's sessions), whose
 * highest value per bucket is the peak concurrency of on-demand and live viewing.
 */
export const VIEWERS_SAMPLED = 'PlaybackViewersSampled';

/** The domain events `analytics_counters` rolls up (the business figures); the rest feed analytics_rollups. */
export const counterTypes = [
  VIEWERS_SAMPLED,
  ...domainEventTypes['identity.events'],
  ...domainEventTypes['subscriptions.events'],
  ...domainEventTypes['playback.events'],
  ...domainEventTypes['recommendations.events'],
  ...domainEventTypes['live.events'],
  ...domainEventTypes['ads.events'],
] as const;

/** The shape of a domain event as heard on the wire: checked, since pub/sub carries `unknown`. */
export const heardDomainEventSchema = z.looseObject({
  type: z.string().min(1).max(60),
  at: z.iso.datetime({ offset: true }).optional(),
  userId: z.uuid().optional(),
  titleId: z.uuid().nullable().optional(),
  itemId: z.uuid().optional(),
});

/** One stored event: what the sink appends and the rollups count. */
export interface AnalyticsEvent {
  eventId: string;
  type: QoeBeaconType | DomainEventType | typeof VIEWERS_SAMPLED;
  occurredAt: Date;
  userId: string | null;
  sessionId: string | null;
  titleId: string | null;
  itemId: string | null;
  planId: string;
  region: string;
  device: string;
  appVersion: string;
  payload: Record<string, unknown>;
}
