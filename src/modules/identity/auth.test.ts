import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  bearer,
  loginAs,
  registerViewer,
  strongPassword,
  uniqueEmail,
} from '../../../test/support/accounts.ts';
import { createTestApp, tokenIn, waitForMail, type TestContext } from '../../../test/support/test-app.ts';

/** Accounts, sign-in, tokens and devices, through the HTTP API on real parts. */
describe('identity: accounts, tokens and devices', () => {
  let context: TestContext;
  before(async () => {
    context = await createTestApp({ env: { AUTH_MAX_DEVICES: '3', AUTH_RATE_LIMIT_PER_MINUTE: '10000' } });
  });
  after(() => context.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    context.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const rowCount = async (table: 'users' | 'sessions' | 'refreshTokens' | 'profiles') =>
    Number(
      (
        await context.deps.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('registers with a normalised email, a profile and a verification mail, then signs in', async () => {
    const email = uniqueEmail('Ana');
    const password = strongPassword();
    const response = await post('/api/auth/register', {
      email: `  ${email.toUpperCase()} `,
      password,
      name: 'Ana',
    });
    assert.equal(response.statusCode, 202, response.body);
    assert.deepEqual(response.json(), { status: 'accepted' });
    const signIn = await post('/api/auth/login', {
      email: email.toUpperCase(),
      password,
      device: { name: "Ana's phone", type: 'mobile' },
    });
    assert.equal(signIn.statusCode, 200, signIn.body);
    const body = signIn.json<{
      user: { email: string; emailVerified: boolean; roles: string[] };
      accessToken: string;
      refreshToken: string;
      sessionId: string;
    }>();
    assert.equal(body.user.email, email.toLowerCase());
    assert.equal(body.user.emailVerified, false);
    assert.deepEqual(body.user.roles, ['viewer']);
    assert.match(body.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(body.refreshToken.length >= 40);
    const mail = await waitForMail(context, email.toLowerCase(), { subject: /Confirm your email/ });
    const me = await context.app.inject({ url: '/api/me', headers: bearer(body.accessToken) });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json<{ activeProfile: { name: string } }>().activeProfile.name, 'Ana');

    const verified = await post('/api/auth/verify-email', { token: tokenIn(mail.textBody) });
    assert.equal(verified.statusCode, 204);
    const again = await post('/api/auth/verify-email', { token: tokenIn(mail.textBody) });
    assert.equal(again.json<{ code: string }>().code, 'AUTH_INVALID_EMAIL_TOKEN', 'single use');
    const meAfter = await context.app.inject({ url: '/api/me', headers: bearer(body.accessToken) });
    assert.equal(meAfter.json<{ user: { emailVerified: boolean } }>().user.emailVerified, true);
  });

  it('makes no second account for the same address, in any case, and tells only its owner', async () => {
    const account = await registerViewer(context.app);
    const fresh = await post('/api/auth/register', {
      email: uniqueEmail(),
      password: strongPassword(),
      name: 'New',
    });
    const started = new Date();
    const twinPassword = strongPassword();
    const response = await post('/api/auth/register', {
      email: account.email.toUpperCase(),
      password: twinPassword,
      name: 'Twin',
    });
    assert.equal(response.statusCode, fresh.statusCode, 'the same answer as for a new address');
    assert.equal(response.body, fresh.body);
    const notice = await waitForMail(context, account.email, { subject: /already have/, after: started });
    assert.doesNotMatch(notice.textBody, /token=/, 'the notice carries no link that acts');
    assert.equal(
      (await post('/api/auth/login', { email: account.email, password: twinPassword })).statusCode,
      401,
      'the second registration changed nothing',
    );
    await loginAs(context.app, account);
  });

  it('refuses bad input with a problem naming it, and writes nothing', async () => {
    const users = await rowCount('users');
    const cases: Array<[unknown, number, string]> = [
      [{ email: 'not-an-email', password: strongPassword(), name: 'X' }, 400, 'VALIDATION_FAILED'],
      [{ email: 'ünïcode@exämple.com', password: strongPassword(), name: 'X' }, 400, 'VALIDATION_FAILED'],
      [
        { email: `${'a'.repeat(250)}@example.com`, password: strongPassword(), name: 'X' },
        400,
        'VALIDATION_FAILED',
      ],
      [{ email: uniqueEmail(), password: 'short', name: 'X' }, 400, 'AUTH_WEAK_PASSWORD'],
      [{ email: uniqueEmail(), password: 'password123', name: 'X' }, 400, 'AUTH_WEAK_PASSWORD'],
      [{ email: uniqueEmail(), password: 'x'.repeat(5000), name: 'X' }, 400, 'VALIDATION_FAILED'],
      [{ email: uniqueEmail(), password: strongPassword(), name: '' }, 400, 'VALIDATION_FAILED'],
      [{ email: uniqueEmail(), password: strongPassword(), name: 'bell\u0007' }, 400, 'VALIDATION_FAILED'],
      [{ email: uniqueEmail(), password: strongPassword() }, 400, 'VALIDATION_FAILED'],
      [
        { email: "x'; drop table users; --@example.com", password: strongPassword(), name: 'X' },
        400,
        'VALIDATION_FAILED',
      ],
      [{ email: uniqueEmail(), password: `${strongPassword()}\u0000`, name: 'X' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [payload, status, code] of cases) {
      const response = await post('/api/auth/register', payload);
      assert.equal(response.statusCode, status, `${JSON.stringify(payload).slice(0, 80)} → ${response.body}`);
      assert.match(String(response.headers['content-type']), /application\/problem\+json/);
      assert.equal(response.json<{ code: string }>().code, code);
    }
    const huge = await context.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: uniqueEmail(), password: 'p'.repeat(10 * 1024 * 1024), name: 'X' }),
    });
    assert.equal(huge.statusCode, 413, 'a 10 MB password never reaches argon2');
    assert.equal(await rowCount('users'), users);
  });

  it('stores injection strings as plain text', async () => {
    const name = `Robert'); DROP TABLE users;-- <script>alert(1)</script>`;
    const account = await registerViewer(context.app, { name });
    const me = await context.app.inject({ url: '/api/me', headers: account.headers });
    assert.equal(me.json<{ user: { name: string } }>().user.name, name);
  });

  it('answers an unknown email and a wrong password the same way, in similar time', async () => {
    const account = await registerViewer(context.app);
    const time = async (payload: object) => {
      const started = performance.now();
      const response = await post('/api/auth/login', payload);
      return { response, ms: performance.now() - started };
    };
    // Warm both paths once (the dummy hash is made lazily), then alternate and compare medians:
    // one sample each would measure this machine's noise.
    await time({ email: uniqueEmail(), password: 'wrong-password-1' });
    const samples = { unknown: [] as number[], wrong: [] as number[] };
    let unknown = await time({ email: uniqueEmail(), password: 'wrong-password-1' });
    let wrong = await time({ email: account.email, password: 'wrong-password-1' });
    for (let round = 0; round < 4; round += 1) {
      unknown = await time({ email: uniqueEmail(), password: 'wrong-password-1' });
      wrong = await time({ email: account.email, password: `wrong-password-${round}` });
      samples.unknown.push(unknown.ms);
      samples.wrong.push(wrong.ms);
    }
    assert.equal(unknown.response.statusCode, 401);
    assert.equal(wrong.response.statusCode, 401);
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const strip = (body: string) => {
      const { requestId: _requestId, ...rest } = JSON.parse(body) as Record<string, unknown>;
      return rest;
    };
    assert.deepEqual(strip(unknown.response.body), strip(wrong.response.body));
    const [a, b] = [median(samples.unknown), median(samples.wrong)];
    assert.ok(
      Math.max(a, b) / Math.min(a, b) < 2,
      `unknown email ${a.toFixed(0)} ms vs wrong password ${b.toFixed(0)} ms (medians)`,
    );
  });

  it('rotates refresh tokens, and a reused one revokes the whole device', async () => {
    const account = await registerViewer(context.app);
    const first = await post('/api/auth/refresh', { refreshToken: account.refreshToken });
    assert.equal(first.statusCode, 200);
    const rotated = first.json<{ accessToken: string; refreshToken: string; sessionId: string }>();
    assert.notEqual(rotated.refreshToken, account.refreshToken);
    assert.equal(rotated.sessionId, account.sessionId);
    assert.equal(
      (await context.app.inject({ url: '/api/me', headers: bearer(rotated.accessToken) })).statusCode,
      200,
    );

    // An attacker replays the stolen, already-rotated token:
    const replay = await post('/api/auth/refresh', { refreshToken: account.refreshToken });
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json<{ code: string }>().code, 'AUTH_REFRESH_TOKEN_REUSED');
    // …and the whole family is dead: the legitimate holder's newer tokens too.
    assert.equal((await post('/api/auth/refresh', { refreshToken: rotated.refreshToken })).statusCode, 401);
    const me = await context.app.inject({ url: '/api/me', headers: bearer(rotated.accessToken) });
    assert.equal(me.json<{ code: string }>().code, 'AUTH_SESSION_ENDED');
    const events = await context.deps.database.db
      .selectFrom('securityEvents')
      .select('kind')
      .where('userId', '=', account.userId)
      .where('kind', '=', 'refresh_token_reused')
      .execute();
    assert.equal(events.length, 1);
  });

  it('refuses unknown and malformed refresh tokens', async () => {
    assert.equal((await post('/api/auth/refresh', { refreshToken: 'x'.repeat(43) })).statusCode, 401);
    assert.equal((await post('/api/auth/refresh', { refreshToken: 'short' })).statusCode, 400);
  });

  it('logout kills the access token at once', async () => {
    const account = await registerViewer(context.app);
    assert.equal((await context.app.inject({ url: '/api/me', headers: account.headers })).statusCode, 200);
    const out = await context.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: account.headers,
    });
    assert.equal(out.statusCode, 204);
    const me = await context.app.inject({ url: '/api/me', headers: account.headers });
    assert.equal(me.statusCode, 401);
    assert.equal(me.json<{ code: string }>().code, 'AUTH_SESSION_ENDED');
    assert.equal((await post('/api/auth/refresh', { refreshToken: account.refreshToken })).statusCode, 401);
  });

  it('lists this account’s devices, marks the current one, and signs one out', async () => {
    const account = await registerViewer(context.app, { device: { name: 'Living-room TV', type: 'tv' } });
    const phone = await loginAs(context.app, account, { device: { name: 'Phone', type: 'mobile' } });
    const list = await context.app.inject({ url: '/api/auth/sessions', headers: phone.headers });
    const sessions = list.json<{ sessions: Array<{ id: string; deviceName: string; current: boolean }> }>()
      .sessions;
    assert.deepEqual(sessions.map((s) => s.deviceName).sort(), ['Living-room TV', 'Phone']);
    assert.equal(sessions.find((s) => s.current)?.id, phone.sessionId);
    const removed = await context.app.inject({
      method: 'DELETE',
      url: `/api/auth/sessions/${account.sessionId}`,
      headers: phone.headers,
    });
    assert.equal(removed.statusCode, 204);
    assert.equal((await context.app.inject({ url: '/api/me', headers: account.headers })).statusCode, 401);
    assert.equal((await context.app.inject({ url: '/api/me', headers: phone.headers })).statusCode, 200);
  });

  it("never lets one account see or sign out another's device", async () => {
    const alice = await registerViewer(context.app);
    const mallory = await registerViewer(context.app);
    const attempt = await context.app.inject({
      method: 'DELETE',
      url: `/api/auth/sessions/${alice.sessionId}`,
      headers: mallory.headers,
    });
    assert.equal(attempt.statusCode, 404);
    assert.equal((await context.app.inject({ url: '/api/me', headers: alice.headers })).statusCode, 200);
    const list = await context.app.inject({ url: '/api/auth/sessions', headers: mallory.headers });
    assert.ok(!list.body.includes(alice.sessionId));
  });

  it('caps signed-in devices: past the cap a 409 lists them, and naming one to replace signs it out', async () => {
    const account = await registerViewer(context.app, { device: { name: 'Device 1', type: 'web' } });
    // The cap is the plan's: Basic allows 3 devices.
    await context.deps.database.db
      .updateTable('users')
      .set({ planId: 'basic' })
      .where('id', '=', account.userId)
      .execute();
    await loginAs(context.app, account, { device: { name: 'Device 2', type: 'tv' } });
    await loginAs(context.app, account, { device: { name: 'Device 3', type: 'mobile' } });
    const refused = await post('/api/auth/login', {
      email: account.email,
      password: account.password,
      device: { name: 'Device 4', type: 'tablet' },
    });
    assert.equal(refused.statusCode, 409);
    const problem = refused.json<{
      code: string;
      maxDevices: number;
      devices: Array<{ id: string; deviceName: string }>;
    }>();
    assert.equal(problem.code, 'AUTH_DEVICE_LIMIT');
    assert.equal(problem.maxDevices, 3);
    assert.deepEqual(problem.devices.map((d) => d.deviceName).sort(), ['Device 1', 'Device 2', 'Device 3']);
    const sessionsBefore = await rowCount('sessions');
    const replaced = await loginAs(context.app, account, {
      device: { name: 'Device 4', type: 'tablet' },
      replaceSessionId: account.sessionId,
    });
    assert.ok(replaced.accessToken);
    assert.equal(await rowCount('sessions'), sessionsBefore + 1);
    assert.equal(
      (await context.app.inject({ url: '/api/me', headers: account.headers })).statusCode,
      401,
      'the replaced device is signed out',
    );
    const active = await context.app.inject({ url: '/api/auth/sessions', headers: replaced.headers });
    assert.equal(active.json<{ sessions: unknown[] }>().sessions.length, 3);
  });

  it('logout-all signs every device out', async () => {
    const account = await registerViewer(context.app);
    const second = await loginAs(context.app, account);
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/logout-all',
      headers: second.headers,
    });
    assert.deepEqual(response.json(), { signedOut: 2 });
    assert.equal((await context.app.inject({ url: '/api/me', headers: account.headers })).statusCode, 401);
    assert.equal((await context.app.inject({ url: '/api/me', headers: second.headers })).statusCode, 401);
  });

  it('resets a password by mail, and the reset ends every session', async () => {
    const account = await registerViewer(context.app);
    const other = await loginAs(context.app, account);
    const started = new Date();
    for (const email of [account.email, uniqueEmail('nobody')]) {
      const response = await post('/api/auth/password-reset/request', { email });
      assert.equal(response.statusCode, 202, 'the same answer whether or not the account exists');
    }
    const mail = await waitForMail(context, account.email, {
      subject: /Reset your password/,
      after: started,
    });
    const newPassword = strongPassword();
    const weak = await post('/api/auth/password-reset/confirm', {
      token: tokenIn(mail.textBody),
      password: 'qwertyuiop',
    });
    assert.equal(weak.json<{ code: string }>().code, 'AUTH_WEAK_PASSWORD');
    // The refused attempt did not spend the token.
    const reset = await post('/api/auth/password-reset/confirm', {
      token: tokenIn(mail.textBody),
      password: newPassword,
    });
    assert.equal(reset.statusCode, 204, reset.body);
    for (const device of [account, other]) {
      assert.equal((await context.app.inject({ url: '/api/me', headers: device.headers })).statusCode, 401);
    }
    assert.equal(
      (await post('/api/auth/login', { email: account.email, password: account.password })).statusCode,
      401,
    );
    await loginAs(context.app, { email: account.email, password: newPassword });
    const reuse = await post('/api/auth/password-reset/confirm', {
      token: tokenIn(mail.textBody),
      password: strongPassword(),
    });
    assert.equal(reuse.json<{ code: string }>().code, 'AUTH_INVALID_EMAIL_TOKEN');
  });

  it('changes a password with the current one, keeping this device and signing the others out', async () => {
    const account = await registerViewer(context.app);
    const other = await loginAs(context.app, account);
    const wrong = await context.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: account.headers,
      payload: { currentPassword: 'not-it-at-all', newPassword: strongPassword() },
    });
    assert.equal(wrong.statusCode, 401);
    const changed = await context.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: account.headers,
      payload: { currentPassword: account.password, newPassword: strongPassword() },
    });
    assert.equal(changed.statusCode, 204);
    assert.equal((await context.app.inject({ url: '/api/me', headers: account.headers })).statusCode, 200);
    assert.equal((await context.app.inject({ url: '/api/me', headers: other.headers })).statusCode, 401);
  });

  it('publishes its signing keys as a JWKS', async () => {
    const response = await context.app.inject('/.well-known/jwks.json');
    const { keys } = response.json<{ keys: Array<Record<string, string>> }>();
    assert.equal(keys[0]?.kty, 'OKP');
    assert.equal(keys[0]?.crv, 'Ed25519');
    assert.equal(keys[0]?.d, undefined, 'never the private part');
  });
});
