import type { PublishDomainEvent } from '../../platform/pubsub/domain-events.ts';
import type { SubscriptionStatus } from './subscription-states.ts';

/**
 * What happened to subscriptions and their money, for analytics (sign-up conversion, MRR, churn,
 * trial conversion, refunds). Published after the commit, at most once. Amounts are in minor
 * units of `currency`; `mrrDeltaMinor` and `payingDelta` say how the transition moved the
 * monthly recurring revenue (list price, a yearly price counted as a twelfth — the way
 * `metrics()` counts it) and the number of paying subscribers, so analytics sums them and
 * never has to know the state machine.
 */
export const SUBSCRIPTION_EVENTS_CHANNEL = 'subscriptions.events';

interface Money {
  subscriptionId: string;
  userId: string;
  planId: string;
  currency: string;
  at: string;
}

export type SubscriptionEvent =
  | (Money & { type: 'SubscriptionTrialStarted'; mrrDeltaMinor: 0; payingDelta: 0 })
  | (Money & {
      type: 'SubscriptionActivated';
      amountMinor: number;
      interval: string;
      fromTrial: boolean;
      mrrDeltaMinor: number;
      payingDelta: 1;
    })
  /** A trial became paid (alongside its SubscriptionActivated): trial conversion. */
  | (Money & { type: 'SubscriptionTrialConverted'; mrrDeltaMinor: 0; payingDelta: 0 })
  | (Money & { type: 'SubscriptionRenewed'; amountMinor: number; mrrDeltaMinor: 0; payingDelta: 0 })
  | (Money & {
      type: 'SubscriptionCancelled';
      /** It ended while on trial (a trial that did not convert). */
      duringTrial: boolean;
      mrrDeltaMinor: number;
      payingDelta: -1 | 0;
    })
  | (Money & { type: 'SubscriptionRefunded'; amountMinor: number; mrrDeltaMinor: 0; payingDelta: 0 })
  /**
   * A paying subscription moved to another plan, currency or price (an upgrade, a downgrade, a
   * renewal at a new price): its old MRR leaves the old plan (`SubscriptionPlanLeft`) and its new
   * MRR joins the new one (`SubscriptionPlanChanged`), so MRR by plan moves and churn does not.
   */
  | (Money & { type: 'SubscriptionPlanLeft'; toPlanId: string; mrrDeltaMinor: number; payingDelta: -1 })
  | (Money & {
      type: 'SubscriptionPlanChanged';
      fromPlanId: string;
      amountMinor: number;
      interval: string;
      mrrDeltaMinor: number;
      payingDelta: 1;
    });

export type PublishSubscriptionEvent = PublishDomainEvent<SubscriptionEvent>;

/** The fields of a subscription row the lifecycle looks at. */
export interface SubscriptionState {
  id: string;
  userId: string;
  provider: string;
  status: string;
  planId: string;
  currency: string | null;
  amountMinor: number | null;
  billingInterval: string | null;
  currentPeriodStart: Date | string | null;
}

const paying: readonly string[] = ['active', 'past_due', 'grace'] satisfies SubscriptionStatus[];
const ended: readonly string[] = ['canceled', 'expired'] satisfies SubscriptionStatus[];

/** A price per month in minor units (a yearly price is a twelfth, rounded). */
export const monthlyMinor = (amountMinor: number, interval: string | null) =>
  interval === 'year' ? Math.round(amountMinor / 12) : amountMinor;

/**
 * The events one committed change of a subscription makes (pure: table-tested). Complimentary
 * grants are no revenue and make none.
 */
export function lifecycleEvents(change: {
  before: SubscriptionState;
  after: SubscriptionState;
  at: Date;
}): SubscriptionEvent[] {
  const { before, after } = change;
  if (after.provider === 'complimentary') return [];
  const money: Money = {
    subscriptionId: after.id,
    userId: after.userId,
    planId: after.planId,
    currency: after.currency ?? '',
    at: change.at.toISOString(),
  };
  const wasPaying = paying.includes(before.status);
  const isPaying = paying.includes(after.status);
  const events: SubscriptionEvent[] = [];
  if (before.status === 'incomplete' && after.status === 'trialing') {
    events.push({ ...money, type: 'SubscriptionTrialStarted', mrrDeltaMinor: 0, payingDelta: 0 });
  }
  if (!wasPaying && isPaying) {
    const amountMinor = after.amountMinor ?? 0;
    events.push({
      ...money,
      type: 'SubscriptionActivated',
      amountMinor,
      interval: after.billingInterval ?? 'month',
      fromTrial: before.status === 'trialing',
      mrrDeltaMinor: monthlyMinor(amountMinor, after.billingInterval),
      payingDelta: 1,
    });
    if (before.status === 'trialing') {
      events.push({ ...money, type: 'SubscriptionTrialConverted', mrrDeltaMinor: 0, payingDelta: 0 });
    }
  } else if (
    wasPaying &&
    isPaying &&
    after.currentPeriodStart &&
    before.currentPeriodStart &&
    new Date(after.currentPeriodStart) > new Date(before.currentPeriodStart)
  ) {
    events.push({
      ...money,
      type: 'SubscriptionRenewed',
      amountMinor: after.amountMinor ?? 0,
      mrrDeltaMinor: 0,
      payingDelta: 0,
    });
  }
  if (wasPaying && isPaying) events.push(...planMove(before, after, money));
  if (!ended.includes(before.status) && before.status !== 'incomplete' && ended.includes(after.status)) {
    events.push({
      ...money,
      // What it paid is what leaves the MRR (a renewal on a new price moved it with the price).
      planId: before.planId,
      type: 'SubscriptionCancelled',
      duringTrial: before.status === 'trialing',
      mrrDeltaMinor: wasPaying ? -monthlyMinor(before.amountMinor ?? 0, before.billingInterval) : 0,
      payingDelta: wasPaying ? -1 : 0,
    });
  }
  return events;
}

/** The pair of events of a paying subscription whose plan, currency or monthly price changed (or none). */
function planMove(before: SubscriptionState, after: SubscriptionState, money: Money): SubscriptionEvent[] {
  const oldMonthly = monthlyMinor(before.amountMinor ?? 0, before.billingInterval);
  const newMonthly = monthlyMinor(after.amountMinor ?? 0, after.billingInterval);
  const oldCurrency = before.currency ?? '';
  if (before.planId === after.planId && oldCurrency === money.currency && oldMonthly === newMonthly)
    return [];
  return [
    {
      ...money,
      planId: before.planId,
      currency: oldCurrency,
      type: 'SubscriptionPlanLeft',
      toPlanId: after.planId,
      mrrDeltaMinor: -oldMonthly,
      payingDelta: -1,
    },
    {
      ...money,
      type: 'SubscriptionPlanChanged',
      fromPlanId: before.planId,
      amountMinor: after.amountMinor ?? 0,
      interval: after.billingInterval ?? 'month',
      mrrDeltaMinor: newMonthly,
      payingDelta: 1,
    },
  ];
}
