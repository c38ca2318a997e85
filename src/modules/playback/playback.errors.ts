import { defineError } from '../../shared/errors.ts';

/**
 * Why playback or a download was refused. Codes are stable API: players switch on them to show
 * "upgrade", "too many screens", "sign in again" and so on.
 */

/** The plan's quality doesn't reach this title (or any rendition of it). */
export const PlaybackPlanRequired = defineError(
  'PLAYBACK_PLAN_REQUIRED',
  'payment_required',
  'Your plan does not include this title',
);
export const PlaybackNotAvailable = defineError(
  'PLAYBACK_NOT_AVAILABLE',
  'forbidden',
  'This title is not available to watch at this time',
);
export const PlaybackRegionBlocked = defineError(
  'PLAYBACK_REGION_BLOCKED',
  'forbidden',
  'This title is not available in your region',
);
export const PlaybackMaturityBlocked = defineError(
  'PLAYBACK_MATURITY_BLOCKED',
  'forbidden',
  "This title is above the profile's maturity rating",
);
export const PlaybackStreamLimit = defineError(
  'PLAYBACK_STREAM_LIMIT',
  'conflict',
  'Too many streams are playing on this account',
);
export const PlaybackNotReady = defineError(
  'PLAYBACK_NOT_READY',
  'conflict',
  'This title has no playable video yet',
);
export const PlaybackSessionEnded = defineError(
  'PLAYBACK_SESSION_ENDED',
  'gone',
  'This playback session has ended',
);
/** A content key above the plan's tier, or belonging to another title than the session's. */
export const PlaybackKeyForbidden = defineError(
  'PLAYBACK_KEY_FORBIDDEN',
  'forbidden',
  'This playback session may not receive this key',
);
/** Malformed, forged, signed with an unknown secret, or presented for another title or path. */
export const PlaybackTokenInvalid = defineError(
  'PLAYBACK_TOKEN_INVALID',
  'unauthenticated',
  'The playback token is not valid',
);
export const PlaybackTokenExpired = defineError(
  'PLAYBACK_TOKEN_EXPIRED',
  'unauthenticated',
  'The playback token has expired',
);

export const DownloadLimit = defineError(
  'DOWNLOAD_LIMIT',
  'conflict',
  'Too many downloads are held on this account',
);
export const DownloadDeviceLimit = defineError(
  'DOWNLOAD_DEVICE_LIMIT',
  'conflict',
  'Too many devices hold downloads on this account',
);
/** `extensions.reason` says why: see LicenceRenewalRefusal in licence-renewal.ts. */
export const DownloadNotRenewable = defineError(
  'DOWNLOAD_NOT_RENEWABLE',
  'forbidden',
  'This download can no longer be renewed',
);
/** A licence whose signature, device binding or wrapped keys don't check out. */
export const DownloadLicenceInvalid = defineError(
  'DOWNLOAD_LICENCE_INVALID',
  'unauthenticated',
  'The offline licence is not valid',
);
/** Past the licence's expiry, or past its play window after the first play. */
export const DownloadLicenceExpired = defineError(
  'DOWNLOAD_LICENCE_EXPIRED',
  'forbidden',
  'The offline licence has expired',
);
export const DeviceKeyInvalid = defineError(
  'DEVICE_KEY_INVALID',
  'invalid',
  'The device key is not a P-256 public key',
);
/** The plan has no downloads (maxDownloads or maxDownloadDevices is 0): an upgrade would help. */
export const DownloadPlanRequired = defineError(
  'DOWNLOAD_PLAN_REQUIRED',
  'payment_required',
  'Your plan does not include downloads',
);
/** Missing, another account's (ids are not an oracle), or already revoked. */
export const DownloadDeviceNotFound = defineError(
  'DOWNLOAD_DEVICE_NOT_FOUND',
  'not_found',
  'No such download device on this account',
);
/** Missing, or another account's. */
export const DownloadNotFound = defineError(
  'DOWNLOAD_NOT_FOUND',
  'not_found',
  'No such download on this account',
);
