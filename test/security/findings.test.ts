import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { pino } from 'pino';
import { HttpMetrics } from '../../src/http/metrics.ts';
import { metricsRoute } from '../../src/http/metrics.route.ts';
import {
  loginAs,
  registerViewer,
  signInWithRoles,
  strongPassword,
  uniqueEmail,
  type SignedIn,
} from '../support/accounts.ts';
import { startOidcProvider } from '../support/oidc-provider.ts';
import { createTestApp, tokenIn, waitForMail, type TestContext } from '../support/test-app.ts';

/**
 * One test per finding of the security probe (issue 11), each replaying the attack as it was
 * made and showing it now fails. docs/SECURITY.md's table cites these names.
 *
 * Finding 5 (a replaced stream keeps playing) is proved in test/integration/playback.test.ts.
 */
describe('security findings (issue 11), replayed', () => {
  let context: TestContext;
  let admin: SignedIn;
  let support: SignedIn;
  let provider: Awaited<ReturnType<typeof startOidcProvider>>;
  before(async () => {
    provider = await startOidcProvider({
      clientId: 'marquee',
      clientSecret: 'marquee-test-secret',
      redirectUris: ['http://localhost:3000/api/auth/oidc/local/callback'],
      accounts: { attacker: { email: 'attacker@example.com', email_verified: true, name: 'Attacker' } },
    });
    context = await createTestApp({
      env: {
        AUTH_RATE_LIMIT_PER_MINUTE: '10000',
        OIDC_PROVIDERS: JSON.stringify([
          { id: 'local', issuer: provider.issuer, clientId: 'marquee', clientSecret: 'marquee-test-secret' },
        ]),
      },
    });
    admin = await signInWithRoles(context, ['admin']);
    support = await signInWithRoles(context, ['support']);
  });
  after(async () => {
    await context.close();
    await provider.stop();
  });

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ) => context.app.inject({ method, url, headers, ...(payload && { payload }) });
  const keyHeaders = (key: string) => ({ 'x-api-key': key });
  const makeKey = async (as: Record<string, string>, body: object) => {
    const response = await call('POST', '/api/admin/api-keys', as, body);
    assert.equal(response.statusCode, 201, response.body);
    return response.json<{
      key: string;
      apiKey: { id: string; createdBy: string | null; expiresAt: string | null };
    }>();
  };

  it('finding 1: support (or a mail:read key) cannot read the admin’s password-reset link from the outbox', async () => {
    const requested = new Date(Date.now() - 1000);
    const reset = await call('POST', '/api/auth/password-reset/request', {}, { email: admin.email });
    assert.equal(reset.statusCode, 202);
    const stored = await waitForMail(context, admin.email, { subject: /Reset/, after: requested });
    const link = tokenIn(stored.textBody);
    const mailKey = (await makeKey(admin.headers, { name: 'mail reader', scopes: ['mail:read'] })).key;
    for (const headers of [support.headers, keyHeaders(mailKey)]) {
      const outbox = await call('GET', `/api/admin/mail?to=${encodeURIComponent(admin.email)}`, headers);
      assert.equal(outbox.statusCode, 200, outbox.body);
      const page = outbox.json<{
        items: Array<{ subject: string; text: string; html: string | null; redacted: boolean }>;
      }>();
      const mail = page.items.find((item) => /Reset/.test(item.subject));
      assert.ok(mail, 'the reset mail is listed');
      assert.equal(mail.redacted, true);
      assert.ok(!outbox.body.includes(link), 'the reset token is nowhere in the answer');
      assert.doesNotMatch(outbox.body, /token=/);
    }
    // The attack's last step, had the link leaked, now has nothing to use; the owner's link still works.
    const confirm = await call(
      'POST',
      '/api/auth/password-reset/confirm',
      {},
      { token: link, password: 'a new and long passphrase 1' },
    );
    assert.equal(confirm.statusCode, 204);
    admin = await loginAs(context.app, { email: admin.email, password: 'a new and long passphrase 1' });
  });

  it('finding 3: a users:manage + roles:assign key cannot strip an admin’s roles, nor re-enable or disable one', async () => {
    const key = (
      await makeKey(admin.headers, {
        name: 'support bot',
        scopes: ['users:manage', 'roles:assign', 'users:read'],
      })
    ).key;
    const target = await signInWithRoles(context, ['admin']);
    const strip = await call('PATCH', `/api/admin/users/${target.userId}`, keyHeaders(key), {
      roles: ['viewer'],
    });
    assert.equal(strip.statusCode, 403, strip.body);
    const disable = await call('PATCH', `/api/admin/users/${target.userId}`, keyHeaders(key), {
      disabled: true,
    });
    assert.equal(disable.statusCode, 403);
    const bySupport = await call('PATCH', `/api/admin/users/${target.userId}`, support.headers, {
      roles: ['viewer'],
    });
    assert.equal(bySupport.statusCode, 403);
    const me = await call('GET', '/api/me', target.headers);
    assert.deepEqual(me.json<{ user: { roles: string[] } }>().user.roles, ['admin']);
    // It still manages what it outranks: a viewer.
    const viewer = await registerViewer(context.app);
    const ok = await call('PATCH', `/api/admin/users/${viewer.userId}`, keyHeaders(key), { disabled: true });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  it('finding 3 (class): a key never holds more than its creator holds today', async () => {
    const manager = await signInWithRoles(context, ['admin']);
    const key = (await makeKey(manager.headers, { name: 'auditor', scopes: ['audit:read', 'users:manage'] }))
      .key;
    assert.equal((await call('GET', '/api/admin/audit', keyHeaders(key))).statusCode, 200);
    // Its creator is demoted to support, who has audit:read but not roles:assign…
    const demote = await call('PATCH', `/api/admin/users/${manager.userId}`, admin.headers, {
      roles: ['content_manager'],
    });
    assert.equal(demote.statusCode, 200, demote.body);
    const after = await call('GET', '/api/admin/audit', keyHeaders(key));
    assert.equal(after.statusCode, 403, 'the key lost audit:read with its creator, at once');
  });

  it('finding 4: a child key expires with its parent, names its creator, and dies when the parent is revoked', async () => {
    const parent = await makeKey(admin.headers, {
      name: 'parent',
      scopes: ['api-keys:manage', 'audit:read'],
      expiresInDays: 1,
    });
    const child = await makeKey(keyHeaders(parent.key), { name: 'child', scopes: ['audit:read'] });
    assert.equal(child.apiKey.createdBy, admin.userId, 'createdBy names the person behind the parent');
    assert.ok(child.apiKey.expiresAt, 'no expiry asked: the parent’s is inherited');
    assert.ok(new Date(child.apiKey.expiresAt) <= new Date(parent.apiKey.expiresAt ?? 0));
    const longer = await makeKey(keyHeaders(parent.key), {
      name: 'longer',
      scopes: ['audit:read'],
      expiresInDays: 3650,
    });
    assert.ok(new Date(longer.apiKey.expiresAt ?? Infinity) <= new Date(parent.apiKey.expiresAt ?? 0));
    const grandchild = await makeKey(keyHeaders(parent.key), { name: 'maker', scopes: ['api-keys:manage'] });
    const greatGrandchild = await makeKey(keyHeaders(grandchild.key), {
      name: 'deep',
      scopes: ['api-keys:manage'],
    });
    // Used once, so their state is cached, then the parent is revoked.
    for (const key of [child.key, greatGrandchild.key])
      assert.notEqual((await call('GET', '/api/admin/api-keys', keyHeaders(key))).statusCode, 401);
    const revoke = await call('DELETE', `/api/admin/api-keys/${parent.apiKey.id}`, admin.headers);
    assert.equal(revoke.statusCode, 204);
    for (const key of [parent.key, child.key, longer.key, grandchild.key, greatGrandchild.key]) {
      const response = await call('GET', '/api/admin/audit', keyHeaders(key));
      assert.equal(response.statusCode, 401, 'the whole family is revoked at once');
    }
  });

  it('finding 3 (class): a key cannot revoke a key with rights it does not hold', async () => {
    const strong = await makeKey(admin.headers, {
      name: 'strong',
      scopes: ['users:manage', 'api-keys:manage'],
    });
    const weak = await makeKey(admin.headers, { name: 'weak', scopes: ['api-keys:manage'] });
    const refused = await call('DELETE', `/api/admin/api-keys/${strong.apiKey.id}`, keyHeaders(weak.key));
    assert.equal(refused.statusCode, 403);
    assert.equal(
      (await call('GET', '/api/admin/users', keyHeaders(strong.key))).statusCode,
      403,
      'users:read not held',
    );
    // …and what it holds, it uses on accounts it outranks (a viewer), not on support.
    const viewer = await registerViewer(context.app);
    const onViewer = await call('PATCH', `/api/admin/users/${viewer.userId}`, keyHeaders(strong.key), {
      disabled: true,
    });
    assert.equal(onViewer.statusCode, 200, onViewer.body);
    const onSupport = await call('PATCH', `/api/admin/users/${support.userId}`, keyHeaders(strong.key), {
      disabled: true,
    });
    assert.equal(onSupport.statusCode, 403);
  });

  it('finding 7: register answers a taken address exactly as a new one (no 409)', async () => {
    const owner = await registerViewer(context.app);
    const answers = [];
    for (const email of [owner.email, uniqueEmail('fresh')]) {
      const response = await call(
        'POST',
        '/api/auth/register',
        {},
        { email, password: strongPassword(), name: 'Probe' },
      );
      answers.push({ status: response.statusCode, body: response.body });
    }
    assert.deepEqual(answers[0], answers[1]);
    assert.equal(answers[0]?.status, 202);
  });

  it('finding 7: a password-reset request takes the same time for a real and an unknown account', async () => {
    const real = await registerViewer(context.app);
    const timings: Record<'real' | 'unknown', number[]> = { real: [], unknown: [] };
    for (let i = 0; i < 12; i += 1) {
      for (const kind of ['real', 'unknown'] as const) {
        const email = kind === 'real' ? real.email : uniqueEmail('nobody');
        const started = performance.now();
        const response = await call('POST', '/api/auth/password-reset/request', {}, { email });
        timings[kind].push(performance.now() - started);
        assert.equal(response.statusCode, 202);
        await sleep(30); // the mail work after the answer settles before the next try
      }
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const [realMs, unknownMs] = [median(timings.real), median(timings.unknown)];
    // Before the fix: 12–22 ms against 2–5 ms. A generous bound, so a loaded machine can't flake it.
    assert.ok(
      Math.abs(realMs - unknownMs) < 3 + 0.5 * Math.max(realMs, unknownMs),
      `median ${realMs.toFixed(2)} ms (real) vs ${unknownMs.toFixed(2)} ms (unknown)`,
    );
  });

  it('finding 7: fifteen reset requests (from anywhere) send the target at most three mails an hour', async () => {
    const victim = await registerViewer(context.app);
    const started = new Date(Date.now() - 1000);
    for (let i = 0; i < 15; i += 1) {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/auth/password-reset/request',
        payload: { email: victim.email },
        remoteAddress: `198.51.100.${i + 1}`,
      });
      assert.equal(response.statusCode, 202);
    }
    await waitForMail(context, victim.email, { subject: /Reset/, after: started });
    await sleep(1500); // the queue delivers the rest, if any were sent
    const mails = await context.deps.database.db
      .selectFrom('mailOutbox')
      .select('id')
      .where('toAddress', '=', victim.email)
      .where('subject', 'like', 'Reset%')
      .execute();
    assert.ok(mails.length <= 3, `${mails.length} reset mails`);
  });

  it('finding 8: guessing the current password with a stolen token is paused (429) after a few tries', async () => {
    const victim = await registerViewer(context.app);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const response = await call('POST', '/api/auth/password', victim.headers, {
        currentPassword: `guess-${i}-${strongPassword()}`,
        newPassword: strongPassword(),
      });
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(
      statuses.slice(5).every((status) => status === 429),
      statuses.join(','),
    );
    // Paused even for the right password: the guesser learns nothing.
    const right = await call('POST', '/api/auth/password', victim.headers, {
      currentPassword: victim.password,
      newPassword: strongPassword(),
    });
    assert.equal(right.statusCode, 429);
  });

  it('finding 2: a device on the kids profile cannot loosen its limits, unlock the adult profile or touch other profiles', async () => {
    const parent = await registerViewer(context.app, { name: 'Parent' });
    const profiles = () =>
      call('GET', '/api/profiles', parent.headers).then((response) =>
        response.json<{
          profiles: Array<{
            id: string;
            name: string;
            hasPin: boolean;
            isKids: boolean;
            maturityLimit: number | null;
          }>;
        }>(),
      );
    const adultId = (await profiles()).profiles[0]?.id ?? '';
    const kids = (await call('POST', '/api/profiles', parent.headers, { name: 'Kids', isKids: true })).json<{
      id: string;
    }>();
    assert.equal(
      (await call('PATCH', `/api/profiles/${adultId}`, parent.headers, { pin: '2468' })).statusCode,
      200,
    );
    // The kids' tablet: signed in by the parent, then put on the kids profile.
    const tablet = await loginAs(context.app, parent);
    assert.equal((await call('POST', `/api/profiles/${kids.id}/select`, tablet.headers, {})).statusCode, 200);

    const attacks: Array<[string, 'PATCH' | 'POST' | 'DELETE', string, object?]> = [
      [
        'raise its own limit and stop being kids',
        'PATCH',
        `/api/profiles/${kids.id}`,
        { maturityLimit: 21, isKids: false },
      ],
      ['remove the adult PIN', 'PATCH', `/api/profiles/${adultId}`, { pin: null }],
      ['change the adult PIN', 'PATCH', `/api/profiles/${adultId}`, { pin: '0000' }],
      ['rename the adult profile', 'PATCH', `/api/profiles/${adultId}`, { name: 'Mine now' }],
      ['delete the adult profile', 'DELETE', `/api/profiles/${adultId}`],
      ['make itself an unlimited profile', 'POST', '/api/profiles', { name: 'Free for all' }],
      ['set a PIN on itself', 'PATCH', `/api/profiles/${kids.id}`, { pin: '1357' }],
    ];
    for (const [what, method, url, payload] of attacks) {
      const response = await call(method, url, tablet.headers, payload);
      assert.equal(response.statusCode, 403, `${what}: ${response.statusCode} ${response.body}`);
    }
    assert.equal(
      (await call('POST', `/api/profiles/${adultId}/select`, tablet.headers, {})).statusCode,
      403,
      'the PIN is asked',
    );
    const after = (await profiles()).profiles;
    assert.deepEqual(
      after.map(({ name, hasPin, isKids, maturityLimit }) => ({ name, hasPin, isKids, maturityLimit })),
      [
        { name: 'Parent', hasPin: true, isKids: false, maturityLimit: null },
        { name: 'Kids', hasPin: false, isKids: true, maturityLimit: after[1]?.maturityLimit ?? null },
      ],
    );
    assert.notEqual(after[1]?.maturityLimit, null);
    // What a kid may do: rename their own profile. What the parent may do: everything, after the PIN.
    assert.equal(
      (await call('PATCH', `/api/profiles/${kids.id}`, tablet.headers, { name: 'Dino fan' })).statusCode,
      200,
    );
    assert.equal(
      (await call('POST', `/api/profiles/${adultId}/select`, tablet.headers, { pin: '2468' })).statusCode,
      200,
    );
    assert.equal(
      (await call('PATCH', `/api/profiles/${kids.id}`, tablet.headers, { maturityLimit: 10 })).statusCode,
      200,
    );
  });

  it('finding 6: an attacker’s OIDC callback URL, opened in a victim’s browser, signs nobody in', async () => {
    // The attacker starts a flow in their own browser and signs in at the provider as themselves…
    const start = await context.app.inject('/api/auth/oidc/local/start');
    assert.equal(start.statusCode, 302);
    const attackerCookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
    const back = await provider.signIn(String(start.headers.location), 'attacker');
    const callbackUrl = `${back.pathname}${back.search}`;
    // …then lures the victim to the callback: with no cookie, or with the victim's own flow's cookie.
    const victimStart = await context.app.inject('/api/auth/oidc/local/start');
    const victimCookie = String(victimStart.headers['set-cookie']).split(';')[0] ?? '';
    for (const headers of [{}, { cookie: victimCookie }]) {
      const lured = await context.app.inject({ url: callbackUrl, headers });
      assert.equal(lured.statusCode, 401, lured.body);
      assert.equal(lured.json<{ code: string }>().code, 'OIDC_FAILED');
      assert.doesNotMatch(lured.body, /accessToken/);
    }
    // The state is spent by the failed tries: even the attacker's own browser cannot use it now.
    const own = await context.app.inject({ url: callbackUrl, headers: { cookie: attackerCookie } });
    assert.equal(own.statusCode, 401);
  });

  it('finding 9 (identity): NUL in a profile avatar, a device name or an admin search is a 400 naming the field, not a 500', async () => {
    const viewer = await registerViewer(context.app);
    const cases: Array<[string, Promise<{ statusCode: number; body: string }>]> = [
      ['avatar', call('POST', '/api/profiles', viewer.headers, { name: 'Nul', avatar: '\u0000' })],
      ['pin', call('POST', '/api/profiles', viewer.headers, { name: 'Nul', pin: '12\u000034' })],
      [
        'device',
        context.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: {
            email: viewer.email,
            password: viewer.password,
            device: { name: 'tv\u0000', type: 'tv' },
          },
        }),
      ],
      ['q', call('GET', '/api/admin/users?q=a%00', admin.headers)],
      [
        'password',
        call('POST', '/api/auth/password', viewer.headers, {
          currentPassword: 'a\u0000',
          newPassword: strongPassword(),
        }),
      ],
    ];
    for (const [field, pending] of cases) {
      const response = await pending;
      assert.equal(response.statusCode, 400, `${field}: ${response.body}`);
      assert.match(response.body, new RegExp(field));
    }
  });

  it('finding 10: names refuse bidi overrides and zero-width characters; avatars are ids or https URLs', async () => {
    const viewer = await registerViewer(context.app);
    for (const payload of [
      { name: 'evil\u202Egnp' },
      { name: 'ad\u200Bmin' },
      { name: 'Ok', avatar: 'javascript:alert(1)' },
      { name: 'Ok', avatar: 'data:text/html,<script>alert(1)</script>' },
    ]) {
      const response = await call('POST', '/api/profiles', viewer.headers, payload);
      assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
    }
    const named = await call('PATCH', '/api/me', viewer.headers, { name: 'Ana\u2066x' });
    assert.equal(named.statusCode, 400);
    const fine = await call('POST', '/api/profiles', viewer.headers, { name: 'Fox', avatar: 'fox' });
    assert.equal(fine.statusCode, 201, fine.body);
  });

  it('finding 10: start-up says so when /metrics is public (no METRICS_TOKEN)', async () => {
    const warnings = async (token: string | undefined) => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      });
      const app = Fastify({ loggerInstance: pino({ level: 'warn' }, sink) });
      const metrics = new HttpMetrics({
        poolStats: () => ({ total: 0, idle: 0, waiting: 0, max: 1 }),
        queueDepth: async () => [],
      });
      await app.register(metricsRoute, { metrics, token });
      await app.ready();
      await app.close();
      return lines.filter((line) => /metrics is public/.test(line));
    };
    assert.equal((await warnings(undefined)).length, 1);
    assert.equal((await warnings('a-long-metrics-token')).length, 0);
  });
});
