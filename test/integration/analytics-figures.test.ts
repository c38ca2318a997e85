import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createAnalyticsJobs } from '../../src/modules/analytics/index.ts';
import { SUBSCRIPTION_EVENTS_CHANNEL } from '../../src/modules/subscriptions/index.ts';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';
import { concurrentStreamCounter } from '../../src/modules/playback/index.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The business figures on a hand-computed fixture of subscription events heard over pub/sub (one
 * of them twice): MRR and ARR by plan and currency, churn, trials and refunds, as JSON and CSV,
 * to analytics:read only.
 */
describe('analytics business figures', () => {
  let context: TestContext;
  let viewer: SignedIn;
  let analyst: SignedIn;
  // Ten days ago at midnight UTC: inside the retention, so the events keep their own time.
  const day1 = Math.floor(Date.now() / DAY_MS) * DAY_MS - 10 * DAY_MS;
  const at = (day: number, hour: number) =>
    new Date(day1 + (day - 1) * DAY_MS + hour * HOUR_MS).toISOString();
  const dayIso = (day: number) => new Date(day1 + (day - 1) * DAY_MS).toISOString();
  const users = { a: randomUUID(), b: randomUUID(), c: randomUUID(), d: randomUUID(), e: randomUUID() };
  const money = (user: string, planId: string, currency: string) => ({
    subscriptionId: randomUUID(),
    userId: user,
    planId,
    currency,
  });

  const get = (url: string, who: SignedIn | undefined, headers: Record<string, string> = {}) =>
    context.app.inject({ method: 'GET', url, headers: { ...who?.headers, ...headers } });
  const items = async (url: string) => {
    const response = await get(url, analyst);
    assert.equal(response.statusCode, 200, response.body);
    return response.json<{ items: Array<Record<string, unknown>> }>().items;
  };

  before(async () => {
    context = await createTestApp({ env: { ANALYTICS_FLUSH_MS: '50' } });
    viewer = await registerViewer(context.app);
    analyst = await signInWithRoles(context, ['content_manager']);
    const a = money(users.a, 'premium', 'USD');
    const b = money(users.b, 'premium', 'USD');
    const c = money(users.c, 'basic', 'EUR');
    const d = money(users.d, 'basic', 'EUR');
    const e = money(users.e, 'basic', 'EUR');
    const activated = (
      who: object,
      amountMinor: number,
      interval: string,
      mrr: number,
      fromTrial = false,
    ) => ({
      ...who,
      type: 'SubscriptionActivated',
      amountMinor,
      interval,
      fromTrial,
      mrrDeltaMinor: mrr,
      payingDelta: 1,
    });
    const aActivated = { ...activated(a, 1000, 'month', 1000), at: at(1, 10) };
    const events = [
      aActivated,
      // Heard twice (two instances, a retry): kept once.
      aActivated,
      { ...activated(b, 12_000, 'year', 1000), at: at(1, 11) },
      { ...activated(c, 500, 'month', 500), at: at(1, 12) },
      { ...d, type: 'SubscriptionTrialStarted', mrrDeltaMinor: 0, payingDelta: 0, at: at(1, 13) },
      { ...activated(d, 500, 'month', 500, true), at: at(2, 9) },
      { ...d, type: 'SubscriptionTrialConverted', mrrDeltaMinor: 0, payingDelta: 0, at: at(2, 9) },
      {
        ...a,
        type: 'SubscriptionCancelled',
        duringTrial: false,
        mrrDeltaMinor: -1000,
        payingDelta: -1,
        at: at(2, 15),
      },
      { ...e, type: 'SubscriptionTrialStarted', mrrDeltaMinor: 0, payingDelta: 0, at: at(3, 8) },
      {
        ...e,
        type: 'SubscriptionCancelled',
        duringTrial: true,
        mrrDeltaMinor: 0,
        payingDelta: 0,
        at: at(3, 9),
      },
      // c upgrades basic → premium (EUR 5.00 → 15.00 a month): MRR moves, nobody churns.
      {
        ...c,
        type: 'SubscriptionPlanLeft',
        toPlanId: 'premium',
        mrrDeltaMinor: -500,
        payingDelta: -1,
        at: at(3, 11),
      },
      {
        ...c,
        planId: 'premium',
        type: 'SubscriptionPlanChanged',
        fromPlanId: 'basic',
        amountMinor: 1500,
        interval: 'month',
        mrrDeltaMinor: 1500,
        payingDelta: 1,
        at: at(3, 11),
      },
      {
        ...b,
        type: 'SubscriptionRefunded',
        amountMinor: 12_000,
        mrrDeltaMinor: 0,
        payingDelta: 0,
        at: at(3, 10),
      },
    ];
    for (const event of events) await context.deps.pubsub.publish(SUBSCRIPTION_EVENTS_CHANNEL, event);
    const stored = () =>
      context.deps.database.db
        .selectFrom('analyticsEvents')
        .select('id')
        .where('type', 'like', 'Subscription%')
        .where('userId', 'in', Object.values(users))
        .execute();
    const deadline = Date.now() + 10_000;
    while ((await stored()).length < events.length - 1) {
      if (Date.now() > deadline) throw new Error('the events were not stored');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await stored()).length, events.length - 1, 'the duplicate is kept once');
    const jobs = createAnalyticsJobs({
      db: context.deps.database.db,
      clock: { now: () => new Date(Date.now() + 60_000) },
      config: context.deps.config,
      concurrentViewers: concurrentStreamCounter({ db: context.deps.database.db, heartbeatLapseSeconds: 60 }),
    });
    await jobs.rollUp();
  });
  after(() => context.close());

  const range = (from: number, to: number, group = 'day') =>
    `from=${dayIso(from)}&to=${dayIso(to)}&group=${group}`;

  it('counts MRR and ARR at the end of each day by plan and currency, moved by a plan switch', async () => {
    const rows = (await items(`/api/admin/analytics/revenue?${range(1, 4)}`)).map((row) => ({
      bucket: row.bucket,
      plan: `${String(row.planId)}/${String(row.currency)}`,
      mrr: row.mrrMinor,
      arr: row.arrMinor,
      paying: row.payingSubscribers,
      refunded: row.refundedMinor,
      switched: `${String(row.switchedOut)}→${String(row.switchedIn)}`,
    }));
    const expected = [
      [1, 'basic/EUR', 500, 1, 0, '0→0'],
      [1, 'premium/USD', 2000, 2, 0, '0→0'],
      [2, 'basic/EUR', 1000, 2, 0, '0→0'],
      [2, 'premium/USD', 1000, 1, 0, '0→0'],
      [3, 'basic/EUR', 500, 1, 0, '1→0'],
      [3, 'premium/EUR', 1500, 1, 0, '0→1'],
      [3, 'premium/USD', 1000, 1, 12_000, '0→0'],
    ] as const;
    assert.deepEqual(
      rows,
      expected.map(([day, plan, mrr, paying, refunded, switched]) => ({
        bucket: dayIso(day),
        plan,
        mrr,
        arr: mrr * 12,
        paying,
        refunded,
        switched,
      })),
    );
    // Starting the range on day 2 carries what was recurring before it.
    const later = await items(`/api/admin/analytics/revenue?${range(2, 3)}`);
    assert.deepEqual(
      later.map((row) => [row.planId, row.mrrMinor]),
      [
        ['basic', 1000],
        ['premium', 1000],
      ],
    );
  });

  it('counts churn over the paying subscribers at the start of each day (an ended trial is not churn)', async () => {
    assert.deepEqual(await items(`/api/admin/analytics/churn?${range(1, 4)}`), [
      { bucket: dayIso(1), payingAtStart: 0, newPaying: 3, churned: 0, churnRate: null },
      { bucket: dayIso(2), payingAtStart: 3, newPaying: 1, churned: 1, churnRate: 1 / 3 },
      { bucket: dayIso(3), payingAtStart: 3, newPaying: 0, churned: 0, churnRate: 0 },
    ]);
    // By month: one bucket holding all three days.
    const month = await items(`/api/admin/analytics/churn?${range(1, 4, 'month')}`);
    assert.equal(
      month.reduce((total, row) => total + Number(row.churned), 0),
      1,
    );
  });

  it('counts trials and their conversion, and refunds by currency', async () => {
    assert.deepEqual(await items(`/api/admin/analytics/trials?${range(1, 4)}`), [
      { bucket: dayIso(1), trialsStarted: 1, trialsConverted: 0, trialConversion: 0 },
      { bucket: dayIso(2), trialsStarted: 0, trialsConverted: 1, trialConversion: null },
      { bucket: dayIso(3), trialsStarted: 1, trialsConverted: 0, trialConversion: 0 },
    ]);
    assert.deepEqual(await items(`/api/admin/analytics/refunds?${range(1, 4)}`), [
      { bucket: dayIso(3), currency: 'USD', refunds: 1, refundedMinor: 12_000 },
    ]);
  });

  it('exports a figure as CSV by format or by Accept', async () => {
    const expected =
      'bucket,payingAtStart,newPaying,churned,churnRate\r\n' +
      `${dayIso(1)},0,3,0,\r\n${dayIso(2)},3,1,1,${1 / 3}\r\n${dayIso(3)},3,0,0,0\r\n`;
    for (const [url, headers] of [
      [`/api/admin/analytics/churn?${range(1, 4)}&format=csv`, {}],
      [`/api/admin/analytics/churn?${range(1, 4)}`, { accept: 'text/csv' }],
    ] as const) {
      const response = await get(url, analyst, headers);
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^text\/csv/);
      assert.equal(response.body, expected);
    }
    // An empty figure still has its header.
    const empty = await get(`/api/admin/analytics/live?${range(1, 2)}&format=csv`, analyst);
    assert.equal(empty.body, 'bucket,liveEventId,joins,peakViewers,chatMessages,chatMessagesPerMinute\r\n');
  });

  it('refuses every figure to nobody (401) and to a viewer (403), and a range too long (400)', async () => {
    for (const figure of [
      'active-profiles',
      'sign-ups',
      'revenue',
      'churn',
      'trials',
      'refunds',
      'ads',
      'recommendations',
      'live',
      'viewers',
      'top-titles',
      'top-genres',
      'peak-viewers',
    ]) {
      const url = `/api/admin/analytics/${figure}?${range(1, 4)}`;
      assert.equal((await get(url, undefined)).statusCode, 401, url);
      assert.equal((await get(url, viewer)).statusCode, 403, url);
      assert.equal((await get(url, analyst)).statusCode, 200, url);
    }
    const tooLong = await get(
      '/api/admin/analytics/revenue?group=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z',
      analyst,
    );
    assert.equal(tooLong.statusCode, 400);
    assert.equal(tooLong.json<{ code: string }>().code, 'ANALYTICS_RANGE_INVALID');
  });
});
