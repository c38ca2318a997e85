import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { registerViewer, type SignedIn } from '../support/accounts.ts';
import { providersAt, startFakePayments, type FakePayments } from '../support/fake-payments.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

const STRIPE_SECRET = 'whsec_test_marquee_webhooks_0123456789';
const RAZORPAY_SECRET = 'rzp_webhook_secret_0123456789';
const stripe = new Stripe('sk_test_for_signing_only');
const now = () => Math.floor(Date.now() / 1000);

describe('Payment provider webhooks (official SDKs against a loopback fake)', () => {
  let context: TestContext;
  let fake: FakePayments;

  before(async () => {
    fake = await startFakePayments();
    context = await createTestApp({
      env: providersAt(fake, { stripeWebhook: STRIPE_SECRET, razorpayWebhook: RAZORPAY_SECRET }),
    });
  });
  after(async () => {
    await context?.close();
    await fake?.close();
  });

  const db = () => context.deps.database.db;
  const ledger = (provider: string) =>
    db()
      .selectFrom('webhookEvents')
      .selectAll()
      .where('provider', '=', provider)
      .orderBy('receivedAt')
      .execute();
  const planOf = async (userId: string) =>
    (await db().selectFrom('users').select('planId').where('id', '=', userId).executeTakeFirstOrThrow())
      .planId;
  const subscriptionOf = (userId: string) =>
    db().selectFrom('subscriptions').selectAll().where('userId', '=', userId).executeTakeFirstOrThrow();
  async function allApplied(provider: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while ((await ledger(provider)).some((row) => row.appliedAt === null)) {
      if (Date.now() > deadline) throw new Error('events not applied');
      await sleep(50);
    }
  }

  const sendStripe = (payload: string, header?: string) =>
    context.app.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      headers: {
        'content-type': 'application/json',
        ...(header !== undefined && { 'stripe-signature': header }),
      },
      payload,
    });
  const signedStripe = (event: object, timestamp = now()) => {
    const payload = JSON.stringify(event);
    return {
      payload,
      header: stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET, timestamp }),
    };
  };

  async function stripeCheckout(viewer: SignedIn): Promise<string> {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'premium', interval: 'month', provider: 'stripe' },
    });
    assert.equal(response.statusCode, 201, response.body);
    const checkout = response.json<{ subscriptionId: string; checkoutUrl: string; sandbox: boolean }>();
    assert.match(checkout.checkoutUrl, /^https:\/\/checkout\.stripe\.test\//);
    assert.equal(checkout.sandbox, false);
    return checkout.subscriptionId;
  }

  it('refuses missing, wrong, tampered and stale signatures with 401 problem+json, recording nothing', async () => {
    const event = {
      id: 'evt_refused_1',
      object: 'event',
      type: 'invoice.paid',
      created: now(),
      data: { object: { object: 'invoice', id: 'in_x', currency: 'usd' } },
    };
    const { payload, header } = signedStripe(event);
    const wrongSecret = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: 'whsec_someone_else_entirely',
    });
    const stale = signedStripe(event, now() - 600);
    const cases: Array<[string, string | undefined]> = [
      [payload, undefined],
      [payload, 'garbage'],
      [payload, wrongSecret],
      [payload.replace('in_x', 'in_y'), header],
      [stale.payload, stale.header],
    ];
    for (const [body, signature] of cases) {
      const response = await sendStripe(body, signature);
      assert.equal(response.statusCode, 401, response.body);
      assert.match(String(response.headers['content-type']), /application\/problem\+json/);
      assert.equal(response.json<{ code: string }>().code, 'WEBHOOK_SIGNATURE_INVALID');
    }
    const razorpay = await context.app.inject({
      method: 'POST',
      url: '/api/webhooks/razorpay',
      headers: {
        'content-type': 'application/json',
        'x-razorpay-signature': 'deadbeef',
        'x-razorpay-event-id': 'evt_r0',
      },
      payload: '{"event":"subscription.activated","created_at":1,"payload":{}}',
    });
    assert.equal(razorpay.statusCode, 401);
    assert.deepEqual(await ledger('stripe'), []);
    assert.deepEqual(await ledger('razorpay'), []);
  });

  it('applies events delivered out of order, each 10 times, to the exact final state, ledgered once each', async () => {
    const viewer = await registerViewer(context.app);
    const subscriptionId = await stripeCheckout(viewer);
    assert.equal(await planOf(viewer.userId), 'free', 'checkout alone grants nothing');

    const start = now() - 60;
    const periodEnd = start + 30 * 86_400;
    const subscriptionObject = (status: string) => ({
      object: 'subscription',
      id: 'sub_ooo_1',
      status,
      customer: 'cus_1',
      cancel_at_period_end: false,
      trial_end: null,
      metadata: { subscriptionId },
      items: { object: 'list', data: [{ current_period_start: start, current_period_end: periodEnd }] },
    });
    // What Stripe holds now: the subscription is active.
    fake.subscriptions.set('sub_ooo_1', subscriptionObject('active'));
    const events = [
      {
        id: 'evt_ooo_created',
        object: 'event',
        type: 'customer.subscription.created',
        created: start,
        data: { object: subscriptionObject('incomplete') },
      },
      {
        id: 'evt_ooo_session',
        object: 'event',
        type: 'checkout.session.completed',
        created: start + 1,
        data: {
          object: {
            object: 'checkout.session',
            id: 'cs_1',
            subscription: 'sub_ooo_1',
            customer: 'cus_1',
            metadata: { subscriptionId },
          },
        },
      },
      {
        id: 'evt_ooo_updated',
        object: 'event',
        type: 'customer.subscription.updated',
        created: start + 2,
        data: { object: subscriptionObject('active') },
      },
      {
        id: 'evt_ooo_paid',
        object: 'event',
        type: 'invoice.paid',
        created: start + 2,
        data: {
          object: {
            object: 'invoice',
            id: 'in_ooo_1',
            currency: 'usd',
            amount_paid: 1999,
            parent: { subscription_details: { subscription: 'sub_ooo_1', metadata: { subscriptionId } } },
            lines: { data: [{ period: { start, end: periodEnd } }] },
          },
        },
      },
    ];
    // Newest first (invoice.paid before customer.subscription.created), each ten times at once.
    for (const event of [...events].reverse()) {
      const { payload, header } = signedStripe(event);
      const answers = await Promise.all(Array.from({ length: 10 }, () => sendStripe(payload, header)));
      assert.deepEqual([...new Set(answers.map((answer) => answer.statusCode))], [200]);
      assert.equal(answers.filter((answer) => !answer.json<{ duplicate: boolean }>().duplicate).length, 1);
    }
    await allApplied('stripe');
    // Replayed later (within the tolerance): a duplicate, changes nothing.
    const replay = signedStripe(events[0]!);
    assert.equal(
      (await sendStripe(replay.payload, replay.header)).json<{ duplicate: boolean }>().duplicate,
      true,
    );

    const rows = await ledger('stripe');
    assert.deepEqual(rows.map((row) => row.eventId).sort(), events.map((event) => event.id).sort());
    const subscription = await subscriptionOf(viewer.userId);
    assert.equal(subscription.status, 'active');
    assert.equal(subscription.providerSubscriptionId, 'sub_ooo_1');
    assert.equal(subscription.currentPeriodEnd?.getTime(), periodEnd * 1000);
    assert.equal(await planOf(viewer.userId), 'premium');
    const payments = await db()
      .selectFrom('subscriptionPayments')
      .selectAll()
      .where('userId', '=', viewer.userId)
      .execute();
    assert.deepEqual(
      payments.map((p) => [p.providerPaymentId, p.status, p.amountMinor]),
      [['in_ooo_1', 'paid', 1999]],
    );

    // Stripe ends it: entitlements go with it.
    fake.subscriptions.set('sub_ooo_1', subscriptionObject('canceled'));
    const deleted = signedStripe({
      id: 'evt_ooo_deleted',
      object: 'event',
      type: 'customer.subscription.deleted',
      created: now(),
      data: { object: subscriptionObject('canceled') },
    });
    assert.equal((await sendStripe(deleted.payload, deleted.header)).statusCode, 200);
    await allApplied('stripe');
    assert.equal((await subscriptionOf(viewer.userId)).status, 'canceled');
    assert.equal(await planOf(viewer.userId), 'free');
    // A late "active" cannot bring a canceled subscription back.
    const late = signedStripe({ ...events[2]!, id: 'evt_ooo_late' });
    await sendStripe(late.payload, late.header);
    await allApplied('stripe');
    assert.equal(await planOf(viewer.userId), 'free');
  });

  it('verifies Razorpay webhooks (HMAC-SHA256 of the raw body) and applies them through the fetched subscription', async () => {
    const viewer = await registerViewer(context.app);
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'standard', interval: 'month', provider: 'razorpay', currency: 'INR' },
    });
    assert.equal(response.statusCode, 201, response.body);
    const checkout = response.json<{ clientParams: { subscription_id: string } }>();
    const providerId = checkout.clientParams.subscription_id;
    const held = fake.subscriptions.get(providerId);
    assert.ok(held);
    const start = now() - 10;
    Object.assign(held, { status: 'active', current_start: start, current_end: start + 30 * 86_400 });
    const body = JSON.stringify({
      entity: 'event',
      event: 'subscription.activated',
      created_at: start,
      payload: {
        subscription: { entity: { ...held } },
        payment: { entity: { id: 'pay_1', amount: 34975, currency: 'INR', status: 'captured' } },
      },
    });
    const signature = createHmac('sha256', RAZORPAY_SECRET).update(body).digest('hex');
    const send = (payload: string, sig: string) =>
      context.app.inject({
        method: 'POST',
        url: '/api/webhooks/razorpay',
        headers: {
          'content-type': 'application/json',
          'x-razorpay-signature': sig,
          'x-razorpay-event-id': 'evt_rzp_1',
        },
        payload,
      });
    assert.equal((await send(body.replace('34975', '1'), signature)).statusCode, 401, 'tampered');
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(body, signature)));
    assert.deepEqual([...new Set(answers.map((answer) => answer.statusCode))], [200]);
    await allApplied('razorpay');
    assert.equal((await ledger('razorpay')).length, 1);
    assert.equal((await subscriptionOf(viewer.userId)).status, 'active');
    assert.equal(await planOf(viewer.userId), 'standard');
  });
});
