import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { providersAt, startFakePayments, type FakePayments } from '../support/fake-payments.ts';
import { freePort, run, waitUntilListening } from '../support/processes.ts';
import { createTestDatabase, serverUrl, type TestDatabase } from '../support/test-database.ts';

/**
 * A worker killed with SIGKILL while it applies payment-provider webhooks: after a restart every
 * event is applied exactly once — each invoice one payment, none lost, none doubled. The API and
 * the worker are separate processes sharing one database, so this runs on the PostgreSQL server
 * (the real-services pass); an embedded PGlite belongs to one process.
 */

const WEBHOOK_SECRET = 'whsec_test_marquee_crash_0123456789';
const SUBSCRIPTIONS = 4;
const INVOICES_EACH = 10;
const stripe = new Stripe('sk_test_for_signing_only');

type Child = ReturnType<typeof run>;

describe('a worker killed while applying webhooks', { skip: !serverUrl && 'needs DATABASE_URL' }, () => {
  let dataDir: string;
  let testDatabase: TestDatabase;
  let fake: FakePayments;
  let env: Record<string, string>;
  let api: Child;
  let baseUrl: string;
  const children: Child[] = [];

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-webhook-crash-'));
    testDatabase = await createTestDatabase();
    fake = await startFakePayments();
    env = {
      ...providersAt(fake, { stripeWebhook: WEBHOOK_SECRET, razorpayWebhook: 'rzp_crash_secret_0123456789' }),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      DATA_DIR: dataDir,
      DATABASE_URL: testDatabase.url ?? '',
      REDIS_URL: '',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    };
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    api = run('src/main.ts', [], { ...env, ROLE: 'api', PORT: String(port), HOST: '127.0.0.1' });
    children.push(api);
    await waitUntilListening(baseUrl, api.child, 60_000).catch((error: unknown) => {
      throw new Error(`the API did not start: ${String(error)}\n${api.output().stderr}`);
    });
  });

  after(async () => {
    for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    await fake?.close();
    await testDatabase?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.status < 300, `${url}: ${response.status} ${text}\n${api.output().stderr}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const db = () => testDatabase.database.db;
  const appliedCount = async () =>
    Number(
      (
        await db()
          .selectFrom('webhookEvents')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('appliedAt', 'is not', null)
          .executeTakeFirstOrThrow()
      ).count,
    );

  it('applies every event exactly once after a restart', async (t) => {
    // Accounts with a Stripe checkout each, and the subscriptions Stripe holds for them.
    const start = Math.floor(Date.now() / 1000) - 60;
    const subscriptions = [];
    for (let index = 0; index < SUBSCRIPTIONS; index++) {
      const credentials = {
        email: `crash-${index}@example.com`,
        password: `crash passphrase ${index} xyzzy`,
      };
      await post('/api/auth/register', { ...credentials, name: 'Crash' });
      const { accessToken } = await post('/api/auth/login', credentials);
      const checkout = await post(
        '/api/subscribe',
        { planId: 'premium', interval: 'month', provider: 'stripe' },
        { authorization: `Bearer ${String(accessToken)}` },
      );
      const stripeId = `sub_crash_${index}`;
      const marqueeId = String(checkout.subscriptionId);
      fake.subscriptions.set(stripeId, {
        object: 'subscription',
        id: stripeId,
        status: 'active',
        customer: `cus_crash_${index}`,
        cancel_at_period_end: false,
        metadata: { subscriptionId: marqueeId },
        items: { data: [{ current_period_start: start, current_period_end: start + 30 * 86_400 }] },
      });
      subscriptions.push({ stripeId, marqueeId });
    }
    // One paid invoice per subscription and month: each must become exactly one payment.
    const events = subscriptions.flatMap(({ stripeId, marqueeId }, sub) =>
      Array.from({ length: INVOICES_EACH }, (_, month) => {
        const periodStart = start + month * 30 * 86_400;
        const payload = JSON.stringify({
          id: `evt_crash_${sub}_${month}`,
          object: 'event',
          type: 'invoice.paid',
          created: start + month,
          data: {
            object: {
              object: 'invoice',
              id: `in_crash_${sub}_${month}`,
              currency: 'usd',
              amount_paid: 1000 + month,
              parent: {
                subscription_details: { subscription: stripeId, metadata: { subscriptionId: marqueeId } },
              },
              lines: { data: [{ period: { start: periodStart, end: periodStart + 30 * 86_400 } }] },
            },
          },
        });
        return {
          payload,
          header: stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }),
        };
      }),
    );
    // Accepted by the API (recorded and queued); nothing applies them until a worker runs.
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < events.length) {
          const event = events[next++]!;
          const response = await fetch(`${baseUrl}/api/webhooks/stripe`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'stripe-signature': event.header },
            body: event.payload,
          });
          assert.equal(response.status, 200, await response.text());
        }
      }),
    );
    assert.equal(await appliedCount(), 0, 'the API role applies nothing itself');

    // 1. A worker starts applying them and is killed outright part-way.
    const first = run('src/main.ts', [], { ...env, ROLE: 'worker' });
    children.push(first);
    const deadline = Date.now() + 60_000;
    while ((await appliedCount()) < 4) {
      assert.ok(first.child.exitCode === null, `the worker exited:\n${first.output().stderr}`);
      assert.ok(Date.now() < deadline, `nothing applied in 60 s:\n${first.output().stdout.slice(-2000)}`);
      await sleep(10);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await appliedCount();
    t.diagnostic(`killed after ${atKill} of ${events.length} events applied`);
    assert.ok(atKill < events.length, 'the kill landed while events were still pending');

    // 2. A new worker finishes the rest, including the jobs the dead one held (its heartbeat stops).
    const began = Date.now();
    const second = run('src/main.ts', [], { ...env, ROLE: 'worker' });
    children.push(second);
    for (let applied = await appliedCount(); applied < events.length; applied = await appliedCount()) {
      assert.ok(second.child.exitCode === null, `the worker exited:\n${second.output().stderr}`);
      assert.ok(
        Date.now() - began < 90_000,
        `${applied} of ${events.length} applied 90 s after the restart:\n${second.output().stdout.slice(-2000)}`,
      );
      await sleep(100);
    }
    t.diagnostic(`all applied ${((Date.now() - began) / 1000).toFixed(1)} s after the restart`);

    // 3. Exactly once: one payment per invoice, with its own amount; every subscription active.
    const payments = await db()
      .selectFrom('subscriptionPayments')
      .select(['providerPaymentId', 'amountMinor', 'status'])
      .where('provider', '=', 'stripe')
      .execute();
    assert.equal(payments.length, events.length, 'one payment per invoice, none doubled or lost');
    assert.equal(new Set(payments.map((payment) => payment.providerPaymentId)).size, events.length);
    for (const payment of payments) {
      const month = Number(payment.providerPaymentId.split('_').at(-1));
      assert.equal(payment.amountMinor, 1000 + month, payment.providerPaymentId);
      assert.equal(payment.status, 'paid');
    }
    const states = await db()
      .selectFrom('subscriptions')
      .select('status')
      .where(
        'id',
        'in',
        subscriptions.map((subscription) => subscription.marqueeId),
      )
      .execute();
    assert.deepEqual(
      states.map((state) => state.status),
      subscriptions.map(() => 'active'),
    );

    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.output().stderr);
  });
});
