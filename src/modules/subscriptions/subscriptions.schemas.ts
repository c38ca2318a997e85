import { z } from 'zod';
import { isoDate, text } from '../../shared/schemas.ts';
import { providerNames } from './providers/payment-provider.ts';
import { subscriptionStatuses } from './subscription-states.ts';

export const planId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1–32 lower-case letters, digits or dashes')
  .describe('A plan id (free, basic, standard, premium…)');
export const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 currency code')
  .transform((value) => value.toUpperCase());
export const billingInterval = z.enum(['month', 'year']);
/** Money in minor units (cents, paise): at most 1,000,000.00. */
export const amountMinor = z.number().int().min(0).max(100_000_000);

export const priceSchema = z.object({
  currency: z.string(),
  interval: billingInterval,
  amountMinor: z.number().int(),
});

export const planLimits = z.object({
  maxHeight: z.number().int().min(144).max(4320),
  maxStreams: z.number().int().min(1).max(20),
  maxDevices: z.number().int().min(1).max(100),
  maxDownloads: z.number().int().min(0).max(1000),
  maxDownloadDevices: z.number().int().min(0).max(20),
});

/**
 * The plan's ad policy (used only when `hasAds`): the ad server's schedule for each stream. The
 * database keeps the interval in seconds; people set it in minutes.
 */
export const planAdPolicy = z.object({
  adPreroll: z.boolean().describe('A break before the content'),
  adMidrollIntervalMinutes: z
    .number()
    .int()
    .min(0)
    .max(120)
    .describe('A mid-roll every this many minutes, at the nearest cue point; 0: none'),
  adPodMax: z.number().int().min(1).max(6).describe('At most this many ads in one break'),
});

export const planSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tier: z.number().int().describe('The catalog tier the plan unlocks (titles require a minimum tier)'),
    trialDays: z.number().int(),
    hasAds: z.boolean().describe('Whether the plan carries ads at all'),
    active: z.boolean(),
    prices: z.array(priceSchema),
  })
  .extend(planLimits.shape)
  .extend(planAdPolicy.shape)
  .meta({ id: 'Plan' });

const planPrices = z
  .array(z.object({ currency, interval: billingInterval, amountMinor }))
  .max(50)
  .refine(
    (prices) => new Set(prices.map((p) => `${p.currency}/${p.interval}`)).size === prices.length,
    'one price per currency and interval',
  );
const planFields = z
  .object({
    name: text({ min: 1, max: 60 }),
    tier: z.number().int().min(0).max(10),
    trialDays: z.number().int().min(0).max(365),
    hasAds: z.boolean(),
    active: z.boolean(),
    prices: planPrices,
  })
  .extend(planLimits.shape)
  .extend(planAdPolicy.shape);
export const planCreate = planFields.extend({
  id: planId,
  trialDays: planFields.shape.trialDays.default(0),
  hasAds: planFields.shape.hasAds.default(false),
  // The columns' defaults (migrations/20261201200000_ads.sql).
  adPreroll: planFields.shape.adPreroll.default(true),
  adMidrollIntervalMinutes: planFields.shape.adMidrollIntervalMinutes.default(10),
  adPodMax: planFields.shape.adPodMax.default(2),
  active: planFields.shape.active.default(true),
  prices: planPrices.default([]),
});
/** Only what is given changes: no defaults here, or a patch would reset prices, trials and ads. */
export const planPatch = planFields.partial();
export const planParams = z.object({ planId });

export const subscribeBody = z.object({
  planId,
  interval: billingInterval,
  currency: currency.optional(),
  provider: z.enum(providerNames),
  couponCode: text({ min: 1, max: 40 }).optional(),
});

export const checkoutSchema = z
  .object({
    subscriptionId: z.uuid(),
    provider: z.enum(providerNames),
    sandbox: z.boolean().describe('True for the sandbox provider: no money moves'),
    checkoutUrl: z.string(),
    clientParams: z.record(z.string(), z.string()),
    amountMinor: z.number().int().describe('First period, after the offer'),
    currency: z.string(),
  })
  .meta({ id: 'Checkout' });

export const entitlementsSchema = planLimits.extend({
  planId: z.string(),
  planName: z.string(),
  tier: z.number().int(),
  hasAds: z.boolean(),
});

export const subscriptionStatusSchema = z
  .object({
    planId: z.string(),
    state: z.enum([...subscriptionStatuses, 'none']),
    subscriptionId: z.uuid().nullable(),
    provider: z.string().nullable(),
    sandbox: z.boolean(),
    interval: billingInterval.nullable(),
    currentPeriodEnd: isoDate.nullable(),
    cancelAtPeriodEnd: z.boolean(),
    trialEnd: isoDate.nullable(),
    pendingPlanId: z.string().nullable().describe('A downgrade that takes effect at the period end'),
    offer: z.object({ code: z.string(), name: z.string() }).nullable(),
    entitlements: entitlementsSchema,
  })
  .meta({ id: 'SubscriptionStatus' });

export const cancelBody = z.object({
  atPeriodEnd: z.boolean().default(true).describe('false: end now (entitlements stop at once)'),
});
export const changePlanBody = z.object({ planId });

export const paymentSchema = z.object({
  id: z.uuid(),
  provider: z.string(),
  status: z.enum(['paid', 'failed', 'refunded', 'disputed']),
  amountMinor: z.number().int(),
  currency: z.string(),
  periodStart: isoDate.nullable(),
  periodEnd: isoDate.nullable(),
  createdAt: isoDate,
});

export const couponCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{3,40}$/, 'must be 3–40 letters, digits, dashes or underscores')
  .transform((value) => value.toUpperCase());

export const couponCreate = z
  .object({
    code: couponCode,
    name: text({ min: 1, max: 100 }),
    percentOff: z.number().int().min(1).max(100).optional(),
    amountOffMinor: z.number().int().min(1).max(100_000_000).optional(),
    currency: currency.optional(),
    duration: z.enum(['once', 'repeating', 'forever']),
    durationMonths: z.number().int().min(1).max(120).optional(),
    validFrom: isoDate.optional(),
    validUntil: isoDate.optional(),
    maxRedemptions: z.number().int().min(1).max(10_000_000).optional(),
    perUserLimit: z.number().int().min(1).max(100).default(1),
    firstSubscriptionOnly: z.boolean().default(false),
    planIds: z.array(planId).min(1).max(50).optional(),
    active: z.boolean().default(true),
  })
  .refine((c) => (c.percentOff === undefined) !== (c.amountOffMinor === undefined), {
    message: 'exactly one of percentOff and amountOffMinor',
  })
  .refine((c) => (c.amountOffMinor === undefined) === (c.currency === undefined), {
    message: 'amountOffMinor needs a currency, and only it',
  })
  .refine((c) => (c.duration === 'repeating') === (c.durationMonths !== undefined), {
    message: 'durationMonths is required for, and only for, a repeating coupon',
  })
  .refine((c) => !c.validFrom || !c.validUntil || c.validFrom < c.validUntil, {
    message: 'validFrom must be before validUntil',
  });
export const couponPatch = z.object({
  name: text({ min: 1, max: 100 }).optional(),
  validUntil: isoDate.nullable().optional(),
  maxRedemptions: z.number().int().min(1).max(10_000_000).nullable().optional(),
  active: z.boolean().optional(),
});

export const couponSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    percentOff: z.number().int().nullable(),
    amountOffMinor: z.number().int().nullable(),
    currency: z.string().nullable(),
    duration: z.enum(['once', 'repeating', 'forever']),
    durationMonths: z.number().int().nullable(),
    validFrom: isoDate.nullable(),
    validUntil: isoDate.nullable(),
    maxRedemptions: z.number().int().nullable(),
    perUserLimit: z.number().int(),
    redemptionCount: z.number().int(),
    firstSubscriptionOnly: z.boolean(),
    planIds: z.array(z.string()).nullable(),
    active: z.boolean(),
  })
  .meta({ id: 'Coupon' });
export const offerSchema = couponSchema.omit({
  redemptionCount: true,
  maxRedemptions: true,
  active: true,
  perUserLimit: true,
});

export const webhookAck = z.object({ received: z.boolean(), duplicate: z.boolean() });
