import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BeaconEvent } from './vast-xml.ts';

/**
 * Beacon URLs carry an HMAC over the ad instance, its campaign, the event and an expiry, so a
 * client can neither invent an ad instance nor turn one event's URL into another's (an impression
 * into a complete) nor keep replaying it after it expires. Dedup (one count per instance and
 * event) is the tracking service's job; this only says whether the server minted the URL.
 */
export interface BeaconClaims {
  instanceId: string;
  campaignId: string;
  event: BeaconEvent;
  /** Epoch seconds after which the beacon is refused. */
  expires: number;
}

/** Separates these MACs from every other use of the same secret (playback tokens, signed paths). */
const CONTEXT = 'marquee/ads-beacon/v1';
const MAC_BYTES = 16;

const payload = (claims: BeaconClaims) =>
  `${CONTEXT}\n${claims.instanceId}\n${claims.campaignId}\n${claims.event}\n${claims.expires}`;

export function signBeacon(secret: Buffer, claims: BeaconClaims): string {
  return createHmac('sha256', secret)
    .update(payload(claims))
    .digest()
    .subarray(0, MAC_BYTES)
    .toString('base64url');
}

/** Constant-time; false for a malformed signature. */
export function verifyBeacon(options: { secret: Buffer; claims: BeaconClaims; signature: string }): boolean {
  const given = Buffer.from(options.signature, 'base64url');
  if (given.length !== MAC_BYTES) return false;
  const expected = Buffer.from(signBeacon(options.secret, options.claims), 'base64url');
  return timingSafeEqual(given, expected);
}
