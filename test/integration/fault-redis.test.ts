import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { allowDevices, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { freePort } from '../support/processes.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/**
 * A cache outage is not an API outage. The app runs on a Redis of this test's own (never the
 * machine's shared one), which is frozen (SIGSTOP: a hung server, commands time out) and killed
 * (the connection drops) under it: requests keep answering from the database within a bounded
 * time, /readyz says what is down, and what an outage could leave stale — a signed-out
 * session's cached state — is put right when Redis answers again.
 */

const BOUND_MS = 2500;

function startRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('Redis outage', () => {
  let port: number;
  let redis: ChildProcess;
  let context: TestContext;

  before(async () => {
    port = await freePort();
    redis = startRedis(port);
    await sleep(300);
    context = await createTestApp({ redisUrl: `redis://127.0.0.1:${port}` });
    await allowDevices(context);
  });
  after(async () => {
    // The app's cleanup needs its Redis (it deletes the test's keys): bring it back if a test stopped it.
    redis.kill('SIGCONT');
    if (redis.exitCode !== null || redis.signalCode !== null) redis = startRedis(port);
    await waitFor(ready, 'Redis for cleanup').catch(() => undefined);
    await context.close();
    redis.kill('SIGKILL');
  });

  /** A request, and how long it took: it must answer within the bound, whatever is down. */
  async function timed(options: InjectOptions) {
    const started = performance.now();
    const response = await context.app.inject(options);
    const ms = performance.now() - started;
    assert.ok(ms < BOUND_MS, `${JSON.stringify(options)} took ${Math.round(ms)} ms`);
    assert.ok(response.statusCode < 500 || response.statusCode === 503, response.body);
    return response;
  }
  const me = (viewer: SignedIn) => timed({ url: '/api/me', headers: viewer.headers });
  const ready = async () => (await context.app.inject('/readyz')).statusCode === 200;

  it('keeps answering from the database while Redis hangs, and a sign-out made meanwhile holds afterwards', async () => {
    const viewer = await signInWithRoles(context, ['viewer']);
    const other = await signInWithRoles(context, ['viewer']);
    assert.equal((await me(viewer)).statusCode, 200);
    assert.equal((await me(other)).statusCode, 200); // both sessions' states now cached in Redis
    assert.equal((await timed({ url: '/api/videos' })).statusCode, 200);

    redis.kill('SIGSTOP');
    try {
      assert.equal((await me(viewer)).statusCode, 200);
      assert.equal((await timed({ url: '/api/videos' })).statusCode, 200);
      const signedOut = await timed({ method: 'POST', url: '/api/auth/logout', headers: other.headers });
      assert.equal(signedOut.statusCode, 204, signedOut.body);
      assert.equal((await me(other)).statusCode, 401);
      const readiness = await context.app.inject('/readyz');
      assert.equal(readiness.statusCode, 503);
      assert.notEqual(readiness.json<{ checks: { cache: { status: string } } }>().checks.cache.status, 'up');
    } finally {
      redis.kill('SIGCONT');
    }
    // Redis still holds the live state cached before the sign-out; it must not come back.
    await waitFor(ready, 'readiness after SIGCONT');
    assert.equal((await me(other)).statusCode, 401);
    assert.equal((await me(viewer)).statusCode, 200);
  });

  it('keeps signing in, browsing and answering /api/me while Redis is down, and recovers without a restart', async () => {
    const viewer = await signInWithRoles(context, ['viewer']);
    assert.equal((await me(viewer)).statusCode, 200);

    redis.kill('SIGKILL');
    await waitFor(async () => !(await ready()), 'readiness to notice');
    assert.equal((await me(viewer)).statusCode, 200);
    assert.equal((await timed({ url: '/api/videos?limit=5' })).statusCode, 200);
    const login = await timed({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: viewer.email, password: viewer.password },
    });
    assert.equal(login.statusCode, 200, login.body);

    redis = startRedis(port);
    await waitFor(ready, 'readiness after restart');
    assert.equal((await me(viewer)).statusCode, 200);
    assert.equal((await timed({ url: '/api/videos?limit=5' })).statusCode, 200);
  });
});
