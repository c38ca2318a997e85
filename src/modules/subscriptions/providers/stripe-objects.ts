import { z } from 'zod';
import { fromStripeStatus } from '../subscription-states.ts';
import type { ProviderSubscription } from './payment-provider.ts';
import { fromUnixSeconds } from './payment-provider.ts';

/*
 * The parts of Stripe's objects Marquee reads, as zod schemas: events are parsed with these, never
 * trusted by their TypeScript types (the API version of an account decides what a payload holds).
 */
const seconds = z.number().int().nullish();
const metadata = z.record(z.string(), z.string()).nullish();

/** The parts of Stripe's Subscription object read here (period fields moved to items in 2025). */
export const subscriptionObject = z.object({
  object: z.literal('subscription'),
  id: z.string(),
  status: z.string(),
  customer: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
  cancel_at_period_end: z.boolean().nullish(),
  current_period_start: seconds,
  current_period_end: seconds,
  trial_end: seconds,
  metadata,
  items: z
    .object({
      data: z.array(z.object({ current_period_start: seconds, current_period_end: seconds })),
    })
    .nullish(),
});
type StripeSubscriptionObject = z.infer<typeof subscriptionObject>;

export const invoiceObject = z.object({
  object: z.literal('invoice'),
  id: z.string(),
  subscription: z.string().nullish(),
  parent: z
    .object({
      subscription_details: z.object({ subscription: z.string(), metadata }).nullish(),
    })
    .nullish(),
  amount_paid: z.number().int().nullish(),
  amount_due: z.number().int().nullish(),
  currency: z.string(),
  period_start: seconds,
  period_end: seconds,
  lines: z
    .object({ data: z.array(z.object({ period: z.object({ start: seconds, end: seconds }).nullish() })) })
    .nullish(),
});

export const chargeObject = z.object({
  object: z.literal('charge'),
  id: z.string(),
  invoice: z.string().nullish(),
  amount: z.number().int(),
  amount_refunded: z.number().int().nullish(),
  currency: z.string(),
});
export const disputeObject = z.object({
  object: z.literal('dispute'),
  id: z.string(),
  charge: z.union([z.string(), z.object({ id: z.string() })]),
  amount: z.number().int(),
  currency: z.string(),
});
export const checkoutSessionObject = z.object({
  object: z.literal('checkout.session'),
  id: z.string(),
  subscription: z.string().nullish(),
  customer: z.string().nullish(),
  client_reference_id: z.string().nullish(),
  metadata,
});

const expandable = z.union([z.string(), z.object({ id: z.string() })]);
export const stripeItems = z.object({
  items: z.object({
    data: z.array(z.object({ id: z.string(), price: z.object({ product: expandable }) })),
  }),
});
export const invoicePayment = z.object({
  payment_intent: expandable.nullish(),
  payments: z
    .object({
      data: z.array(z.object({ payment: z.object({ payment_intent: expandable.nullish() }).nullish() })),
    })
    .nullish(),
});

export const eventEnvelope = z.object({
  id: z.string(),
  type: z.string(),
  created: z.number().int(),
  data: z.object({ object: z.looseObject({ object: z.string() }) }),
});

export function subscriptionOf(object: StripeSubscriptionObject, asOf: Date): ProviderSubscription {
  const item = object.items?.data[0];
  const customer = object.customer;
  return {
    providerSubscriptionId: object.id,
    subscriptionId: object.metadata?.subscriptionId ?? null,
    providerCustomerId: typeof customer === 'string' ? customer : (customer?.id ?? null),
    snapshot: {
      status: fromStripeStatus(object.status),
      currentPeriodStart: fromUnixSeconds(object.current_period_start ?? item?.current_period_start),
      currentPeriodEnd: fromUnixSeconds(object.current_period_end ?? item?.current_period_end),
      trialEnd: fromUnixSeconds(object.trial_end),
      cancelAtPeriodEnd: object.cancel_at_period_end ?? false,
      asOf,
    },
  };
}
