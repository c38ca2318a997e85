import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addInterval,
  discounted,
  effectivePlan,
  fromRazorpayStatus,
  fromStripeStatus,
  shouldApply,
  type SubscriptionSnapshot,
} from './subscription-states.ts';

const snapshot = (status: SubscriptionSnapshot['status'], asOf: string): SubscriptionSnapshot => ({
  status,
  asOf: new Date(asOf),
  currentPeriodStart: null,
  currentPeriodEnd: null,
  trialEnd: null,
  cancelAtPeriodEnd: false,
});

describe('subscription state machine', () => {
  it('applies newer snapshots and ignores older ones', () => {
    const stored = { status: 'active' as const, providerUpdatedAt: new Date('2026-01-02T00:00:00Z') };
    assert.equal(shouldApply(stored, snapshot('past_due', '2026-01-03T00:00:00Z')), true);
    assert.equal(shouldApply(stored, snapshot('past_due', '2026-01-01T00:00:00Z')), false);
  });

  it('at the same second, lets the move forward in the machine win', () => {
    const at = '2026-01-02T00:00:00Z';
    assert.equal(
      shouldApply({ status: 'incomplete', providerUpdatedAt: new Date(at) }, snapshot('active', at)),
      true,
    );
    assert.equal(
      shouldApply({ status: 'active', providerUpdatedAt: new Date(at) }, snapshot('incomplete', at)),
      false,
    );
  });

  it('never resurrects a canceled or expired subscription', () => {
    for (const status of ['canceled', 'expired'] as const) {
      assert.equal(
        shouldApply({ status, providerUpdatedAt: null }, snapshot('active', '2030-01-01T00:00:00Z')),
        false,
      );
    }
  });

  it('entitles only trialing, active, past_due and grace', () => {
    const plans = ['incomplete', 'trialing', 'active', 'past_due', 'grace', 'canceled', 'expired'].map(
      (status) => effectivePlan({ status: status as SubscriptionSnapshot['status'], planId: 'premium' }),
    );
    assert.deepEqual(plans, ['free', 'premium', 'premium', 'premium', 'premium', 'free', 'free']);
    assert.equal(effectivePlan(undefined), 'free');
  });

  it('maps provider statuses', () => {
    assert.equal(fromStripeStatus('unpaid'), 'grace');
    assert.equal(fromStripeStatus('incomplete_expired'), 'expired');
    assert.equal(fromRazorpayStatus('halted'), 'grace');
    assert.equal(fromRazorpayStatus('authenticated'), 'trialing');
    assert.equal(fromRazorpayStatus('cancelled'), 'canceled');
  });

  it('adds calendar months, clamping to the month end', () => {
    assert.equal(
      addInterval(new Date('2026-01-31T10:00:00Z'), 'month').toISOString(),
      '2026-02-28T10:00:00.000Z',
    );
    assert.equal(
      addInterval(new Date('2028-02-29T00:00:00Z'), 'year').toISOString(),
      '2029-02-28T00:00:00.000Z',
    );
  });

  it('discounts by percent or amount, never below zero', () => {
    assert.equal(discounted(1999, { percentOff: 25, amountOffMinor: null }), 1499);
    assert.equal(discounted(799, { percentOff: null, amountOffMinor: 1000 }), 0);
    assert.equal(discounted(799, undefined), 799);
  });
});
