import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { beaconEvents, type BeaconEvent } from './vast-xml.ts';

/**
 * Beacon URLs carry a MAC over the ad instance, its campaign, the event and an expiry, so a
 * client can neither invent an ad instance nor turn one event's URL into another's (an impression
 * into a complete) nor keep replaying it after it expires. Dedup (one count per instance and
 * event) is the tracking service's job; this only says whether the server minted the URL.
 *
 * One HMAC-SHA512 per ad instance, not one per event: its 64 bytes are cut into nine disjoint
 * 7-byte tags, one per event, in the fixed order of `beaconEvents`. HMAC is a PRF, so each slice
 * is independent of the others: knowing eight events' tags says nothing about the ninth's, and a
 * tag is checked only at its own event's offset. A VAST pod of two ads went from 18 HMACs to 2
 * (each about 2 µs here). A tag is 56 bits: forging one means guessing it online, one HTTP request
 * per guess (no offline oracle: the key never leaves the server), for one count of one event.
 * The reasoning in full: docs/SECURITY.md, "Ad beacons".
 */
export interface InstanceClaims {
  instanceId: string;
  campaignId: string;
  /** Epoch seconds after which the instance's beacons are refused. */
  expires: number;
}

export interface BeaconClaims extends InstanceClaims {
  event: BeaconEvent;
}

/** Separates these MACs from every other use of the same secret (playback tokens, signed paths). */
const CONTEXT = 'marquee/ads-beacon/v2';
export const TAG_BYTES = 7;
const offsetOf = new Map<string, number>(beaconEvents.map((event, index) => [event, index * TAG_BYTES]));
if (beaconEvents.length * TAG_BYTES > 64) throw new Error('beacon tags do not fit one HMAC-SHA512');

/** Where each event's tag lies in the instance's MAC (`instanceMac`). */
export const tagOffsets = Object.fromEntries(offsetOf) as Readonly<Record<BeaconEvent, number>>;

/** The instance's MAC: event e's tag is its bytes [tagOffsets[e], tagOffsets[e] + TAG_BYTES). */
export const instanceMac = (secret: Buffer | KeyObject, claims: InstanceClaims): Buffer =>
  createHmac('sha512', secret)
    .update(`${CONTEXT}\n${claims.instanceId}\n${claims.campaignId}\n${claims.expires}`)
    .digest();

/** Every event's tag (base64url, 10 characters) for one ad instance, from one HMAC. */
export function signInstance(
  secret: Buffer | KeyObject,
  claims: InstanceClaims,
): Record<BeaconEvent, string> {
  const digest = instanceMac(secret, claims);
  const tags = {} as Record<BeaconEvent, string>;
  for (const event of beaconEvents) {
    const offset = offsetOf.get(event)!;
    tags[event] = digest.toString('base64url', offset, offset + TAG_BYTES);
  }
  return tags;
}

/** One event's tag (what `signInstance` gives for it). */
export const signBeacon = (secret: Buffer | KeyObject, claims: BeaconClaims): string =>
  signInstance(secret, claims)[claims.event];

/** Constant-time; false for a malformed signature or an event that has no tag. */
export function verifyBeacon(options: {
  secret: Buffer | KeyObject;
  claims: BeaconClaims;
  signature: string;
}): boolean {
  const offset = offsetOf.get(options.claims.event);
  const given = Buffer.from(options.signature, 'base64url');
  if (offset === undefined || given.length !== TAG_BYTES) return false;
  const expected = instanceMac(options.secret, options.claims).subarray(offset, offset + TAG_BYTES);
  return timingSafeEqual(given, expected);
}
