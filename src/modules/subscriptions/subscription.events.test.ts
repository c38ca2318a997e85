import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lifecycleEvents, type SubscriptionState } from './subscription.events.ts';

const at = new Date('2026-03-01T10:00:00Z');
const row = (change: Partial<SubscriptionState>): SubscriptionState => ({
  id: 'sub',
  userId: 'user',
  provider: 'stripe',
  status: 'incomplete',
  planId: 'premium',
  currency: 'EUR',
  amountMinor: 1200,
  billingInterval: 'month',
  currentPeriodStart: null,
  ...change,
});
const typesOf = (before: Partial<SubscriptionState>, after: Partial<SubscriptionState>) =>
  lifecycleEvents({ before: row(before), after: row({ ...before, ...after }), at }).map((event) => [
    event.type,
    event.mrrDeltaMinor,
    event.payingDelta,
  ]);

describe('subscription lifecycle events', () => {
  const cases: Array<[string, Partial<SubscriptionState>, Partial<SubscriptionState>, unknown[]]> = [
    ['checkout paid', { status: 'incomplete' }, { status: 'active' }, [['SubscriptionActivated', 1200, 1]]],
    ['trial started', { status: 'incomplete' }, { status: 'trialing' }, [['SubscriptionTrialStarted', 0, 0]]],
    [
      'trial converted',
      { status: 'trialing' },
      { status: 'active' },
      [
        ['SubscriptionActivated', 1200, 1],
        ['SubscriptionTrialConverted', 0, 0],
      ],
    ],
    ['trial ended unpaid', { status: 'trialing' }, { status: 'canceled' }, [['SubscriptionCancelled', 0, 0]]],
    [
      'paying cancelled',
      { status: 'active' },
      { status: 'canceled' },
      [['SubscriptionCancelled', -1200, -1]],
    ],
    ['grace lapsed', { status: 'grace' }, { status: 'expired' }, [['SubscriptionCancelled', -1200, -1]]],
    [
      'yearly counts a twelfth',
      { status: 'incomplete', amountMinor: 12_000, billingInterval: 'year' },
      { status: 'active' },
      [['SubscriptionActivated', 1000, 1]],
    ],
    [
      'renewed',
      { status: 'active', currentPeriodStart: new Date('2026-02-01T00:00:00Z') },
      { currentPeriodStart: new Date('2026-03-01T00:00:00Z') },
      [['SubscriptionRenewed', 0, 0]],
    ],
    ['past due stays paying', { status: 'active' }, { status: 'past_due' }, []],
    [
      'upgraded: MRR leaves the old plan and joins the new one',
      { status: 'active', planId: 'basic', amountMinor: 500 },
      { planId: 'premium', amountMinor: 1200 },
      [
        ['SubscriptionPlanLeft', -500, -1],
        ['SubscriptionPlanChanged', 1200, 1],
      ],
    ],
    [
      'renewed at a new yearly price on the same plan',
      {
        status: 'active',
        amountMinor: 12_000,
        billingInterval: 'year',
        currentPeriodStart: new Date('2026-02-01T00:00:00Z'),
      },
      { amountMinor: 14_400, currentPeriodStart: new Date('2027-02-01T00:00:00Z') },
      [
        ['SubscriptionRenewed', 0, 0],
        ['SubscriptionPlanLeft', -1000, -1],
        ['SubscriptionPlanChanged', 1200, 1],
      ],
    ],
    [
      'a plan change before paying moves no MRR',
      { status: 'trialing', planId: 'basic' },
      { planId: 'premium' },
      [],
    ],
    ['abandoned checkout', { status: 'incomplete' }, { status: 'expired' }, []],
    ['complimentary', { status: 'incomplete', provider: 'complimentary' }, { status: 'active' }, []],
  ];
  for (const [name, before, after, expected] of cases) {
    it(name, () => assert.deepEqual(typesOf(before, after), expected));
  }
});
