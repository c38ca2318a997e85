import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InjectOptions } from 'fastify';
import { SUBSCRIPTION_EVENTS_CHANNEL } from '../../src/modules/subscriptions/index.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { loginAs, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

const DAY = 86_400_000;

async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached (last ${JSON.stringify(value)})`);
    await sleep(50);
  }
}

interface Payment {
  id: string;
  status: string;
  amountMinor: number;
  refundedMinor: number;
}

/**
 * Plan changes with proration, support's endpoints (search, an account's payments and events,
 * refunds, complimentary grants, MRR and churn), unpaid checkouts that expire and give their
 * coupon back, and the reminder mails — on the sandbox provider, with a clock the test moves.
 */
describe('Subscriptions: plan changes, administration, expiry and reminders (sandbox)', () => {
  let context: TestContext;
  const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
  let support: SignedIn;

  before(async () => {
    context = await createTestApp({ clock, env: { PAYMENTS_SANDBOX: 'true' } });
    const admin = await signInWithRoles(context, ['admin']);
    // No trials on Basic and Premium here: the periods below are paid ones.
    for (const plan of ['basic', 'premium']) {
      const patched = await context.app.inject({
        method: 'PATCH',
        url: `/api/admin/plans/${plan}`,
        headers: admin.headers,
        payload: { trialDays: 0 },
      });
      assert.equal(patched.statusCode, 200, patched.body);
    }
  });
  after(async () => {
    await context.close();
  });

  const inject = (options: InjectOptions) => context.app.inject(options);
  /** A fresh sign-in: the clock moves past access tokens' lifetimes. */
  const fresh = (who: SignedIn) => loginAs(context.app, who, { replaceSessionId: who.sessionId });
  const status = async (who: SignedIn) =>
    (await inject({ method: 'GET', url: '/api/subscription/status', headers: who.headers })).json<{
      planId: string;
      state: string;
      pendingPlanId: string | null;
      currentPeriodEnd: string | null;
      subscriptionId: string | null;
    }>();
  async function checkout(who: SignedIn, payload: Record<string, unknown>): Promise<string> {
    const response = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: who.headers,
      payload: { interval: 'month', provider: 'sandbox', ...payload },
    });
    assert.equal(response.statusCode, 201, response.body);
    return new URL(response.json<{ checkoutUrl: string }>().checkoutUrl).pathname;
  }
  async function subscribed(who: SignedIn, planId: string) {
    const page = await checkout(who, { planId });
    assert.equal(
      (await inject({ method: 'POST', url: page, payload: { outcome: 'succeed' } })).statusCode,
      200,
    );
    return until(
      () => status(who),
      (s) => s.planId === planId,
      planId,
    );
  }
  async function runJob(name: 'subscriptions.run-due' | 'subscriptions.send-notices'): Promise<void> {
    const id = await context.deps.queue.send(name, {});
    assert.ok(id);
    await until(
      () => context.deps.queue.getJob(name, id),
      (job) => job?.state === 'completed',
      `${name} completed`,
    );
  }
  const mailsTo = (email: string, subject: RegExp) =>
    context.deps.database.db
      .selectFrom('mailOutbox')
      .select('subject')
      .where('toAddress', '=', email)
      .execute()
      .then((rows) => rows.filter((row) => subject.test(row.subject)));

  let upgraded: SignedIn;

  it('upgrades now with a prorated payment and downgrades at the period end', async () => {
    const viewer = await registerViewer(context.app);
    const start = await subscribed(viewer, 'basic');
    assert.equal(start.state, 'active');
    const periodStart = clock.now().getTime();
    const periodEnd = new Date(start.currentPeriodEnd ?? 0).getTime();
    // Halfway through the period: the upgrade costs half the difference (1999 − 799) / 2.
    clock.set(new Date(periodStart + (periodEnd - periodStart) / 2));
    upgraded = await fresh(viewer);
    const heard: Array<{ type: string; userId: string; planId: string; mrrDeltaMinor: number }> = [];
    const stopListening = await context.deps.pubsub.subscribe(SUBSCRIPTION_EVENTS_CHANNEL, (message) => {
      heard.push(message as (typeof heard)[number]);
    });
    const upgrade = await inject({
      method: 'POST',
      url: '/api/subscription/plan',
      headers: upgraded.headers,
      payload: { planId: 'premium' },
    });
    assert.deepEqual(upgrade.json(), { effective: 'now' });
    assert.equal((await status(upgraded)).planId, 'premium');
    const payments = (
      await inject({ method: 'GET', url: '/api/subscription/payments', headers: upgraded.headers })
    ).json<{ payments: Payment[] }>().payments;
    assert.deepEqual(payments.map((p) => p.amountMinor).sort(), [600, 799]);
    // Analytics hears the MRR move from Basic to Premium (list prices), not a churn and a sign-up.
    const moves = await until(
      async () =>
        heard.filter((event) => event.userId === viewer.userId && event.type.startsWith('SubscriptionPlan')),
      (events) => events.length >= 2,
      'plan move events',
    );
    await stopListening();
    assert.deepEqual(
      moves.map((event) => [event.type, event.planId, event.mrrDeltaMinor]),
      [
        ['SubscriptionPlanLeft', 'basic', -799],
        ['SubscriptionPlanChanged', 'premium', 1999],
      ],
    );
    assert.ok(
      !heard.some((event) => event.userId === viewer.userId && event.type === 'SubscriptionCancelled'),
    );

    const downgrade = await inject({
      method: 'POST',
      url: '/api/subscription/plan',
      headers: upgraded.headers,
      payload: { planId: 'basic' },
    });
    assert.deepEqual(downgrade.json(), { effective: 'period_end' });
    const after = await status(upgraded);
    assert.deepEqual([after.planId, after.pendingPlanId], ['premium', 'basic']);
    const same = await inject({
      method: 'POST',
      url: '/api/subscription/plan',
      headers: upgraded.headers,
      payload: { planId: 'premium' },
    });
    assert.equal(same.statusCode, 409);
    const unknown = await inject({
      method: 'POST',
      url: '/api/subscription/plan',
      headers: upgraded.headers,
      payload: { planId: 'gold' },
    });
    assert.equal(unknown.statusCode, 404);
  });

  it('lets support search, read an account, refund through the provider and see MRR; viewers get 403', async () => {
    support = await signInWithRoles(context, ['support']);
    const viewer = upgraded;
    const search = await inject({
      method: 'GET',
      url: `/api/admin/subscriptions?userId=${viewer.userId}&status=active`,
      headers: support.headers,
    });
    assert.equal(search.statusCode, 200, search.body);
    const items = search.json<{ items: Array<{ planId: string; sandbox: boolean }> }>().items;
    assert.deepEqual(
      items.map((item) => [item.planId, item.sandbox]),
      [['premium', true]],
    );
    const byEmail = await inject({
      method: 'GET',
      url: `/api/admin/subscriptions?email=${encodeURIComponent(viewer.email.toUpperCase())}`,
      headers: support.headers,
    });
    assert.deepEqual(
      byEmail.json<{ items: Array<{ userId: string }> }>().items.map((item) => item.userId),
      [viewer.userId],
    );
    const nobody = await inject({
      method: 'GET',
      url: '/api/admin/subscriptions?email=nobody%40example.com',
      headers: support.headers,
    });
    assert.deepEqual(nobody.json<{ items: unknown[] }>().items, []);
    assert.equal(
      (
        await inject({
          method: 'GET',
          url: '/api/admin/subscriptions?status=lapsed',
          headers: support.headers,
        })
      ).statusCode,
      400,
    );

    const account = (
      await inject({
        method: 'GET',
        url: `/api/admin/users/${viewer.userId}/subscriptions`,
        headers: support.headers,
      })
    ).json<{
      subscriptions: unknown[];
      payments: Payment[];
      events: Array<{ type: string; appliedAt: string }>;
    }>();
    assert.equal(account.subscriptions.length, 1);
    assert.equal(account.payments.length, 2);
    assert.deepEqual(
      account.events.map((event) => event.type),
      ['invoice.paid'],
    );
    assert.ok(account.events[0]?.appliedAt);

    const first = account.payments.find((payment) => payment.amountMinor === 799);
    assert.ok(first);
    const refund = (payload: Record<string, unknown>, who = support) =>
      inject({
        method: 'POST',
        url: `/api/admin/subscription-payments/${first.id}/refund`,
        headers: who.headers,
        payload,
      });
    assert.equal((await refund({}, viewer)).statusCode, 403);
    const tooMuch = await refund({ amountMinor: 800 });
    assert.equal(tooMuch.statusCode, 400);
    assert.equal(tooMuch.json<{ code: string }>().code, 'SUBSCRIPTION_REFUND_TOO_LARGE');
    assert.equal((await refund({ amountMinor: -5 })).statusCode, 400);
    const part = await refund({ amountMinor: 300, reason: 'Playback outage' });
    assert.equal(part.statusCode, 200, part.body);
    assert.deepEqual([part.json<Payment>().status, part.json<Payment>().refundedMinor], ['paid', 300]);
    const rest = await refund({});
    assert.deepEqual([rest.json<Payment>().status, rest.json<Payment>().refundedMinor], ['refunded', 799]);
    const again = await refund({});
    assert.equal(again.statusCode, 409);
    assert.equal(again.json<{ code: string }>().code, 'SUBSCRIPTION_REFUND_NOT_ALLOWED');
    const audited = await context.deps.database.db
      .selectFrom('auditLog')
      .select('action')
      .where('targetId', '=', first.id)
      .execute();
    assert.equal(audited.filter((row) => row.action === 'subscription.payment_refunded').length, 2);
    const missing = await inject({
      method: 'POST',
      url: '/api/admin/subscription-payments/00000000-0000-4000-8000-000000000000/refund',
      headers: support.headers,
      payload: {},
    });
    assert.equal(missing.statusCode, 404);

    const metrics = await inject({
      method: 'GET',
      url: '/api/admin/subscriptions/metrics',
      headers: support.headers,
    });
    assert.equal(metrics.statusCode, 200, metrics.body);
    const figures = metrics.json<{
      mrr: Array<{ currency: string; amountMinor: number }>;
      activeByPlan: Array<{ planId: string; count: number }>;
      churn: { subscribersAtStart: number; ended: number; rate: number };
    }>();
    assert.deepEqual(figures.mrr, [{ currency: 'USD', amountMinor: 1999 }]);
    assert.deepEqual(figures.activeByPlan, [{ planId: 'premium', count: 1 }]);
    assert.deepEqual(figures.churn, { windowDays: 30, subscribersAtStart: 0, ended: 0, rate: 0 } as never);
    assert.equal(
      (await inject({ method: 'GET', url: '/api/admin/subscriptions/metrics', headers: viewer.headers }))
        .statusCode,
      403,
    );

    const grant = await inject({
      method: 'POST',
      url: `/api/admin/users/${viewer.userId}/complimentary-plan`,
      headers: support.headers,
      payload: { planId: 'standard' },
    });
    assert.equal(grant.statusCode, 204, grant.body);
    assert.equal((await status(viewer)).planId, 'standard');
    const bogus = await inject({
      method: 'POST',
      url: `/api/admin/users/${viewer.userId}/complimentary-plan`,
      headers: support.headers,
      payload: { planId: 'gold' },
    });
    assert.equal(bogus.statusCode, 404);
  });

  it('expires a checkout unpaid for a day and gives its coupon back', async () => {
    const admin = await signInWithRoles(context, ['admin']);
    const coupon = await inject({
      method: 'POST',
      url: '/api/admin/coupons',
      headers: admin.headers,
      payload: {
        code: 'LASTONE',
        name: 'Last one',
        percentOff: 10,
        duration: 'once',
        maxRedemptions: 1,
        firstSubscriptionOnly: true,
      },
    });
    assert.equal(coupon.statusCode, 201, coupon.body);
    const first = await registerViewer(context.app);
    const page = await checkout(first, { planId: 'basic', couponCode: 'LASTONE' });
    const second = await registerViewer(context.app);
    const refused = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: second.headers,
      payload: { planId: 'basic', interval: 'month', provider: 'sandbox', couponCode: 'LASTONE' },
    });
    assert.equal(refused.json<{ code: string }>().code, 'COUPON_EXHAUSTED');

    await runJob('subscriptions.run-due');
    assert.equal((await status(first)).state, 'incomplete', 'not before a day has passed');
    clock.set(new Date(clock.now().getTime() + DAY + 60_000));
    await runJob('subscriptions.run-due');
    await runJob('subscriptions.run-due');
    const again = await fresh(second);
    const redeemed = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: again.headers,
      payload: { planId: 'basic', interval: 'month', provider: 'sandbox', couponCode: 'LASTONE' },
    });
    assert.equal(redeemed.statusCode, 201, redeemed.body);
    // An expired checkout was never a subscription: the first-subscription offer still applies.
    const firstAgain = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: (await fresh(first)).headers,
      payload: { planId: 'basic', interval: 'month', provider: 'sandbox', couponCode: 'LASTONE' },
    });
    assert.equal(firstAgain.json<{ code: string }>().code, 'COUPON_EXHAUSTED', firstAgain.body);
    const late = await inject({ method: 'POST', url: page, payload: { outcome: 'succeed' } });
    assert.equal(late.statusCode, 409, 'an expired checkout cannot be paid');
    const rows = await context.deps.database.db
      .selectFrom('subscriptions')
      .select('status')
      .where('userId', '=', first.userId)
      .execute();
    assert.deepEqual(
      rows.map((row) => row.status),
      ['expired'],
    );
    const coupons = (
      await inject({ method: 'GET', url: '/api/admin/coupons', headers: (await fresh(admin)).headers })
    ).json<{ coupons: Array<{ code: string; redemptionCount: number }> }>().coupons;
    assert.equal(coupons.find((c) => c.code === 'LASTONE')?.redemptionCount, 1);
  });

  it('mails trial-ending, renewal and failed-payment reminders, each once', async () => {
    const trialing = await registerViewer(context.app);
    const trial = await subscribed(trialing, 'standard');
    assert.equal(trial.state, 'trialing');
    const renewing = await registerViewer(context.app);
    const active = await subscribed(renewing, 'basic');
    const failing = await registerViewer(context.app);
    const page = await checkout(failing, { planId: 'basic' });
    await inject({ method: 'POST', url: page, payload: { outcome: 'fail' } });
    await until(
      () =>
        context.deps.database.db
          .selectFrom('subscriptionPayments')
          .select('status')
          .where('userId', '=', failing.userId)
          .execute(),
      (rows) => rows.length === 1,
      'the failed payment',
    );

    await runJob('subscriptions.send-notices');
    await until(
      () => mailsTo(failing.email, /did not go through/),
      (rows) => rows.length === 1,
      'the failed-payment mail',
    );
    assert.deepEqual(await mailsTo(trialing.email, /trial ends/), [], 'the trial is a week away');

    // Two days before the trial ends (the Basic period is weeks from renewing).
    clock.set(new Date(new Date(trial.currentPeriodEnd ?? 0).getTime() - 2 * DAY));
    await runJob('subscriptions.send-notices');
    await runJob('subscriptions.send-notices');
    await until(
      () => mailsTo(trialing.email, /trial ends/),
      (rows) => rows.length === 1,
      'the trial-ending mail',
    );
    assert.deepEqual(await mailsTo(renewing.email, /renews on/), []);
    // Two days before the Basic period renews.
    clock.set(new Date(new Date(active.currentPeriodEnd ?? 0).getTime() - 2 * DAY));
    await runJob('subscriptions.send-notices');
    await runJob('subscriptions.send-notices');
    await until(
      () => mailsTo(renewing.email, /renews on/),
      (rows) => rows.length === 1,
      'the renewal mail',
    );
    await sleep(300);
    assert.equal((await mailsTo(renewing.email, /renews on/)).length, 1, 'sent once');
    assert.equal((await mailsTo(trialing.email, /trial ends/)).length, 1, 'sent once');
    assert.equal((await mailsTo(failing.email, /did not go through/)).length, 1, 'sent once');
  });
});
