import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../src/modules/audit/index.ts';
import { accountContact, accountIdByEmail, setAccountPlan } from '../../src/modules/identity/index.ts';
import { createSubscriptions, type Subscriptions } from '../../src/modules/subscriptions/index.ts';
import { AppError } from '../../src/shared/errors.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

describe(`Coupon redemption under concurrency (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let context: TestContext;
  let module: Subscriptions;

  before(async () => {
    context = await createTestApp({ env: { PAYMENTS_SANDBOX: 'true' } });
    const { deps } = context;
    module = createSubscriptions({
      db: deps.database.db,
      clock: deps.clock,
      queue: deps.queue,
      cache: deps.cache,
      audit: new AuditLog(deps.database.db),
      logger: deps.logger,
      pubsub: deps.pubsub,
      config: deps.config,
      setAccountPlan: (executor, change) => setAccountPlan(executor, { ...change, now: deps.clock.now() }),
      contactOf: accountContact,
      accountIdByEmail,
      planIdOf: async () => 'free',
    });
  });
  after(async () => {
    await context.close();
  });

  it('lets exactly 10 of 100 concurrent checkouts redeem a coupon limited to 10', async () => {
    const db = context.deps.database.db;
    await module.offers.create(
      { actor: { type: 'system', id: null }, ip: null, requestId: null },
      {
        code: 'TENONLY',
        name: 'Ten only',
        percentOff: 20,
        duration: 'once',
        maxRedemptions: 10,
        perUserLimit: 1,
        firstSubscriptionOnly: false,
        active: true,
      },
    );
    const users = await db
      .insertInto('users')
      .values(
        Array.from({ length: 100 }, (_, index) => ({
          email: `coupon-${index}-${randomUUID()}@example.com`,
          name: `C${index}`,
        })),
      )
      .returning('id')
      .execute();
    const results = await Promise.allSettled(
      users.map((user) =>
        module.checkout.subscribe(
          { userId: user.id, email: null },
          { planId: 'basic', interval: 'month', provider: 'sandbox', couponCode: 'TENONLY' },
        ),
      ),
    );
    const succeeded = results.filter((result) => result.status === 'fulfilled');
    const refusals = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as unknown] : [],
    );
    assert.equal(succeeded.length, 10);
    assert.equal(refusals.length, 90);
    for (const reason of refusals)
      assert.ok(reason instanceof AppError && reason.code === 'COUPON_EXHAUSTED', String(reason));
    const coupon = await db
      .selectFrom('coupons')
      .selectAll()
      .where('code', '=', 'TENONLY')
      .executeTakeFirstOrThrow();
    assert.equal(coupon.redemptionCount, 10);
    const redemptions = await db
      .selectFrom('couponRedemptions')
      .select('id')
      .where('couponId', '=', coupon.id)
      .execute();
    assert.equal(redemptions.length, 10);
    // A refused checkout leaves no subscription behind.
    const rows = await db
      .selectFrom('subscriptions')
      .select('id')
      .where('couponId', '=', coupon.id)
      .execute();
    assert.equal(rows.length, 10);
    const all = await db
      .selectFrom('subscriptions')
      .select('id')
      .where(
        'userId',
        'in',
        users.map((u) => u.id),
      )
      .execute();
    assert.equal(all.length, 10);
  });

  it('holds the per-user limit when one account redeems concurrently', async () => {
    const db = context.deps.database.db;
    await module.offers.create(
      { actor: { type: 'system', id: null }, ip: null, requestId: null },
      {
        code: 'ONCEEACH',
        name: 'Once each',
        percentOff: 10,
        duration: 'once',
        perUserLimit: 1,
        firstSubscriptionOnly: false,
        active: true,
      },
    );
    const [user] = await db
      .insertInto('users')
      .values({ email: `once-${randomUUID()}@example.com`, name: 'Once' })
      .returning('id')
      .execute();
    assert.ok(user);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        module.checkout.subscribe(
          { userId: user.id, email: null },
          { planId: 'basic', interval: 'month', provider: 'sandbox', couponCode: 'ONCEEACH' },
        ),
      ),
    );
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
    const redemptions = await db
      .selectFrom('couponRedemptions')
      .select('id')
      .where('userId', '=', user.id)
      .execute();
    assert.equal(redemptions.length, 1);
  });
});
