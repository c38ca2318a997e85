import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { unwrapKey, wrapKey } from './key-wrap.ts';
import { KeyUnwrapFailed } from './media.errors.ts';

describe('content key wrapping (AES-256-GCM)', () => {
  const masterKey = randomBytes(32);
  const contentKey = randomBytes(16);
  const keyId = '3f0c8a52-7a8e-4d0b-9c57-5b7f3c1e2a10';

  it('round-trips, and never gives the same blob twice', () => {
    const wrapped = wrapKey({ masterKey, contentKey, keyId });
    assert.equal(wrapped.length, 1 + 12 + 16 + 16);
    assert.deepEqual(unwrapKey({ masterKey, wrapped, keyId }), contentKey);
    assert.notDeepEqual(wrapKey({ masterKey, contentKey, keyId }), wrapped, 'a fresh nonce per wrap');
    assert.equal(wrapped.includes(contentKey), false);
  });

  it('refuses a blob moved to another key id', () => {
    const wrapped = wrapKey({ masterKey, contentKey, keyId });
    assert.throws(
      () => unwrapKey({ masterKey, wrapped, keyId: 'a-different-key-id' }),
      (error) => KeyUnwrapFailed.is(error),
    );
  });

  it('detects any flipped bit: version, nonce, ciphertext or tag', () => {
    const wrapped = wrapKey({ masterKey, contentKey, keyId });
    for (const position of [0, 1, 12, 13, 28, 29, wrapped.length - 1]) {
      const tampered = Buffer.from(wrapped);
      tampered[position]! ^= 0x01;
      assert.throws(
        () => unwrapKey({ masterKey, wrapped: tampered, keyId }),
        (error) => KeyUnwrapFailed.is(error),
        `byte ${position}`,
      );
    }
  });

  it('refuses the wrong master key and malformed blobs', () => {
    const wrapped = wrapKey({ masterKey, contentKey, keyId });
    assert.throws(
      () => unwrapKey({ masterKey: randomBytes(32), wrapped, keyId }),
      (error) => KeyUnwrapFailed.is(error),
    );
    assert.throws(() => unwrapKey({ masterKey, wrapped: wrapped.subarray(0, 20), keyId }), /malformed/);
    assert.throws(() => wrapKey({ masterKey: randomBytes(16), contentKey, keyId }), /32 bytes/);
    assert.throws(() => wrapKey({ masterKey, contentKey: Buffer.alloc(0), keyId }), /empty/);
  });
});
