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

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** 16 bytes are 21 base64url characters and a 22nd holding the last byte's low 2 bits. */
const WHOLE_CHARACTERS = Math.floor((MAC_BYTES * 8) / 6);

/**
 * The MAC truncated to 16 bytes, base64url. Encoded straight from the digest's own base64url
 * (a VAST pod signs a dozen or more beacons): its first 21 characters are the truncation's, and
 * the 22nd keeps only the bits of the 16th byte (what encoding the 16 bytes alone would write).
 */
export function signBeacon(secret: Buffer, claims: BeaconClaims): string {
  const full = createHmac('sha256', secret).update(payload(claims)).digest('base64url');
  const last = BASE64URL.indexOf(full[WHOLE_CHARACTERS]!) & 0b110000;
  return full.slice(0, WHOLE_CHARACTERS) + BASE64URL[last]!;
}

/** Constant-time; false for a malformed signature. */
export function verifyBeacon(options: { secret: Buffer; claims: BeaconClaims; signature: string }): boolean {
  const given = Buffer.from(options.signature, 'base64url');
  if (given.length !== MAC_BYTES) return false;
  const expected = Buffer.from(signBeacon(options.secret, options.claims), 'base64url');
  return timingSafeEqual(given, expected);
}
