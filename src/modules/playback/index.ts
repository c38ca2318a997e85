// Secure playback's pure core: tokens, signed delivery, playlist filtering, offline licences and
// the plan rules. No database, no HTTP: routes and services wire these to the ports.
export {
  assertTokenBoundTo,
  issuePlaybackToken,
  verifyPlaybackToken,
  type PlaybackClaims,
} from './playback-token.ts';
export { MIN_SECRET_BYTES, type HmacSecret, type HmacSecrets } from './hmac-secrets.ts';
export {
  appendPathToken,
  PATH_TOKEN_PARAM,
  signPath,
  verifyPathToken,
  type VerifiedPathToken,
} from './signed-url.ts';
export {
  filterMasterPlaylist,
  fitsHeight,
  maxBitrateFor,
  parseAttributeList,
  rewriteUris,
  type UriKind,
} from './playlist-rewrite.ts';
export {
  cloudFrontCustomPolicy,
  cloudFrontSignedCookies,
  cloudFrontSignedUrl,
  type CloudFrontCookies,
  type CloudFrontSigningKey,
} from './cloudfront.ts';
export { deviceKeyThumbprint, parseDevicePublicKey, type DevicePublicKeyInput } from './device-keys.ts';
export {
  DEFAULT_PLAY_WINDOW_SECONDS,
  issueOfflineLicence,
  OFFLINE_LICENCE_FORMAT,
  openOfflineLicence,
  readOfflineLicence,
  type LicenceSigner,
  type OfflineContentKey,
  type OfflineLicence,
  type OfflineLicenceClaims,
  type TrustedLicenceKey,
} from './offline-licence.ts';
export {
  assertLicenceRenewable,
  licenceRenewal,
  type LicenceRenewalDecision,
  type LicenceRenewalFacts,
  type LicenceRenewalRefusal,
} from './licence-renewal.ts';
export {
  decideStreamStart,
  DEFAULT_HEARTBEAT_LAPSE_SECONDS,
  isSessionLive,
  type ActivePlaybackSession,
  type StreamDecision,
} from './stream-limits.ts';
export { mayReceiveKey, planQuality, tiersFor, type PlanLimits, type PlanQuality } from './quality.ts';
export {
  DeviceKeyInvalid,
  DownloadDeviceLimit,
  DownloadLicenceExpired,
  DownloadLicenceInvalid,
  DownloadLimit,
  DownloadNotRenewable,
  PlaybackKeyForbidden,
  PlaybackMaturityBlocked,
  PlaybackNotAvailable,
  PlaybackNotReady,
  PlaybackPlanRequired,
  PlaybackRegionBlocked,
  PlaybackSessionEnded,
  PlaybackStreamLimit,
  PlaybackTokenExpired,
  PlaybackTokenInvalid,
} from './playback.errors.ts';
export { PlaybackService, type Watcher, type Entitlement } from './playback.service.ts';
export { DeliveryService, DELIVERY_PREFIX } from './delivery.service.ts';
export { playbackRoutes } from './playback.routes.ts';
export { createPlayback } from './create-playback.ts';
export { PLAYBACK_EVENTS_CHANNEL, type PlaybackEvent } from './playback.events.ts';
export { packagesInUse } from './packages-in-use.ts';
export { concurrentStreamCounter } from './concurrent-streams.ts';
