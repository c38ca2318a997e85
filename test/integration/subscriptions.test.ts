import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InjectOptions } from 'fastify';
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

describe('Subscriptions through HTTP, on the sandbox provider', () => {
  let context: TestContext;
  const clock = new ManualClock(new Date());
  let admin: SignedIn;

  before(async () => {
    context = await createTestApp({ clock, env: { PAYMENTS_SANDBOX: 'true' } });
    admin = await signInWithRoles(context, ['admin']);
  });
  after(async () => {
    await context.close();
  });

  const inject = (options: InjectOptions) => context.app.inject(options);
  const status = async (headers: Record<string, string>) =>
    (await inject({ method: 'GET', url: '/api/subscription/status', headers })).json<{
      planId: string;
      state: string;
      cancelAtPeriodEnd: boolean;
      currentPeriodEnd: string | null;
      sandbox: boolean;
      entitlements: { maxStreams: number; maxDevices: number; maxHeight: number };
    }>();
  const subscriptionRows = (userId: string) =>
    context.deps.database.db.selectFrom('subscriptions').selectAll().where('userId', '=', userId).execute();

  async function runScheduledJob(): Promise<void> {
    const id = await context.deps.queue.send('subscriptions.run-due', {});
    assert.ok(id);
    await until(
      () => context.deps.queue.getJob('subscriptions.run-due', id),
      (job) => job?.state === 'completed',
      'the schedule job completed',
    );
  }

  it('lists plans with prices and limits to anyone', async () => {
    const response = await inject({ method: 'GET', url: '/api/plans' });
    assert.equal(response.statusCode, 200);
    const { plans } = response.json<{
      plans: Array<{
        id: string;
        prices: Array<{ currency: string; interval: string }>;
        maxDevices: number;
        hasAds: boolean;
      }>;
    }>();
    assert.deepEqual(
      plans.map((plan) => plan.id),
      ['free', 'basic', 'standard', 'premium'],
    );
    const premium = plans.find((plan) => plan.id === 'premium');
    assert.ok(premium?.prices.some((price) => price.currency === 'USD' && price.interval === 'year'));
    assert.equal(plans[0]?.hasAds, true);
  });

  it('subscribe → sandbox checkout → event → entitled → cancel at period end → schedule → back on Free', async () => {
    const viewer = await registerViewer(context.app);
    assert.equal((await status(viewer.headers)).planId, 'free');
    // Free allows 2 devices: registering was one, this is the second, a third is refused.
    await loginAs(context.app, viewer);
    const third = await inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: viewer.email, password: viewer.password },
    });
    assert.equal(third.statusCode, 409);
    assert.equal(third.json<{ maxDevices: number }>().maxDevices, 2);

    const checkout = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'premium', interval: 'month', provider: 'sandbox' },
    });
    assert.equal(checkout.statusCode, 201, checkout.body);
    const started = checkout.json<{ checkoutUrl: string; sandbox: boolean; amountMinor: number }>();
    assert.equal(started.sandbox, true);
    assert.equal(started.amountMinor, 1999);
    const path = new URL(started.checkoutUrl).pathname;

    const page = await inject({ method: 'GET', url: path });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /SANDBOX/);
    assert.equal((await status(viewer.headers)).planId, 'free', 'nothing is granted before payment');

    // The page's form posts url-encoded, as a browser would.
    const paid = await inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'outcome=succeed',
    });
    assert.equal(paid.statusCode, 200, paid.body);
    const entitled = await until(
      () => status(viewer.headers),
      (s) => s.planId === 'premium',
      'premium',
    );
    assert.equal(entitled.state, 'trialing');
    assert.equal(entitled.sandbox, true);
    assert.deepEqual(
      [entitled.entitlements.maxStreams, entitled.entitlements.maxDevices, entitled.entitlements.maxHeight],
      [4, 8, 2160],
    );
    // The device cap follows the plan (Premium: 8).
    await loginAs(context.app, viewer);
    // The same checkout cannot be paid twice.
    const again = await inject({ method: 'POST', url: path, payload: { outcome: 'succeed' } });
    assert.equal(again.statusCode, 409);

    const cancel = await inject({
      method: 'POST',
      url: '/api/subscription/cancel',
      headers: viewer.headers,
      payload: { atPeriodEnd: true },
    });
    assert.equal(cancel.statusCode, 204, cancel.body);
    const canceling = await status(viewer.headers);
    assert.equal(canceling.cancelAtPeriodEnd, true);
    assert.equal(canceling.planId, 'premium', 'paid-for time is kept');

    // The schedule before the period end changes nothing.
    await runScheduledJob();
    assert.equal((await status(viewer.headers)).planId, 'premium');

    clock.set(new Date(new Date(canceling.currentPeriodEnd ?? 0).getTime() + 60_000));
    await runScheduledJob();
    await runScheduledJob();
    const fresh = await loginAs(context.app, viewer, { replaceSessionId: viewer.sessionId });
    const lapsed = await status(fresh.headers);
    assert.equal(lapsed.planId, 'free');
    assert.equal(lapsed.state, 'expired');
    const rows = await subscriptionRows(viewer.userId);
    assert.equal(rows.length, 1);
    const payments = await inject({
      method: 'GET',
      url: '/api/subscription/payments',
      headers: fresh.headers,
    });
    assert.equal(payments.json<{ payments: unknown[] }>().payments.length, 1);
  });

  it('renews a sandbox subscription at its period end and applies a downgrade then', async () => {
    const viewer = await registerViewer(context.app);
    const checkout = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'basic', interval: 'month', provider: 'sandbox', currency: 'usd' },
    });
    assert.equal(checkout.statusCode, 201, checkout.body);
    const path = new URL(checkout.json<{ checkoutUrl: string }>().checkoutUrl).pathname;
    await inject({ method: 'POST', url: path, payload: { outcome: 'succeed' } });
    await until(
      () => status(viewer.headers),
      (s) => s.planId === 'basic',
      'basic',
    );

    const upgrade = await inject({
      method: 'POST',
      url: '/api/subscription/plan',
      headers: viewer.headers,
      payload: { planId: 'standard' },
    });
    assert.deepEqual(upgrade.json(), { effective: 'now' });
    assert.equal((await status(viewer.headers)).planId, 'standard');
    const downgrade = await inject({
      method: 'POST',
      url: '/api/subscription/plan',
      headers: viewer.headers,
      payload: { planId: 'basic' },
    });
    assert.deepEqual(downgrade.json(), { effective: 'period_end' });
    const before = await status(viewer.headers);
    assert.equal(before.planId, 'standard');

    clock.set(new Date(new Date(before.currentPeriodEnd ?? 0).getTime() + 1000));
    await runScheduledJob();
    const fresh = await loginAs(context.app, viewer);
    const after = await status(fresh.headers);
    assert.equal(after.planId, 'basic');
    assert.equal(after.state, 'active');
    assert.ok(new Date(after.currentPeriodEnd ?? 0) > clock.now());
  });

  it('refuses bad input with problem+json and records nothing', async () => {
    // Earlier tests moved the clock past the admin's token.
    admin = await loginAs(context.app, admin, { replaceSessionId: admin.sessionId });
    const viewer = await registerViewer(context.app);
    const attempts: Array<[Record<string, unknown>, number, string]> = [
      [{ planId: 'gold', interval: 'month', provider: 'sandbox' }, 404, 'PLAN_NOT_FOUND'],
      [
        { planId: 'premium', interval: 'month', provider: 'sandbox', currency: 'EUR' },
        400,
        'SUBSCRIPTION_PRICE_NOT_OFFERED',
      ],
      [
        { planId: 'premium', interval: 'year', provider: 'sandbox', currency: 'INR' },
        400,
        'SUBSCRIPTION_PRICE_NOT_OFFERED',
      ],
      [{ planId: 'free', interval: 'month', provider: 'sandbox' }, 400, 'SUBSCRIPTION_PRICE_NOT_OFFERED'],
      [{ planId: 'premium', interval: 'week', provider: 'sandbox' }, 400, 'VALIDATION_FAILED'],
      [
        { planId: 'premium', interval: 'month', provider: 'stripe' },
        400,
        'SUBSCRIPTION_PROVIDER_UNAVAILABLE',
      ],
      [{ planId: 'premium', interval: 'month', provider: 'paypal' }, 400, 'VALIDATION_FAILED'],
      [
        { planId: 'premium', interval: 'month', provider: 'sandbox', couponCode: 'NOPE' },
        400,
        'COUPON_INVALID',
      ],
    ];
    for (const [payload, statusCode, code] of attempts) {
      const response = await inject({
        method: 'POST',
        url: '/api/subscribe',
        headers: viewer.headers,
        payload,
      });
      assert.equal(response.statusCode, statusCode, `${JSON.stringify(payload)}: ${response.body}`);
      assert.match(String(response.headers['content-type']), /application\/problem\+json/);
      assert.equal(response.json<{ code: string }>().code, code);
    }
    assert.deepEqual(await subscriptionRows(viewer.userId), []);

    for (const amountMinor of [-1, 1e12, 1.5]) {
      const response = await inject({
        method: 'POST',
        url: '/api/admin/plans',
        headers: admin.headers,
        payload: {
          id: 'weird',
          name: 'Weird',
          tier: 7,
          maxHeight: 720,
          maxStreams: 1,
          maxDevices: 1,
          maxDownloads: 0,
          maxDownloadDevices: 0,
          prices: [{ currency: 'USD', interval: 'month', amountMinor }],
        },
      });
      assert.equal(response.statusCode, 400, `${amountMinor}: ${response.body}`);
    }
    const plans = await inject({ method: 'GET', url: '/api/admin/plans', headers: admin.headers });
    assert.ok(!plans.json<{ plans: Array<{ id: string }> }>().plans.some((plan) => plan.id === 'weird'));
    const viewerTries = await inject({ method: 'GET', url: '/api/admin/plans', headers: viewer.headers });
    assert.equal(viewerTries.statusCode, 403);
  });

  it('applies coupons: plan restrictions, limits, first subscription only', async () => {
    admin = await loginAs(context.app, admin, { replaceSessionId: admin.sessionId });
    const create = (payload: Record<string, unknown>) =>
      inject({ method: 'POST', url: '/api/admin/coupons', headers: admin.headers, payload });
    const basicOnly = await create({
      code: 'BASIC50',
      name: 'Half off Basic',
      percentOff: 50,
      duration: 'once',
      planIds: ['basic'],
    });
    assert.equal(basicOnly.statusCode, 201, basicOnly.body);
    const single = await create({
      code: 'ONEONLY',
      name: 'One',
      amountOffMinor: 500,
      currency: 'USD',
      duration: 'forever',
      maxRedemptions: 1,
    });
    assert.equal(single.statusCode, 201, single.body);
    assert.equal(
      (
        await create({
          code: 'BAD',
          name: 'x',
          percentOff: 10,
          amountOffMinor: 5,
          currency: 'USD',
          duration: 'once',
        })
      ).statusCode,
      400,
    );
    assert.equal(
      (await create({ code: 'NEG', name: 'x', amountOffMinor: -5, currency: 'USD', duration: 'once' }))
        .statusCode,
      400,
    );

    const offers = await inject({ method: 'GET', url: '/api/offers' });
    const codes = offers.json<{ offers: Array<{ code: string }> }>().offers.map((offer) => offer.code);
    assert.ok(codes.includes('BASIC50') && codes.includes('ONEONLY'));

    const viewer = await registerViewer(context.app);
    const wrongPlan = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'premium', interval: 'month', provider: 'sandbox', couponCode: 'BASIC50' },
    });
    assert.equal(wrongPlan.statusCode, 400);
    assert.equal(wrongPlan.json<{ code: string }>().code, 'COUPON_INVALID');

    const first = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'standard', interval: 'month', provider: 'sandbox', couponCode: 'oneonly' },
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json<{ amountMinor: number }>().amountMinor, 1399 - 500);
    const other = await registerViewer(context.app);
    const usedUp = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: other.headers,
      payload: { planId: 'standard', interval: 'month', provider: 'sandbox', couponCode: 'ONEONLY' },
    });
    assert.equal(usedUp.statusCode, 409);
    assert.equal(usedUp.json<{ code: string }>().code, 'COUPON_EXHAUSTED');
    assert.deepEqual(await subscriptionRows(other.userId), []);
    assert.ok(!(await inject({ method: 'GET', url: '/api/offers' })).body.includes('ONEONLY'));
  });

  it('grants a complimentary plan, audited, and a real subscription replaces it', async () => {
    const viewer = await registerViewer(context.app);
    const { createPlanGrants } = await import('../../src/modules/subscriptions/index.ts');
    const { setAccountPlan } = await import('../../src/modules/identity/index.ts');
    const { AuditLog } = await import('../../src/modules/audit/index.ts');
    const db = context.deps.database.db;
    const grants = createPlanGrants({
      db,
      clock,
      audit: new AuditLog(db),
      logger: context.deps.logger,
      setAccountPlan: (executor, change) => setAccountPlan(executor, { ...change, now: clock.now() }),
    });
    await grants.grantComplimentary(
      { actor: { type: 'system', id: null }, ip: null, requestId: null },
      { userId: viewer.userId, planId: 'standard', until: new Date(clock.now().getTime() + 3 * DAY) },
    );
    assert.equal((await status(viewer.headers)).planId, 'standard');
    const audited = await db
      .selectFrom('auditLog')
      .select('action')
      .where('targetId', '=', viewer.userId)
      .where('action', '=', 'subscription.complimentary_granted')
      .execute();
    assert.equal(audited.length, 1);
    const checkout = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'premium', interval: 'month', provider: 'sandbox' },
    });
    assert.equal(checkout.statusCode, 201, checkout.body);
    const path = new URL(checkout.json<{ checkoutUrl: string }>().checkoutUrl).pathname;
    await inject({ method: 'POST', url: path, payload: { outcome: 'fail' } });
    await sleep(300);
    assert.equal((await status(viewer.headers)).planId, 'standard', 'a failed payment grants nothing');
    await inject({ method: 'POST', url: path, payload: { outcome: 'succeed' } });
    await until(
      () => status(viewer.headers),
      (s) => s.planId === 'premium',
      'premium',
    );
    const rows = await subscriptionRows(viewer.userId);
    assert.deepEqual(rows.map((row) => [row.provider, row.status]).sort(), [
      ['complimentary', 'canceled'],
      ['sandbox', 'trialing'],
    ]);
  });
});
