import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { PlaybackTokenExpired, PlaybackTokenInvalid } from './playback.errors.ts';
import { appendPathToken, signPath, verifyPathToken } from './signed-url.ts';

const secret = randomBytes(32);
const now = new Date('2026-03-01T12:00:00Z');
const expiresAt = new Date('2026-03-01T16:00:00Z');
const prefix = '/media/4f9a1b5c-6d7e-4f8a-8b3c-4d5e6f708192/';
const sessionId = '0b5c7d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';
const token = signPath({ secret, prefix, expiresAt, sessionId });
const invalid = (error: unknown) => PlaybackTokenInvalid.is(error);

describe('signed paths', () => {
  it('are short enough to append to every segment URL', () => {
    assert.ok(token.length <= 80, `${token.length} characters: ${token}`);
    assert.match(token, /^[\w.-]+$/, 'needs no escaping in a query string');
  });

  const accepted = [
    `${prefix}master.m3u8`,
    `${prefix}v720/index.m3u8`,
    `${prefix}v720/seg-00042.ts`,
    `${prefix}subs/fr.vtt`,
    `${prefix}a-eng/seg%2D00001.ts`, // an encoded unreserved character is harmless
  ];
  for (const path of accepted) {
    it(`accept ${path}`, () => {
      assert.deepEqual(verifyPathToken({ secret, token, path, now }), { sessionId, prefix, expiresAt });
    });
  }

  const refused: Array<[string, string]> = [
    ['another asset', '/media/5a0b2c6d-7e8f-4a9b-8c4d-5e6f70819203/v720/seg-00042.ts'],
    ['a sibling with the same length', `${prefix.slice(0, -2)}3/v720/seg-00042.ts`],
    ['the parent directory', '/media/'],
    ['the prefix itself', prefix],
    ['a path shorter than the prefix', '/media/x.ts'],
    ['dot-dot', `${prefix}../5a0b2c6d-7e8f-4a9b-8c4d-5e6f70819203/master.m3u8`],
    ['dot-dot at the end', `${prefix}v720/..`],
    ['a dot segment', `${prefix}./master.m3u8`],
    ['%2e%2e', `${prefix}%2e%2e/other/master.m3u8`],
    ['%2E%2E', `${prefix}%2E%2E/other/master.m3u8`],
    ['.%2e', `${prefix}.%2e/other/master.m3u8`],
    ['%252e%252e (double encoding)', `${prefix}%252e%252e/other/master.m3u8`],
    ['an encoded slash', `${prefix}..%2fother%2fmaster.m3u8`],
    ['an encoded backslash', `${prefix}..%5cother`],
    ['a backslash', `${prefix}..\\other\\master.m3u8`],
    ['a double slash', `${prefix}v720//seg-00042.ts`],
    ['a leading double slash', `/${prefix}v720/seg-00042.ts`],
    ['an encoded NUL', `${prefix}master.m3u8%00.ts`],
    ['a control character', `${prefix}master\n.m3u8`],
    ['a query string', `${prefix}master.m3u8?pt=x`],
    ['a relative path', 'media/x/master.m3u8'],
    ['broken percent-encoding', `${prefix}%E0%A4%A.ts`],
  ];
  for (const [name, path] of refused) {
    it(`refuse ${name}`, () => {
      assert.throws(() => verifyPathToken({ secret, token, path, now }), invalid);
    });
  }

  const forged: Array<[string, string]> = [
    ['a later expiry', token.replace(/^[0-9a-z]+/, (exp) => (Number.parseInt(exp, 36) + 3600).toString(36))],
    ['a shorter prefix length', token.replace(/\.[0-9a-z]+\./, `.${'/media/'.length.toString(36)}.`)],
    ['another session id', token.replace(sessionId, sessionId.replace('0b', '0c'))],
    ['a truncated MAC', token.slice(0, -1)],
    ['an extra part', `${token}.x`],
    ['a signed-by-another-secret token', signPath({ secret: randomBytes(32), prefix, expiresAt, sessionId })],
    ['the empty string', ''],
  ];
  for (const [name, candidate] of forged) {
    it(`refuse ${name}`, () => {
      assert.throws(
        () => verifyPathToken({ secret, token: candidate, path: `${prefix}master.m3u8`, now }),
        invalid,
      );
    });
  }

  it('expire at expiresAt', () => {
    const path = `${prefix}master.m3u8`;
    assert.doesNotThrow(() =>
      verifyPathToken({ secret, token, path, now: new Date(expiresAt.getTime() - 1) }),
    );
    assert.throws(
      () => verifyPathToken({ secret, token, path, now: expiresAt }),
      (error) => PlaybackTokenExpired.is(error),
    );
  });

  it('verify under any secret of a rotation list', () => {
    const newer = randomBytes(32);
    const path = `${prefix}master.m3u8`;
    const rotated = signPath({ secret: [newer, secret], prefix, expiresAt, sessionId });
    assert.equal(verifyPathToken({ secret: [newer, secret], token, path, now }).sessionId, sessionId);
    assert.equal(verifyPathToken({ secret: newer, token: rotated, path, now }).sessionId, sessionId);
  });

  it('refuse to sign a prefix that is not a clean directory', () => {
    for (const bad of ['/media/x', 'media/x/', '/media/../x/', '/media//x/', '/media/%2e%2e/', '/a\\b/']) {
      assert.throws(() => signPath({ secret, prefix: bad, expiresAt, sessionId }), RangeError, bad);
    }
    assert.throws(() => signPath({ secret, prefix, expiresAt, sessionId: 'a.b' }), /session id/);
    assert.throws(() => signPath({ secret: 'short', prefix, expiresAt, sessionId }), /32 bytes/);
  });

  it('append to URIs with or without a query', () => {
    assert.equal(appendPathToken({ uri: 'v720/index.m3u8', token: 'a.b' }), 'v720/index.m3u8?pt=a.b');
    assert.equal(appendPathToken({ uri: 'x.ts?v=2', token: 'a.b', param: 't' }), 'x.ts?v=2&t=a.b');
    assert.equal(appendPathToken({ uri: 'x.vtt#t=1', token: 'a.b' }), 'x.vtt?pt=a.b#t=1');
  });
});
