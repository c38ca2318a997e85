import type { SubscriptionSnapshot } from '../subscription-states.ts';

export const providerNames = ['stripe', 'razorpay', 'sandbox'] as const;
export type ProviderName = (typeof providerNames)[number];

export interface CheckoutRequest {
  /** Marquee's subscription id, carried in the provider's metadata/notes so events find it. */
  subscriptionId: string;
  userId: string;
  email: string | null;
  planId: string;
  planName: string;
  interval: 'month' | 'year';
  currency: string;
  amountMinor: number;
  trialDays: number;
  providerPriceId: string | null;
  coupon: { code: string; percentOff: number | null; amountOffMinor: number | null } | null;
  successUrl: string;
  cancelUrl: string;
  /** After this the checkout cannot be paid (the schedule then releases its coupon). */
  expiresAt: Date;
}

/** A plan change on a running subscription. */
export interface PlanChangeRequest {
  providerSubscriptionId: string;
  planId: string;
  planName: string;
  interval: 'month' | 'year';
  currency: string;
  amountMinor: number;
  providerPriceId: string | null;
  /** `now`: an upgrade, charged the prorated difference at once; `period_end`: a downgrade. */
  effective: 'now' | 'period_end';
  /** What the subscription costs now and its period (the sandbox prorates from these). */
  current: { amountMinor: number; periodStart: Date | null; periodEnd: Date | null };
}

/** A coupon as providers that keep their own coupons (Stripe) are told about it. */
export interface MirroredCoupon {
  code: string;
  name: string;
  percentOff: number | null;
  amountOffMinor: number | null;
  currency: string | null;
  duration: 'once' | 'repeating' | 'forever';
  durationMonths: number | null;
  maxRedemptions: number | null;
  validUntil: Date | null;
}

export interface CheckoutStarted {
  /** Where the client sends the person to pay. */
  checkoutUrl: string;
  /** Known at once for Razorpay and the sandbox; Stripe's arrives with the first event. */
  providerSubscriptionId: string | null;
  /** What a client SDK needs besides the URL (Razorpay's key id and subscription id). */
  clientParams: Record<string, string>;
}

/** The provider's own view of a subscription, mapped onto Marquee's states. */
export interface ProviderSubscription {
  providerSubscriptionId: string;
  /** Marquee's id from the provider's metadata/notes. */
  subscriptionId: string | null;
  providerCustomerId: string | null;
  snapshot: SubscriptionSnapshot;
}

export interface ProviderPayment {
  providerPaymentId: string;
  status: 'paid' | 'failed' | 'refunded' | 'disputed';
  amountMinor: number;
  currency: string;
  periodStart: Date | null;
  periodEnd: Date | null;
}

/** A verified event in Marquee's terms; `subscription` is the snapshot the event itself carries. */
export interface ProviderEvent {
  eventId: string;
  type: string;
  occurredAt: Date;
  providerSubscriptionId: string | null;
  subscriptionId: string | null;
  subscription: ProviderSubscription | null;
  payment: ProviderPayment | null;
}

export interface VerifiedEvent {
  eventId: string;
  type: string;
  payload: unknown;
}

/**
 * A payment provider: checkout, webhook verification, the provider's current view of a
 * subscription (how out-of-order events are resolved), and the customer's changes.
 */
export interface PaymentProvider {
  readonly name: ProviderName;
  /** Shown to people: the sandbox says it is one everywhere it appears. */
  readonly sandbox: boolean;
  startCheckout(request: CheckoutRequest): Promise<CheckoutStarted>;
  /** Checks the signature over the raw body; throws WebhookSignatureInvalid. */
  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): VerifiedEvent;
  /** Reads a stored, verified payload. */
  parse(payload: unknown): ProviderEvent;
  /** The provider's current state of the subscription, or undefined when it carries state in its events. */
  fetch(providerSubscriptionId: string): Promise<ProviderSubscription | undefined>;
  cancel(providerSubscriptionId: string, options: { atPeriodEnd: boolean }): Promise<void>;
  resume(providerSubscriptionId: string): Promise<void>;
  /**
   * Moves the subscription to another plan's price. An upgrade is prorated and charged now; a
   * downgrade bills the new price from the next period. Answers the prorated amount when the
   * provider settles it here (the sandbox); real providers report it through invoice events.
   */
  changePlan(change: PlanChangeRequest): Promise<{ prorationMinor: number | null }>;
  /** Refunds a payment (all of it when `amountMinor` is null); the provider's event confirms it. */
  refund(payment: { providerPaymentId: string; amountMinor: number | null }): Promise<void>;
  /** Creates the coupon at the provider when it keeps its own (Stripe); absent otherwise. */
  mirrorCoupon?(coupon: MirroredCoupon): Promise<void>;
}

/** Stripe and Razorpay give times as Unix seconds; absent or 0 means none. */
export const fromUnixSeconds = (value: number | null | undefined): Date | null =>
  value ? new Date(value * 1000) : null;
