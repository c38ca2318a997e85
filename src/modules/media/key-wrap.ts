import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyUnwrapFailed } from './media.errors.ts';

/**
 * Envelope encryption of content keys at rest: AES-256-GCM under a master key that never enters
 * the database. The key's id is authenticated data, so a wrapped key copied onto another key's
 * row fails to unwrap instead of silently decrypting someone else's content. Pure.
 *
 * Layout: version (1 byte) · nonce (12) · ciphertext (as long as the key) · tag (16).
 */

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function aad(keyId: string): Buffer {
  return Buffer.from(`marquee/content-key/v${VERSION}/${keyId}`, 'utf8');
}

function assertMasterKey(masterKey: Uint8Array): void {
  if (masterKey.length !== 32) throw new RangeError('the master key must be 32 bytes (AES-256)');
}

export function wrapKey(options: { masterKey: Uint8Array; contentKey: Uint8Array; keyId: string }): Buffer {
  const { masterKey, contentKey, keyId } = options;
  assertMasterKey(masterKey);
  if (contentKey.length === 0) throw new RangeError('the content key is empty');
  // A random 96-bit nonce per wrap: safe far beyond the number of keys one master key will see
  // (NIST SP 800-38D §8.3 bounds random nonces at 2^32 messages per key).
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(keyId));
  const ciphertext = Buffer.concat([cipher.update(contentKey), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), nonce, ciphertext, cipher.getAuthTag()]);
}

/** Rejects with MEDIA_KEY_UNWRAP_FAILED if the blob, the id or the master key doesn't match. */
export function unwrapKey(options: { masterKey: Uint8Array; wrapped: Uint8Array; keyId: string }): Buffer {
  const { masterKey, keyId } = options;
  const wrapped = Buffer.from(options.wrapped);
  assertMasterKey(masterKey);
  if (wrapped.length <= 1 + NONCE_BYTES + TAG_BYTES || wrapped[0] !== VERSION) {
    throw KeyUnwrapFailed(`the wrapped key for ${keyId} is malformed`);
  }
  const nonce = wrapped.subarray(1, 1 + NONCE_BYTES);
  const ciphertext = wrapped.subarray(1 + NONCE_BYTES, wrapped.length - TAG_BYTES);
  const tag = wrapped.subarray(wrapped.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(keyId));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw KeyUnwrapFailed(`the wrapped key for ${keyId} failed authentication`);
  }
}
