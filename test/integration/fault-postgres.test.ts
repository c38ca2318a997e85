import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { allowDevices, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { catalogMaker } from '../support/engagement-catalog.ts';
import { ownPostgres } from '../support/own-postgres.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';
import { serverUrl } from '../support/test-database.ts';

/**
 * PostgreSQL restarted under a running app (a server of this test's own, never the machine's):
 * while it is down, what needs it answers 503 with Retry-After — never 500 — within a bounded
 * time; the pool recovers by itself; progress accepted before the outage is written after it.
 * Runs in the real-services pass.
 */
describe('PostgreSQL restart', { skip: !serverUrl }, () => {
  let postgres: Awaited<ReturnType<typeof ownPostgres>>;
  let context: TestContext;
  let viewer: SignedIn;
  let movie: string;

  before(async () => {
    postgres = await ownPostgres();
    context = await createTestApp({
      databaseServerUrl: postgres.url,
      env: { ENGAGEMENT_PROGRESS_FLUSH_MS: '1000' },
    });
    await allowDevices(context);
    viewer = await signInWithRoles(context, ['viewer']);
    movie = await catalogMaker(context, await signInWithRoles(context, ['admin'])).movie('Outage');
  });
  after(async () => {
    await postgres.start().catch(() => undefined);
    await context.close();
    await postgres.remove();
  });

  const stored = () =>
    context.deps.database.db
      .selectFrom('watchProgress')
      .select('positionSeconds')
      .where('userId', '=', viewer.userId)
      .where('itemId', '=', movie)
      .executeTakeFirst();

  it('answers 503 with Retry-After while it is down, recovers by itself, and loses no accepted progress', async () => {
    const accepted = await context.app.inject({
      method: 'POST',
      url: '/api/progress',
      headers: viewer.headers,
      payload: { itemId: movie, positionSeconds: 321, durationSeconds: 5000 },
    });
    assert.equal(accepted.statusCode, 202, accepted.body);
    await postgres.stop(); // before the buffer's next flush

    const started = performance.now();
    const login = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: viewer.email, password: viewer.password },
    });
    assert.ok(performance.now() - started < 10_000, 'answered in bounded time');
    assert.equal(login.statusCode, 503, login.body);
    assert.equal(login.json<{ code: string }>().code, 'DEPENDENCY_UNAVAILABLE');
    assert.ok(Number(login.headers['retry-after']) > 0);
    assert.equal((await context.app.inject('/readyz')).statusCode, 503);
    await sleep(1500); // a flush fails meanwhile and keeps its positions

    await postgres.start();
    const deadline = performance.now() + 20_000;
    let recovered;
    do {
      await sleep(250);
      recovered = await context.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: viewer.email, password: viewer.password },
      });
    } while (recovered.statusCode !== 200 && performance.now() < deadline);
    assert.equal(recovered.statusCode, 200, recovered.body);
    await sleep(1500);
    assert.equal((await stored())?.positionSeconds, 321);
  });
});
