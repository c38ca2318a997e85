import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { base64url, generateKeyPair, importJWK, SignJWT } from 'jose';
import { readFile } from 'node:fs/promises';
import { bearer, registerViewer, type SignedIn } from '../../../test/support/accounts.ts';
import { createTestApp, type TestContext } from '../../../test/support/test-app.ts';
import { ManualClock } from '../../platform/clock.ts';
import { AccessTokens } from './access-tokens.ts';
import { generateSigningKey } from './signing-keys.ts';

const issuer = 'http://localhost:3000';

describe('access tokens (unit)', () => {
  it('verify what they issue, and refuse it once expired', async () => {
    const clock = new ManualClock('2026-06-01T00:00:00Z');
    const tokens = await AccessTokens.create({
      keys: [await generateSigningKey(clock)],
      issuer,
      ttlSeconds: 900,
      clock,
    });
    const { token, expiresAt } = await tokens.issue({ userId: 'u1', sessionId: 's1' });
    assert.equal(expiresAt.toISOString(), '2026-06-01T00:15:00.000Z');
    assert.deepEqual(await tokens.verify(token), {
      userId: 'u1',
      sessionId: 's1',
      expiresAt: expiresAt.getTime() / 1000,
    });
    clock.advance(901_000);
    await assert.rejects(
      tokens.verify(token),
      { code: 'AUTH_INVALID_TOKEN' },
      'also when the first check was remembered',
    );
  });

  it('keep verifying tokens of a rotated-out key, and sign with the new one', async () => {
    const clock = new ManualClock();
    const oldKey = await generateSigningKey(clock);
    const before = await AccessTokens.create({ keys: [oldKey], issuer, ttlSeconds: 900, clock });
    const { token } = await before.issue({ userId: 'u', sessionId: 's' });
    const newKey = await generateSigningKey(clock);
    const after = await AccessTokens.create({ keys: [newKey, oldKey], issuer, ttlSeconds: 900, clock });
    assert.equal((await after.verify(token)).userId, 'u');
    const fresh = await after.issue({ userId: 'u', sessionId: 's' });
    assert.equal(
      (JSON.parse(Buffer.from(fresh.token.split('.')[0] ?? '', 'base64url').toString()) as { kid: string })
        .kid,
      newKey.kid,
    );
    assert.deepEqual(
      after.jwks.keys.map((key) => key.kid),
      [newKey.kid, oldKey.kid],
    );
  });
});

describe('access tokens (over HTTP): forged, expired and foreign tokens are refused, nothing written', () => {
  let context: TestContext;
  let account: SignedIn;
  let header: { kid: string };
  let claims: Record<string, unknown>;
  before(async () => {
    context = await createTestApp();
    account = await registerViewer(context.app);
    const [encodedHeader, encodedPayload] = account.accessToken.split('.');
    header = JSON.parse(Buffer.from(encodedHeader ?? '', 'base64url').toString()) as { kid: string };
    claims = JSON.parse(Buffer.from(encodedPayload ?? '', 'base64url').toString()) as Record<string, unknown>;
  });
  after(() => context.close());

  const meWith = (token: string) => context.app.inject({ url: '/api/me', headers: bearer(token) });
  const expectRefused = async (token: string, label: string) => {
    const response = await meWith(token);
    assert.equal(response.statusCode, 401, `${label}: ${response.body}`);
    assert.match(String(response.headers['content-type']), /problem\+json/);
    assert.equal(response.json<{ code: string }>().code, 'AUTH_INVALID_TOKEN', label);
  };
  const unsigned = (head: object, payload: object) =>
    `${base64url.encode(JSON.stringify(head))}.${base64url.encode(JSON.stringify(payload))}.`;

  it('accepts the genuine token', async () => {
    assert.equal((await meWith(account.accessToken)).statusCode, 200);
  });

  it('refuses alg: none', async () => {
    await expectRefused(unsigned({ alg: 'none', typ: 'at+jwt' }, claims), 'alg none');
    await expectRefused(
      unsigned({ alg: 'none', typ: 'at+jwt', kid: header.kid }, claims),
      'alg none with kid',
    );
  });

  it('refuses a token signed by another key, even with our key id', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: header.kid })
      .sign(privateKey);
    await expectRefused(forged, 'wrong key');
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const { keys } = (await context.app.inject('/.well-known/jwks.json')).json<{
      keys: Array<{ x: string }>;
    }>();
    const secret = new TextEncoder().encode(JSON.stringify(keys[0]));
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid })
      .sign(secret);
    await expectRefused(confused, 'HS256 confusion');
  });

  it('refuses a tampered payload', async () => {
    const [h, , signature] = account.accessToken.split('.');
    const tampered = `${h}.${base64url.encode(JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' }))}.${signature}`;
    await expectRefused(tampered, 'tampered sub');
  });

  it('refuses expired tokens and tokens for another issuer, audience or type', async () => {
    // Signed with a key the server trusts but wrong claims: made by a second token service on the same key file.
    const keyFile = JSON.parse(await readFile(context.deps.config.auth.signingKeysFile, 'utf8')) as {
      keys: Array<Record<string, string>>;
    };
    const key = await importJWK(keyFile.keys[0] as never, 'EdDSA');
    const sign = (payload: Record<string, unknown>, typ = 'at+jwt') =>
      new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ, kid: header.kid }).sign(key);
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await sign({ ...claims, iat: now - 2000, exp: now - 1000 }), 'expired');
    await expectRefused(await sign({ ...claims, iss: 'https://evil.example' }), 'wrong issuer');
    await expectRefused(await sign({ ...claims, aud: 'someone-else' }), 'wrong audience');
    await expectRefused(await sign(claims, 'JWT'), 'wrong typ (an ID token is not an access token)');
    const { sid: _sid, ...withoutSession } = claims;
    await expectRefused(await sign(withoutSession), 'no session claim');
    // A correctly signed token for a session that does not exist is refused as a dead session.
    const ghost = await sign({ ...claims, sid: '00000000-0000-4000-8000-000000000000' });
    assert.equal((await meWith(ghost)).json<{ code: string }>().code, 'AUTH_SESSION_ENDED');
  });

  it('refuses garbage and wrong schemes with a problem, never a 500', async () => {
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'Bearer a.b',
      'Bearer ' + 'x'.repeat(5000),
      'Bearer ☃.☃.☃',
    ]) {
      const response = await context.app.inject({ url: '/api/me', headers: { authorization } });
      assert.equal(response.statusCode, 401, authorization.slice(0, 30));
      assert.match(String(response.headers['content-type']), /problem\+json/);
    }
  });

  it('wrote nothing while refusing', async () => {
    const sessions = await context.deps.database.db.selectFrom('sessions').select('id').execute();
    assert.equal(sessions.length, 1);
  });
});
