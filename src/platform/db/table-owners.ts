import type { DB } from './db.generated.ts';

/**
 * Which module owns which table: only the owner's repositories query it; another module asks the
 * owner's service (media hands out keys and manifests, identity answers about accounts). Typed
 * by the generated schema, so a migration that adds a table without an owner fails the type
 * check, and `table-owners.test.ts` fails when a module queries a table it doesn't own.
 * `platform` tables belong to a port's adapter (the mail outbox, the migrator's ledger).
 */
export const tableOwners = {
  apiKeys: 'identity',
  emailTokens: 'identity',
  oidcIdentities: 'identity',
  profiles: 'identity',
  refreshTokens: 'identity',
  securityEvents: 'identity',
  sessions: 'identity',
  users: 'identity',
  auditLog: 'audit',
  analyticsEvents: 'analytics',
  analyticsRollups: 'analytics',
  analyticsWatermarks: 'analytics',
  episodes: 'catalog',
  genres: 'catalog',
  maturityRatings: 'catalog',
  people: 'catalog',
  seasons: 'catalog',
  titleCredits: 'catalog',
  titleGenres: 'catalog',
  titleRatingPrior: 'catalog',
  titleRatings: 'catalog',
  titles: 'catalog',
  contentKeys: 'media',
  itemVideos: 'media',
  videoAssets: 'media',
  videoRenditions: 'media',
  downloadDevices: 'playback',
  downloads: 'playback',
  playbackSessions: 'playback',
  commentBans: 'engagement',
  commentReports: 'engagement',
  comments: 'engagement',
  myList: 'engagement',
  titleReactions: 'engagement',
  watchProgress: 'engagement',
  liveChatMessages: 'live',
  liveEvents: 'live',
  recommendationFeedback: 'recommendations',
  recommendationNeighbours: 'recommendations',
  recommendationNotInterested: 'recommendations',
  recommendationRows: 'recommendations',
  recommendationRules: 'recommendations',
  recommendationSignals: 'recommendations',
  couponRedemptions: 'subscriptions',
  coupons: 'subscriptions',
  planPrices: 'subscriptions',
  plans: 'subscriptions',
  subscriptionPayments: 'subscriptions',
  subscriptions: 'subscriptions',
  subscriptionNotices: 'subscriptions',
  webhookEvents: 'subscriptions',
  appSettings: 'platform',
  mailOutbox: 'platform',
  schemaMigrations: 'platform',
} as const satisfies Record<keyof DB, string>;

export type TableOwner = (typeof tableOwners)[keyof typeof tableOwners];
