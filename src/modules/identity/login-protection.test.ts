import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { allowDevices, registerViewer } from '../../../test/support/accounts.ts';
import { createTestApp, type TestContext } from '../../../test/support/test-app.ts';

describe('identity: rate limits and lockout against guessing and credential stuffing', () => {
  let context: TestContext;
  before(async () => {
    context = await createTestApp({
      env: {
        AUTH_RATE_LIMIT_PER_MINUTE: '40',
        AUTH_LOCKOUT_AFTER_FAILURES: '3',
        AUTH_LOCKOUT_MAX_SECONDS: '2',
      },
    });
    await allowDevices(context);
  });
  after(() => context.close());

  const login = (email: string, password: string, ip: string) =>
    context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: ip,
      payload: { email, password },
    });

  it('pauses one account from one address after repeated failures, without locking its owner out elsewhere or for ever', async () => {
    const victim = await registerViewer(context.app);
    const attacker = '203.0.113.66';
    for (let i = 0; i < 3; i += 1)
      assert.equal((await login(victim.email, `guess-${i}-wrong`, attacker)).statusCode, 401);
    const paused = await login(victim.email, victim.password, attacker);
    assert.equal(paused.statusCode, 429, 'even the right password waits out the pause from that address');
    assert.equal(paused.json<{ code: string }>().code, 'AUTH_TOO_MANY_ATTEMPTS');
    assert.ok(Number(paused.headers['retry-after']) >= 1);
    assert.equal(
      (await login(victim.email, victim.password, '198.51.100.7')).statusCode,
      200,
      'the owner, elsewhere, is not locked out',
    );
    await sleep(2100);
    assert.equal(
      (await login(victim.email, victim.password, attacker)).statusCode,
      200,
      'the pause is bounded',
    );
    const events = await context.deps.database.db
      .selectFrom('securityEvents')
      .select('kind')
      .where('userId', '=', victim.userId)
      .execute();
    assert.ok(events.some((event) => event.kind === 'login_locked'));
  });

  it('gives each address a budget of auth requests per minute, answered with 429 and Retry-After', async () => {
    const ip = '192.0.2.44';
    let refused;
    for (let i = 0; i < 45 && !refused; i += 1) {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/auth/password-reset/request',
        remoteAddress: ip,
        payload: { email: 'someone@example.com' },
      });
      if (response.statusCode === 429) refused = response;
    }
    assert.ok(refused, 'the 41st request is refused');
    assert.match(String(refused.headers['content-type']), /problem\+json/);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const otherAddress = await context.app.inject({
      method: 'POST',
      url: '/api/auth/password-reset/request',
      remoteAddress: '192.0.2.45',
      payload: { email: 'someone@example.com' },
    });
    assert.equal(otherAddress.statusCode, 202);
  });
});
