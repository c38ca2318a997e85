import { createHash, createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { DeviceKeyInvalid } from './playback.errors.ts';

/**
 * Device keys for offline licences: ECDH on P-256 (secp256r1).
 *
 * P-256 rather than X25519 because it is the curve every player runtime can keep in hardware and
 * use without a library: the iOS Secure Enclave only does P-256, Android Keystore (TEE/StrongBox)
 * has done P-256 ECDH since API 23 but X25519 only since Android 12, and WebCrypto has P-256
 * ECDH in every browser while X25519 is recent. A key that never leaves the secure element is
 * worth more than X25519's nicer implementation properties. Registration takes the public key
 * as a JWK ({kty:'EC', crv:'P-256', x, y}) or SPKI DER (what WebCrypto's exportKey('spki') and
 * SecKeyCopyExternalRepresentation-plus-header give).
 */

export type DevicePublicKeyInput = JsonWebKey | Uint8Array | KeyObject;

/** A P-256 public key, or DEVICE_KEY_INVALID. Points off the curve are refused by the import. */
export function parseDevicePublicKey(input: DevicePublicKeyInput): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) key = input;
    else if (input instanceof Uint8Array)
      key = createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' });
    else {
      // A private JWK would import (its public half), but a device that sends its private key
      // has a bug we want to hear about.
      if ('d' in input) throw DeviceKeyInvalid('the device sent a private key');
      key = createPublicKey({ key: input, format: 'jwk' });
    }
  } catch (error) {
    if (DeviceKeyInvalid.is(error)) throw error;
    throw DeviceKeyInvalid('the device key could not be read as a JWK or SPKI');
  }
  if (key.type !== 'public') throw DeviceKeyInvalid('the device key is not a public key');
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw DeviceKeyInvalid('the device key is not on P-256');
  }
  return key;
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url): a stable id for a device key. */
export function deviceKeyThumbprint(key: KeyObject): string {
  const { crv, kty, x, y } = key.export({ format: 'jwk' });
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}
