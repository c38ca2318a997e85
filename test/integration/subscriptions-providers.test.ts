import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Razorpay from 'razorpay';
import Stripe from 'stripe';
import { razorpaySignatureMatches } from '../../src/modules/subscriptions/providers/razorpay.provider.ts';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { providersAt, startFakePayments, type FakePayments } from '../support/fake-payments.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

const STRIPE_SECRET = 'whsec_test_marquee_providers_0123456789';
const RAZORPAY_SECRET = 'rzp_webhook_secret_providers_0123';
const stripe = new Stripe('sk_test_for_signing_only');
const now = () => Math.floor(Date.now() / 1000);

describe('Razorpay webhook signatures, compared in constant time', () => {
  const body = Buffer.from('{"event":"subscription.activated"}');
  const good = createHmac('sha256', RAZORPAY_SECRET).update(body).digest('hex');
  it('accepts what the SDK accepts and refuses the rest, whatever its length', () => {
    assert.equal(Razorpay.validateWebhookSignature(body.toString(), good, RAZORPAY_SECRET), true);
    assert.equal(razorpaySignatureMatches({ rawBody: body, signature: good, secret: RAZORPAY_SECRET }), true);
    for (const signature of [
      '',
      'deadbeef',
      `${good}00`,
      good.slice(0, 63),
      `${good.slice(0, 63)}g`,
      'x'.repeat(64),
    ]) {
      assert.equal(
        razorpaySignatureMatches({ rawBody: body, signature, secret: RAZORPAY_SECRET }),
        false,
        signature,
      );
    }
    const other = createHmac('sha256', 'another secret').update(body).digest('hex');
    assert.equal(
      razorpaySignatureMatches({ rawBody: body, signature: other, secret: RAZORPAY_SECRET }),
      false,
    );
  });
});

describe('Plan changes, refunds and coupons through Stripe and Razorpay (official SDKs, loopback fake)', () => {
  let context: TestContext;
  let fake: FakePayments;
  let admin: SignedIn;

  before(async () => {
    fake = await startFakePayments();
    context = await createTestApp({
      env: providersAt(fake, { stripeWebhook: STRIPE_SECRET, razorpayWebhook: RAZORPAY_SECRET }),
    });
    admin = await signInWithRoles(context, ['admin']);
  });
  after(async () => {
    await context?.close();
    await fake?.close();
  });

  const db = () => context.deps.database.db;
  const subscriptionOf = (userId: string) =>
    db().selectFrom('subscriptions').selectAll().where('userId', '=', userId).executeTakeFirstOrThrow();
  const planOf = async (userId: string) =>
    (await db().selectFrom('users').select('planId').where('id', '=', userId).executeTakeFirstOrThrow())
      .planId;
  async function allApplied(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (
      (await db().selectFrom('webhookEvents').select('eventId').where('appliedAt', 'is', null).execute())
        .length
    ) {
      if (Date.now() > deadline) throw new Error('events not applied');
      await sleep(50);
    }
  }
  const sendStripe = async (event: object) => {
    const payload = JSON.stringify(event);
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      payload,
    });
    assert.equal(response.statusCode, 200, response.body);
    await allApplied();
  };
  const changePlan = (viewer: SignedIn, planId: string) =>
    context.app.inject({
      method: 'POST',
      url: '/api/subscription/plan',
      headers: viewer.headers,
      payload: { planId },
    });
  const lastRequest = (method: string, path: RegExp) =>
    fake.requests.filter((r) => r.method === method && path.test(r.path)).at(-1);

  it('Stripe: an upgrade is invoiced with proration now, a downgrade waits for the next period; a refund goes to the invoice’s payment', async () => {
    const viewer = await registerViewer(context.app);
    const checkout = await context.app.inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'standard', interval: 'month', provider: 'stripe' },
    });
    assert.equal(checkout.statusCode, 201, checkout.body);
    const subscriptionId = checkout.json<{ subscriptionId: string }>().subscriptionId;
    const sessionBody = new URLSearchParams(lastRequest('POST', /^\/v1\/checkout\/sessions$/)?.body ?? '');
    assert.ok(
      Number(sessionBody.get('expires_at')) > now(),
      'the session lapses before the schedule expires it',
    );

    const start = now() - 60;
    const subscription = (periodStart: number) => ({
      object: 'subscription',
      id: 'sub_change_1',
      status: 'active',
      customer: 'cus_change',
      cancel_at_period_end: false,
      metadata: { subscriptionId },
      items: {
        object: 'list',
        data: [
          {
            id: 'si_change_1',
            price: { id: 'price_standard', product: 'prod_marquee' },
            current_period_start: periodStart,
            current_period_end: periodStart + 30 * 86_400,
          },
        ],
      },
    });
    fake.subscriptions.set('sub_change_1', subscription(start));
    await sendStripe({
      id: 'evt_change_active',
      object: 'event',
      type: 'invoice.paid',
      created: start,
      data: {
        object: {
          object: 'invoice',
          id: 'in_change_1',
          currency: 'usd',
          amount_paid: 1399,
          parent: { subscription_details: { subscription: 'sub_change_1', metadata: { subscriptionId } } },
          lines: { data: [{ period: { start, end: start + 30 * 86_400 } }] },
        },
      },
    });
    assert.equal(await planOf(viewer.userId), 'standard');

    const upgrade = await changePlan(viewer, 'premium');
    assert.deepEqual(upgrade.json(), { effective: 'now' });
    const upgradeBody = new URLSearchParams(
      lastRequest('POST', /^\/v1\/subscriptions\/sub_change_1$/)?.body ?? '',
    );
    assert.equal(upgradeBody.get('proration_behavior'), 'always_invoice');
    assert.equal(upgradeBody.get('items[0][id]'), 'si_change_1');
    assert.equal(upgradeBody.get('items[0][price_data][unit_amount]'), '1999');
    assert.equal(upgradeBody.get('items[0][price_data][product]'), 'prod_marquee');
    assert.equal(await planOf(viewer.userId), 'premium');

    const downgrade = await changePlan(viewer, 'basic');
    assert.deepEqual(downgrade.json(), { effective: 'period_end' });
    const downgradeBody = new URLSearchParams(
      lastRequest('POST', /^\/v1\/subscriptions\/sub_change_1$/)?.body ?? '',
    );
    assert.equal(downgradeBody.get('proration_behavior'), 'none');
    assert.equal(await planOf(viewer.userId), 'premium', 'paid-for time is kept');
    assert.equal((await subscriptionOf(viewer.userId)).pendingPlanId, 'basic');

    // Stripe starts the next period: the downgrade takes effect.
    const next = start + 30 * 86_400;
    fake.subscriptions.set('sub_change_1', subscription(next));
    await sendStripe({
      id: 'evt_change_renewed',
      object: 'event',
      type: 'customer.subscription.updated',
      created: now(),
      data: { object: subscription(next) },
    });
    const renewed = await subscriptionOf(viewer.userId);
    assert.deepEqual([renewed.planId, renewed.pendingPlanId, renewed.amountMinor], ['basic', null, 799]);
    assert.equal(await planOf(viewer.userId), 'basic');

    const [payment] = await db()
      .selectFrom('subscriptionPayments')
      .selectAll()
      .where('userId', '=', viewer.userId)
      .execute();
    assert.ok(payment);
    const refund = await context.app.inject({
      method: 'POST',
      url: `/api/admin/subscription-payments/${payment.id}/refund`,
      headers: admin.headers,
      payload: { amountMinor: 500 },
    });
    assert.equal(refund.statusCode, 200, refund.body);
    const refundBody = new URLSearchParams(lastRequest('POST', /^\/v1\/refunds$/)?.body ?? '');
    assert.deepEqual(
      [refundBody.get('payment_intent'), refundBody.get('amount')],
      ['pi_for_in_change_1', '500'],
    );

    // Stripe confirms: a partial refund leaves the payment paid, a full one ends it, and a late
    // redelivery of the invoice's payment cannot undo the refund.
    const charge = (refunded: number, id: string) =>
      sendStripe({
        id,
        object: 'event',
        type: 'charge.refunded',
        created: now(),
        data: {
          object: {
            object: 'charge',
            id: 'ch_change_1',
            invoice: 'in_change_1',
            amount: 1399,
            amount_refunded: refunded,
            currency: 'usd',
          },
        },
      });
    const paymentStatus = async () =>
      (
        await db()
          .selectFrom('subscriptionPayments')
          .select('status')
          .where('id', '=', payment.id)
          .executeTakeFirstOrThrow()
      ).status;
    await charge(500, 'evt_change_refund_part');
    assert.equal(await paymentStatus(), 'paid');
    await charge(1399, 'evt_change_refund_all');
    assert.equal(await paymentStatus(), 'refunded');
    await sendStripe({
      id: 'evt_change_paid_late',
      object: 'event',
      type: 'invoice.paid',
      created: start,
      data: {
        object: {
          object: 'invoice',
          id: 'in_change_1',
          currency: 'usd',
          amount_paid: 1399,
          parent: { subscription_details: { subscription: 'sub_change_1', metadata: { subscriptionId } } },
          lines: { data: [{ period: { start, end: start + 30 * 86_400 } }] },
        },
      },
    });
    assert.equal(await paymentStatus(), 'refunded');
  });

  it('Stripe: a coupon is mirrored to Stripe under its code; checkout applies it there', async () => {
    const created = await context.app.inject({
      method: 'POST',
      url: '/api/admin/coupons',
      headers: admin.headers,
      payload: { code: 'spring25', name: 'Spring', percentOff: 25, duration: 'repeating', durationMonths: 3 },
    });
    assert.equal(created.statusCode, 201, created.body);
    const mirrored = new URLSearchParams(lastRequest('POST', /^\/v1\/coupons$/)?.body ?? '');
    assert.deepEqual(
      [
        mirrored.get('id'),
        mirrored.get('percent_off'),
        mirrored.get('duration'),
        mirrored.get('duration_in_months'),
      ],
      ['SPRING25', '25', 'repeating', '3'],
    );
    const viewer = await registerViewer(context.app);
    const checkout = await context.app.inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'basic', interval: 'month', provider: 'stripe', couponCode: 'SPRING25' },
    });
    assert.equal(checkout.statusCode, 201, checkout.body);
    const session = new URLSearchParams(lastRequest('POST', /^\/v1\/checkout\/sessions$/)?.body ?? '');
    assert.equal(session.get('discounts[0][coupon]'), 'SPRING25');
  });

  it('Razorpay: an upgrade changes the plan now, a downgrade at the cycle end; refunds go to the payment', async () => {
    const viewer = await registerViewer(context.app);
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'basic', interval: 'month', provider: 'razorpay', currency: 'INR' },
    });
    assert.equal(response.statusCode, 201, response.body);
    const providerId = response.json<{ clientParams: { subscription_id: string } }>().clientParams
      .subscription_id;
    const held = fake.subscriptions.get(providerId);
    assert.ok(held);
    const start = now() - 10;
    Object.assign(held, { status: 'active', current_start: start, current_end: start + 30 * 86_400 });
    const body = JSON.stringify({
      entity: 'event',
      event: 'subscription.charged',
      created_at: start,
      payload: {
        subscription: { entity: { ...held } },
        payment: { entity: { id: 'pay_change_1', amount: 19975, currency: 'INR', status: 'captured' } },
      },
    });
    const sent = await context.app.inject({
      method: 'POST',
      url: '/api/webhooks/razorpay',
      headers: {
        'content-type': 'application/json',
        'x-razorpay-signature': createHmac('sha256', RAZORPAY_SECRET).update(body).digest('hex'),
        'x-razorpay-event-id': 'evt_rzp_change_1',
      },
      payload: body,
    });
    assert.equal(sent.statusCode, 200, sent.body);
    await allApplied();
    assert.equal(await planOf(viewer.userId), 'basic');

    assert.deepEqual((await changePlan(viewer, 'standard')).json(), { effective: 'now' });
    const update = lastRequest('PATCH', new RegExp(`^/v1/subscriptions/${providerId}$`));
    assert.ok(update, 'the SDK updated the subscription');
    const upgradeBody = JSON.parse(update.body) as { plan_id: string; schedule_change_at: string };
    assert.equal(upgradeBody.schedule_change_at, 'now');
    assert.match(upgradeBody.plan_id, /^plan_/);
    assert.equal(await planOf(viewer.userId), 'standard');
    assert.deepEqual((await changePlan(viewer, 'basic')).json(), { effective: 'period_end' });
    const downgrade = lastRequest('PATCH', new RegExp(`^/v1/subscriptions/${providerId}$`));
    assert.equal(
      (JSON.parse(downgrade?.body ?? '{}') as { schedule_change_at: string }).schedule_change_at,
      'cycle_end',
    );

    const [payment] = await db()
      .selectFrom('subscriptionPayments')
      .selectAll()
      .where('userId', '=', viewer.userId)
      .execute();
    assert.ok(payment);
    const refund = await context.app.inject({
      method: 'POST',
      url: `/api/admin/subscription-payments/${payment.id}/refund`,
      headers: admin.headers,
      payload: {},
    });
    assert.equal(refund.statusCode, 200, refund.body);
    assert.equal(refund.json<{ status: string }>().status, 'refunded');
    assert.ok(lastRequest('POST', /^\/v1\/payments\/pay_change_1\/refund$/), 'refunded through Razorpay');
  });
});
