import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, allowDevices, registerViewer, signInWithRoles } from '../../../test/support/accounts.ts';
import { startOidcProvider } from '../../../test/support/oidc-provider.ts';
import { createTestApp, type TestContext } from '../../../test/support/test-app.ts';

const publicUrl = 'http://localhost:3000';
const callbackPath = '/api/auth/oidc/local/callback';

interface AuthBody {
  user: { id: string; email: string; emailVerified: boolean; hasPassword: boolean };
  accessToken: string;
  sessionId: string;
}

describe('identity: sign-in through a real OpenID Connect provider (oidc-provider on loopback)', () => {
  let provider: Awaited<ReturnType<typeof startOidcProvider>>;
  let context: TestContext;
  before(async () => {
    provider = await startOidcProvider({
      clientId: 'marquee',
      clientSecret: 'marquee-test-secret',
      redirectUris: [`${publicUrl}${callbackPath}`],
      accounts: {
        newcomer: { email: 'newcomer@example.com', email_verified: true, name: 'New Comer' },
        existing: { email: 'existing@example.com', email_verified: true, name: 'Existing' },
        unverified: { email: 'claimed@example.com', email_verified: false, name: 'Impostor' },
        nomail: { name: 'No Mail' },
        latecomer: { email: 'latecomer@example.com', email_verified: true, name: 'Late Comer' },
      },
    });
    context = await createTestApp({
      env: {
        PUBLIC_URL: publicUrl,
        CORS_ORIGINS: 'https://app.example',
        AUTH_RATE_LIMIT_PER_MINUTE: '10000',
        OIDC_PROVIDERS: JSON.stringify([
          {
            id: 'local',
            name: 'Local IdP',
            issuer: provider.issuer,
            clientId: 'marquee',
            clientSecret: 'marquee-test-secret',
          },
        ]),
      },
    });
    await allowDevices(context);
  });
  after(async () => {
    await context.close();
    await provider.stop();
  });

  /** Start at Marquee, sign in at the provider as `login`, come back to Marquee's callback. */
  async function signInAs(login: string, returnTo?: string) {
    const start = await context.app.inject(
      `/api/auth/oidc/local/start${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`,
    );
    assert.equal(start.statusCode, 302, start.body);
    const authorization = new URL(String(start.headers.location));
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorization.searchParams.get('state'));
    assert.ok(authorization.searchParams.get('nonce'));
    const cookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
    assert.match(
      String(start.headers['set-cookie']),
      /^marquee_oidc=[\w-]{40,}; Path=\/api\/auth\/oidc; HttpOnly; SameSite=Lax/,
    );
    const back = await provider.signIn(authorization.href, login);
    assert.equal(back.pathname, callbackPath);
    return context.app.inject({ url: `${back.pathname}${back.search}`, headers: { cookie } });
  }

  it('lists the configured provider', async () => {
    const response = await context.app.inject('/api/auth/oidc/providers');
    assert.deepEqual(response.json(), {
      providers: [{ id: 'local', name: 'Local IdP', startUrl: `${publicUrl}/api/auth/oidc/local/start` }],
    });
  });

  it('creates an account on first sign-in and signs the device in', async () => {
    const response = await signInAs('newcomer');
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<AuthBody>();
    assert.equal(body.user.email, 'newcomer@example.com');
    assert.equal(body.user.emailVerified, true);
    assert.equal(body.user.hasPassword, false);
    const me = await context.app.inject({ url: '/api/me', headers: bearer(body.accessToken) });
    assert.equal(me.json<{ activeProfile: { name: string } }>().activeProfile.name, 'New Comer');
    const again = (await signInAs('newcomer')).json<AuthBody>();
    assert.equal(again.user.id, body.user.id, 'the same account the second time');
    assert.notEqual(again.sessionId, body.sessionId, 'another device');
  });

  it('links a verified email to the existing account with that address', async () => {
    const existing = await registerViewer(context.app, { email: 'existing@example.com' });
    const body = (await signInAs('existing')).json<AuthBody>();
    assert.equal(body.user.id, existing.userId);
    const events = await context.deps.database.db
      .selectFrom('securityEvents')
      .select('kind')
      .where('userId', '=', existing.userId)
      .execute();
    assert.ok(events.some((event) => event.kind === 'oidc_linked'));
  });

  it('never links an unverified email to an existing account', async () => {
    await registerViewer(context.app, { email: 'claimed@example.com' });
    const response = await signInAs('unverified');
    assert.equal(response.statusCode, 409);
    assert.equal(response.json<{ code: string }>().code, 'OIDC_EMAIL_UNVERIFIED');
  });

  it('makes no new account while sign-ups are closed; one that exists still signs in', async () => {
    const admin = await signInWithRoles(context, ['admin']);
    const setOpen = (signUpsOpen: boolean) =>
      context.app.inject({
        method: 'PATCH',
        url: '/api/admin/settings',
        headers: admin.headers,
        payload: { signUpsOpen },
      });
    assert.equal((await setOpen(false)).statusCode, 200);
    try {
      const refused = await signInAs('latecomer');
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json<{ code: string }>().code, 'AUTH_SIGN_UPS_CLOSED');
      const made = await context.deps.database.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'latecomer@example.com')
        .executeTakeFirst();
      assert.equal(made, undefined);
      assert.equal((await signInAs('newcomer')).statusCode, 200, 'an account made earlier signs in');
    } finally {
      await setOpen(true);
    }
  });

  it('refuses a provider that shares no email', async () => {
    const response = await signInAs('nomail');
    assert.equal(response.json<{ code: string }>().code, 'OIDC_FAILED');
  });

  it('refuses a replayed callback (state is single-use) and a forged state', async () => {
    const start = await context.app.inject('/api/auth/oidc/local/start');
    const cookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
    const back = await provider.signIn(String(start.headers.location), 'newcomer');
    const url = `${back.pathname}${back.search}`;
    assert.equal((await context.app.inject({ url, headers: { cookie } })).statusCode, 200);
    const replay = await context.app.inject({ url, headers: { cookie } });
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json<{ code: string }>().code, 'OIDC_FAILED');
    const forged = await context.app.inject(`${callbackPath}?code=abc&state=made-up`);
    assert.equal(forged.statusCode, 401);
  });

  it('with returnTo, redirects the app there with a one-time code to trade for tokens', async () => {
    const response = await signInAs('newcomer', 'https://app.example/signed-in');
    assert.equal(response.statusCode, 302);
    const location = new URL(String(response.headers.location));
    assert.equal(location.origin + location.pathname, 'https://app.example/signed-in');
    const loginCode = new URLSearchParams(location.hash.slice(1)).get('loginCode');
    assert.ok(loginCode);
    const exchanged = await context.app.inject({
      method: 'POST',
      url: '/api/auth/oidc/exchange',
      payload: { loginCode },
    });
    assert.equal(exchanged.statusCode, 200, exchanged.body);
    const { accessToken } = exchanged.json<AuthBody>();
    assert.equal(
      (await context.app.inject({ url: '/api/me', headers: bearer(accessToken) })).statusCode,
      200,
    );
    const twice = await context.app.inject({
      method: 'POST',
      url: '/api/auth/oidc/exchange',
      payload: { loginCode },
    });
    assert.equal(twice.statusCode, 401, 'the code is single-use');
  });

  it('refuses to send the browser anywhere but our own origins, and unknown providers', async () => {
    const evil = await context.app.inject(
      `/api/auth/oidc/local/start?returnTo=${encodeURIComponent('https://evil.example/steal')}`,
    );
    assert.equal(evil.statusCode, 400);
    assert.equal(evil.json<{ code: string }>().code, 'OIDC_INVALID_RETURN_URL');
    assert.equal((await context.app.inject('/api/auth/oidc/nope/start')).statusCode, 404);
  });
});
