/**
 * The subscription state machine, as pure functions. A subscription is born `incomplete`
 * (checkout started), becomes `trialing` or `active` when the provider confirms, `past_due` when a
 * renewal fails, `grace` when the provider gives up retrying (still entitled until `graceUntil`),
 * and ends `canceled` (by the customer or an admin) or `expired` (lapsed). Only the entitling
 * states put an account on its plan; every other state leaves it on Free.
 */
export const subscriptionStatuses = [
  'incomplete',
  'trialing',
  'active',
  'past_due',
  'grace',
  'canceled',
  'expired',
] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

export const entitlingStatuses: readonly SubscriptionStatus[] = ['trialing', 'active', 'past_due', 'grace'];
export const isEntitling = (status: SubscriptionStatus) => entitlingStatuses.includes(status);
export const isFinal = (status: SubscriptionStatus) => status === 'canceled' || status === 'expired';

export const FREE_PLAN = 'free';

/** Which moves the machine allows; anything else from a provider is ignored as stale. */
const transitions: Record<SubscriptionStatus, readonly SubscriptionStatus[]> = {
  incomplete: ['trialing', 'active', 'past_due', 'canceled', 'expired'],
  trialing: ['active', 'past_due', 'grace', 'canceled', 'expired'],
  active: ['active', 'past_due', 'grace', 'canceled', 'expired'],
  past_due: ['active', 'grace', 'canceled', 'expired'],
  grace: ['active', 'canceled', 'expired'],
  canceled: [],
  expired: [],
};

export const mayMove = (from: SubscriptionStatus, to: SubscriptionStatus) =>
  from === to || transitions[from].includes(to);

/** Stripe's subscription statuses (https://docs.stripe.com/api/subscriptions/object#subscription_object-status). */
export function fromStripeStatus(status: string): SubscriptionStatus {
  switch (status) {
    case 'trialing':
    case 'active':
    case 'past_due':
    case 'incomplete':
    case 'canceled':
      return status;
    case 'unpaid':
      return 'grace';
    case 'incomplete_expired':
      return 'expired';
    case 'paused':
      return 'canceled';
    default:
      return 'incomplete';
  }
}

/** Razorpay's subscription states (https://razorpay.com/docs/payments/subscriptions/states/). */
export function fromRazorpayStatus(status: string): SubscriptionStatus {
  switch (status) {
    case 'authenticated':
      return 'trialing';
    case 'active':
      return 'active';
    case 'pending':
      return 'past_due';
    case 'halted':
      return 'grace';
    case 'cancelled':
    case 'paused':
      return 'canceled';
    case 'completed':
    case 'expired':
      return 'expired';
    default:
      return 'incomplete';
  }
}

/** The state a provider's snapshot of the subscription says, applied on what is stored. */
export interface SubscriptionSnapshot {
  status: SubscriptionStatus;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  trialEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  /** When the provider's object was in this state (event or object timestamp). */
  asOf: Date;
}

export interface StoredState {
  status: SubscriptionStatus;
  providerUpdatedAt: Date | null;
}

/**
 * Whether a snapshot should be applied: not if an equal-or-newer one already was, nor if the
 * machine forbids the move (a `canceled` subscription never comes back from a late `active`).
 * Provider timestamps have second resolution: at the same second, a snapshot that moves forward
 * in the machine wins.
 */
export function shouldApply(stored: StoredState, snapshot: SubscriptionSnapshot): boolean {
  if (!mayMove(stored.status, snapshot.status)) return false;
  if (!stored.providerUpdatedAt) return true;
  const age = snapshot.asOf.getTime() - stored.providerUpdatedAt.getTime();
  if (age > 0) return true;
  if (age < 0) return false;
  return rank(snapshot.status) >= rank(stored.status);
}

const rank = (status: SubscriptionStatus) => subscriptionStatuses.indexOf(status);

/** What an account's plan is, from its entitling subscription (or none). */
export const effectivePlan = (subscription: { status: SubscriptionStatus; planId: string } | undefined) =>
  subscription && isEntitling(subscription.status) ? subscription.planId : FREE_PLAN;

/** Adds calendar months or years in UTC (Jan 31 + 1 month = Feb 28/29, like Stripe). */
export function addInterval(from: Date, interval: 'month' | 'year', count = 1): Date {
  const months = interval === 'year' ? 12 * count : count;
  const date = new Date(from.getTime());
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date;
}

/** A coupon's discount on one period's price, in minor units, never below zero. */
export function discounted(
  amountMinor: number,
  coupon: { percentOff: number | null; amountOffMinor: number | null } | undefined,
): number {
  if (!coupon) return amountMinor;
  if (coupon.percentOff !== null)
    return Math.max(0, Math.round((amountMinor * (100 - coupon.percentOff)) / 100));
  return Math.max(0, amountMinor - (coupon.amountOffMinor ?? 0));
}

/**
 * What an upgrade costs now: the price difference for the part of the period that is left, like
 * Stripe's `always_invoice` proration (https://docs.stripe.com/billing/subscriptions/prorations).
 * Nothing for a downgrade or when the period is unknown or over.
 */
export function prorate(change: {
  fromAmountMinor: number;
  toAmountMinor: number;
  periodStart: Date | null;
  periodEnd: Date | null;
  now: Date;
}): number {
  const { periodStart, periodEnd, now } = change;
  if (!periodStart || !periodEnd || periodEnd <= now) return 0;
  const total = periodEnd.getTime() - periodStart.getTime();
  if (total <= 0) return 0;
  const left = Math.min(total, periodEnd.getTime() - now.getTime());
  return Math.max(0, Math.round(((change.toAmountMinor - change.fromAmountMinor) * left) / total));
}
