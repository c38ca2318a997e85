import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { hmac } from './hmac-secrets.ts';
import { PlaybackTokenExpired, PlaybackTokenInvalid } from './playback.errors.ts';
import { assertTokenBoundTo, issuePlaybackToken, verifyPlaybackToken } from './playback-token.ts';

const secret = randomBytes(32);
const now = new Date('2026-03-01T12:00:00Z');
const claims = {
  sid: '0b5c7d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e',
  sub: '1c6d8e2f-3a4b-4c5d-9e0f-1a2b3c4d5e6f',
  dev: '2d7e9f3a-4b5c-4d6e-8f1a-2b3c4d5e6f70',
  item: '3e8f0a4b-5c6d-4e7f-9a2b-3c4d5e6f7081',
  asset: '4f9a1b5c-6d7e-4f8a-8b3c-4d5e6f708192',
  maxH: 720,
};
const issue = (options: { ttlSeconds?: number; secret?: Uint8Array | Uint8Array[] } = {}) =>
  issuePlaybackToken({
    secret: options.secret ?? secret,
    claims,
    ttlSeconds: options.ttlSeconds ?? 600,
    now,
  }).token;

const invalid = (error: unknown) => PlaybackTokenInvalid.is(error);

describe('playback tokens', () => {
  it('round-trip the claims, with exp = now + ttl, short enough for a query parameter', () => {
    const issued = issuePlaybackToken({ secret, claims, ttlSeconds: 600, now });
    assert.equal(issued.claims.exp, now.getTime() / 1000 + 600);
    assert.deepEqual(issued.expiresAt, new Date('2026-03-01T12:10:00Z'));
    assert.deepEqual(verifyPlaybackToken({ secret, token: issued.token, now }), issued.claims);
    assert.match(issued.token, /^[\w-]+\.[\w-]{43}$/);
    assert.ok(issued.token.length < 400, `${issued.token.length} characters`);
  });

  it('carry the codecs a client declared, and only when it declared some', () => {
    const declared = issuePlaybackToken({
      secret,
      claims: { ...claims, cod: ['hevc'] },
      ttlSeconds: 600,
      now,
    });
    assert.deepEqual(verifyPlaybackToken({ secret, token: declared.token, now }).cod, ['hevc']);
    const none = issuePlaybackToken({ secret, claims: { ...claims, cod: [] }, ttlSeconds: 600, now });
    assert.equal('cod' in verifyPlaybackToken({ secret, token: none.token, now }), false);
  });

  it('expire at exp, not a second later', () => {
    const token = issue({ ttlSeconds: 60 });
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    assert.equal(verifyPlaybackToken({ secret, token, now: at(59.999) }).sid, claims.sid);
    for (const seconds of [60, 61, 86_400]) {
      assert.throws(
        () => verifyPlaybackToken({ secret, token, now: at(seconds) }),
        (error) => PlaybackTokenExpired.is(error),
      );
    }
  });

  it('verify under any secret of a rotation list, and sign with the first', () => {
    const newer = randomBytes(32);
    const oldToken = issue({ secret });
    const newToken = issue({ secret: [newer, secret] });
    assert.equal(verifyPlaybackToken({ secret: [newer, secret], token: oldToken, now }).sid, claims.sid);
    assert.equal(verifyPlaybackToken({ secret: [newer], token: newToken, now }).sid, claims.sid);
    assert.throws(() => verifyPlaybackToken({ secret, token: newToken, now }), invalid);
  });

  const token = issue();
  const [payload, mac] = token.split('.') as [string, string];
  const forged = (changes: Record<string, unknown>) =>
    Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...changes }),
    ).toString('base64url');
  // 43 characters carry 258 bits: the last character's lowest bits are padding.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sameBytesOtherChar = (character: string) => alphabet[alphabet.indexOf(character) ^ 1]!;
  const flip = (text: string, index: number) =>
    text.slice(0, index) + (text[index] === 'A' ? 'B' : 'A') + text.slice(index + 1);

  const refusals: Array<[string, string, Uint8Array?]> = [
    ['the wrong secret', token, randomBytes(32)],
    ['a raised maxH under the old MAC', `${forged({ maxH: 2160 })}.${mac}`],
    ['another item under the old MAC', `${forged({ item: 'x' })}.${mac}`],
    ['a later exp under the old MAC', `${forged({ exp: 9_999_999_999 })}.${mac}`],
    ['a flipped payload character', `${flip(payload, 5)}.${mac}`],
    ['a flipped MAC character', `${payload}.${flip(mac, 0)}`],
    ['a non-canonical MAC encoding', `${payload}.${mac.slice(0, -1)}${sameBytesOtherChar(mac.at(-1)!)}`],
    ['a truncated MAC', `${payload}.${mac.slice(0, 22)}`],
    ['no MAC', payload],
    ['an empty MAC', `${payload}.`],
    ['three parts', `${token}.${mac}`],
    ['padding characters', `${payload}=.${mac}`],
    ['standard base64', `${payload}.${mac.replace(/-/g, '+').replace(/_/g, '/')}+/`],
    ['the empty string', ''],
    ['a JWT with alg none', 'eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0.'],
    ['an enormous token', `${'A'.repeat(5000)}.${mac}`],
  ];
  for (const [name, candidate, wrongSecret] of refusals) {
    it(`refuse ${name} as PLAYBACK_TOKEN_INVALID`, () => {
      assert.throws(
        () => verifyPlaybackToken({ secret: wrongSecret ?? secret, token: candidate, now }),
        invalid,
      );
    });
  }

  it('refuse validly signed but malformed claims', () => {
    // What an older or newer version of us might have signed.
    for (const changes of [
      { maxH: '720' },
      { sid: '' },
      { exp: undefined },
      { item: 7 },
      { cod: 'hevc' },
      { cod: [1] },
    ]) {
      const body = forged(changes);
      const signed = `${body}.${hmac({ secret, context: 'marquee/playback-token/v1', data: body }).toString('base64url')}`;
      assert.throws(
        () => verifyPlaybackToken({ secret, token: signed, now }),
        invalid,
        JSON.stringify(changes),
      );
    }
    const notJson = Buffer.from('{"sid":').toString('base64url');
    const signed = `${notJson}.${hmac({ secret, context: 'marquee/playback-token/v1', data: notJson }).toString('base64url')}`;
    assert.throws(() => verifyPlaybackToken({ secret, token: signed, now }), invalid);
  });

  it('refuse short secrets and bad inputs when issuing', () => {
    assert.throws(() => issue({ secret: randomBytes(31) }), /at least 32 bytes/);
    assert.throws(() => issue({ secret: [] }), /at least one/);
    assert.throws(() => issue({ ttlSeconds: 0 }), /ttlSeconds/);
    assert.throws(
      () => issuePlaybackToken({ secret, claims: { ...claims, sid: '' }, ttlSeconds: 1, now }),
      /non-empty/,
    );
    assert.throws(
      () => issuePlaybackToken({ secret, claims: { ...claims, maxH: Infinity }, ttlSeconds: 1, now }),
      /maxH/,
    );
  });

  it('bind to one item and asset', () => {
    const verified = verifyPlaybackToken({ secret, token, now });
    assert.doesNotThrow(() =>
      assertTokenBoundTo({ claims: verified, itemId: claims.item, assetId: claims.asset }),
    );
    for (const [itemId, assetId] of [
      ['other-item', claims.asset],
      [claims.item, 'other-asset'],
      [claims.asset, claims.item],
    ] as const) {
      assert.throws(() => assertTokenBoundTo({ claims: verified, itemId, assetId }), invalid);
    }
  });
});
