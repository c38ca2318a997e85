/**
 * bench:subscriptions — provider webhook events applied per second against PostgreSQL (distinct
 * events: verified, ledgered, queued, applied by the worker against the provider's object; and
 * duplicates: verified and dropped by the ledger), and GET /api/subscription/status against
 * GET /healthz on the same server in the same run (aim: ≥ 0.7).
 *
 * Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); a
 * fresh database is created on that server and dropped afterwards. Stripe's API is a loopback fake.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import Stripe from 'stripe';
import { startFakePayments } from '../test/support/fake-payments.ts';
import { compare, printComparison, recordResults, startMarquee } from './lib/runner.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const distinctEvents = Number(process.env.BENCH_EVENTS ?? 1000);
const subscriptionCount = 20;
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const webhookSecret = 'whsec_bench_subscriptions_0123456789';
const stripe = new Stripe('sk_test_bench_signing_only');

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
const databaseName = `marquee_bench_subs_${randomUUID().slice(0, 8)}`;
await admin.query(`create database ${databaseName}`);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${databaseName}` }).toString();
const fake = await startFakePayments();
const marquee = await startMarquee({
  env: {
    DATABASE_URL: databaseUrl,
    STRIPE_SECRET_KEY: 'sk_test_bench_0123456789',
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_BASE: fake.url,
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    ...(process.env.BENCH_LOG_LEVEL && { LOG_LEVEL: process.env.BENCH_LOG_LEVEL }),
  },
});
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
try {
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${marquee.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };

  // Accounts with a Stripe checkout each, and the subscriptions Stripe holds for them.
  const subscriptions: Array<{ marqueeId: string; stripeId: string }> = [];
  let accessToken = '';
  for (let index = 0; index < subscriptionCount; index++) {
    const credentials = {
      email: `bench-${randomUUID().slice(0, 8)}@example.com`,
      password: `bench passphrase ${randomUUID()}`,
    };
    // Registering answers 202 whatever the address (no account discovery); signing in gives the token.
    await post('/api/auth/register', { ...credentials, name: 'Bench' });
    accessToken = String((await post('/api/auth/login', credentials)).accessToken);
    const checkout = await post(
      '/api/subscribe',
      { planId: 'premium', interval: 'month', provider: 'stripe' },
      { authorization: `Bearer ${accessToken}` },
    );
    const stripeId = `sub_bench_${index}`;
    subscriptions.push({ marqueeId: String(checkout.subscriptionId), stripeId });
  }
  const start = Math.floor(Date.now() / 1000);
  const objectFor = (subscription: (typeof subscriptions)[number]) => ({
    object: 'subscription',
    id: subscription.stripeId,
    status: 'active',
    customer: 'cus_bench',
    cancel_at_period_end: false,
    metadata: { subscriptionId: subscription.marqueeId },
    items: { data: [{ current_period_start: start, current_period_end: start + 30 * 86_400 }] },
  });
  for (const subscription of subscriptions)
    fake.subscriptions.set(subscription.stripeId, objectFor(subscription));
  const signed = (index: number) => {
    const subscription = subscriptions[index % subscriptions.length]!;
    const payload = JSON.stringify({
      id: `evt_bench_${index}`,
      object: 'event',
      type: 'customer.subscription.updated',
      created: start + index,
      data: { object: objectFor(subscription) },
    });
    return { payload, header: stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret }) };
  };

  // The status read first, on its own: the webhook phases below leave the database and the worker
  // busy (writes, queue polling), which a read measured beside them would be charged for.
  const statusComparison = await compare({
    baseline: { name: 'Marquee GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
    subjects: [
      {
        name: 'Marquee GET /api/subscription/status',
        url: `${marquee.url}/api/subscription/status`,
        headers: { authorization: `Bearer ${accessToken}` },
        server: marquee,
      },
    ],
    connections,
    durationSeconds,
    rounds,
  });

  // Distinct events: delivered by 20 concurrent senders, then applied by the worker.
  const events = Array.from({ length: distinctEvents }, (_, index) => signed(index));
  const began = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < events.length) {
        const event = events[next++]!;
        const response = await fetch(`${marquee.url}/api/webhooks/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': event.header },
          body: event.payload,
        });
        if (response.status !== 200) throw new Error(`webhook: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
  const acceptedMs = performance.now() - began;
  for (;;) {
    const { rows } = await db.query<{ pending: string }>(
      'select count(*) as pending from webhook_events where applied_at is null',
    );
    if (Number(rows[0]?.pending) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const appliedMs = performance.now() - began;
  const appliedPerSecond = (distinctEvents * 1000) / appliedMs;
  const acceptedPerSecond = (distinctEvents * 1000) / acceptedMs;

  // Duplicates (and the status read) under load, against /healthz in the same run.
  const duplicates = events.slice(0, 200).map((event) => ({
    method: 'POST' as const,
    path: '/api/webhooks/stripe',
    headers: { 'content-type': 'application/json', 'stripe-signature': event.header },
    body: event.payload,
  }));
  const webhookComparison = await compare({
    baseline: { name: 'Marquee GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
    subjects: [
      {
        name: 'Marquee POST /api/webhooks/stripe (duplicates)',
        url: `${marquee.url}/api/webhooks/stripe`,
        method: 'POST',
        requests: duplicates,
        server: marquee,
      },
    ],
    connections,
    durationSeconds,
    rounds,
  });
  const title = `${connections} connections, ${durationSeconds} s × ${rounds} rounds (median), PostgreSQL`;
  printComparison(`bench:subscriptions (status) — ${title}`, statusComparison);
  printComparison(`bench:subscriptions (duplicate webhooks) — ${title}`, webhookComparison);
  console.log(
    `${distinctEvents} distinct webhook events: accepted ${acceptedPerSecond.toFixed(0)}/s, applied ${appliedPerSecond.toFixed(0)}/s (all applied in ${(appliedMs / 1000).toFixed(1)} s)`,
  );
  const [status] = statusComparison.subjects;
  const [duplicate] = webhookComparison.subjects;
  if (status && duplicate) {
    await recordResults('subscriptions', [
      [
        String(connections),
        Math.round(statusComparison.baseline.requestsPerSecond).toString(),
        Math.round(status.requestsPerSecond).toString(),
        `**${status.ratio.toFixed(2)}**`,
        `${status.p50Ms} / ${status.p99Ms}`,
        Math.round(appliedPerSecond).toString(),
        Math.round(duplicate.requestsPerSecond).toString(),
      ],
    ]);
  }
} finally {
  await db.end();
  await marquee.stop();
  await fake.close();
  await admin.query(`drop database if exists ${databaseName} with (force)`);
  await admin.end();
}
