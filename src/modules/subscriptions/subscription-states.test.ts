import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addInterval,
  discounted,
  effectivePlan,
  fromRazorpayStatus,
  fromStripeStatus,
  prorate,
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

describe('proration of an upgrade', () => {
  const periodStart = new Date('2026-03-01T00:00:00Z');
  const periodEnd = new Date('2026-03-31T00:00:00Z');
  const at = (iso: string) => new Date(iso);
  it('charges the difference for the part of the period that is left', () => {
    const base = { fromAmountMinor: 799, toAmountMinor: 1999, periodStart, periodEnd };
    assert.equal(prorate({ ...base, now: periodStart }), 1200);
    assert.equal(prorate({ ...base, now: at('2026-03-16T00:00:00Z') }), 600);
    assert.equal(prorate({ ...base, now: at('2026-03-30T00:00:00Z') }), 40);
  });
  it('charges nothing for a downgrade, an unknown period or one that is over', () => {
    const base = { periodStart, periodEnd, now: at('2026-03-16T00:00:00Z') };
    assert.equal(prorate({ ...base, fromAmountMinor: 1999, toAmountMinor: 799 }), 0);
    assert.equal(prorate({ ...base, fromAmountMinor: 799, toAmountMinor: 1999, periodStart: null }), 0);
    assert.equal(
      prorate({ ...base, fromAmountMinor: 799, toAmountMinor: 1999, now: at('2026-04-02T00:00:00Z') }),
      0,
    );
  });
});
