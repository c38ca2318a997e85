import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 with rotating secrets, shared by playback tokens and signed paths. The first
 * secret signs; every secret verifies, so putting a new secret first never breaks a token that
 * is still in flight, and the old one can be dropped once the longest TTL has passed.
 */

/** Raw bytes, or a string taken as its UTF-8 bytes. Decode base64/hex config values first. */
export type HmacSecret = Uint8Array | string;

/** One secret, or a rotation list: newest first. */
export type HmacSecrets = HmacSecret | readonly HmacSecret[];

/** RFC 2104 §3: a key shorter than the hash output (32 bytes for SHA-256) weakens the MAC. */
export const MIN_SECRET_BYTES = 32;

export function normaliseSecrets(secrets: HmacSecrets): Buffer[] {
  const list = typeof secrets === 'string' || secrets instanceof Uint8Array ? [secrets] : [...secrets];
  if (list.length === 0) throw new RangeError('at least one signing secret is needed');
  return list.map((secret) => {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new RangeError(`a signing secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    return bytes;
  });
}

/**
 * `context` separates uses: a MAC made for a signed path never verifies as a playback token,
 * even where both are signed with the same secret.
 */
export function hmac(options: { secret: Buffer; context: string; data: string; bytes?: number }): Buffer {
  const mac = createHmac('sha256', options.secret).update(`${options.context}\n${options.data}`).digest();
  return options.bytes === undefined ? mac : mac.subarray(0, options.bytes);
}

/**
 * Whether `mac` was made by any of the secrets, truncated to `bytes` (32: the whole MAC).
 * Constant-time for each secret tried.
 */
export function verifyHmac(options: {
  secrets: readonly Buffer[];
  context: string;
  data: string;
  mac: Buffer;
  bytes?: number;
}): boolean {
  const { secrets, context, data, mac, bytes = 32 } = options;
  if (mac.length !== bytes) return false;
  let valid = false;
  for (const secret of secrets) {
    // Every secret is tried even after a match, so timing doesn't say which one signed.
    if (timingSafeEqual(hmac({ secret, context, data, bytes }), mac)) valid = true;
  }
  return valid;
}
