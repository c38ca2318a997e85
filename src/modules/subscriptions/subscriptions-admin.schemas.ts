import { z } from 'zod';
import { email, isoDate, text } from '../../shared/schemas.ts';
import { pageQuery } from '../../shared/pagination.ts';
import { providerNames } from './providers/payment-provider.ts';
import { subscriptionStatuses } from './subscription-states.ts';
import { amountMinor, billingInterval, paymentSchema, planId } from './subscriptions.schemas.ts';

export const subscriptionSearchQuery = pageQuery.extend({
  status: z.enum(subscriptionStatuses).optional(),
  planId: planId.optional(),
  provider: z.enum([...providerNames, 'complimentary']).optional(),
  userId: z.uuid().optional(),
  email: email.optional().describe('The account’s address'),
  providerRef: z
    .string()
    .regex(/^[A-Za-z0-9_-]{3,100}$/, 'must be a provider subscription or customer id')
    .optional()
    .describe('A Stripe/Razorpay subscription or customer id, exactly'),
});

export const adminSubscriptionSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    planId: z.string(),
    pendingPlanId: z.string().nullable(),
    provider: z.string(),
    sandbox: z.boolean(),
    providerSubscriptionId: z.string().nullable(),
    providerCustomerId: z.string().nullable(),
    status: z.enum(subscriptionStatuses),
    interval: billingInterval.nullable(),
    currency: z.string().nullable(),
    amountMinor: z.number().int().nullable(),
    currentPeriodEnd: isoDate.nullable(),
    cancelAtPeriodEnd: z.boolean(),
    trialEnd: isoDate.nullable(),
    graceUntil: isoDate.nullable(),
    couponId: z.uuid().nullable(),
    createdAt: isoDate,
    endedAt: isoDate.nullable(),
  })
  .meta({ id: 'AdminSubscription' });

export const adminPaymentSchema = paymentSchema.extend({
  subscriptionId: z.uuid(),
  providerPaymentId: z.string(),
  refundedMinor: z.number().int(),
});

export const accountSubscriptionsSchema = z.object({
  subscriptions: z.array(adminSubscriptionSchema),
  payments: z.array(adminPaymentSchema),
  events: z.array(
    z.object({
      provider: z.string(),
      eventId: z.string(),
      type: z.string(),
      subscriptionId: z.uuid().nullable(),
      receivedAt: isoDate,
      appliedAt: isoDate.nullable(),
    }),
  ),
});

export const refundBody = z.object({
  amountMinor: amountMinor.min(1).optional().describe('Part of the payment; the rest of it when absent'),
  reason: text({ min: 1, max: 200 }).optional(),
});

export const complimentaryBody = z.object({
  planId,
  until: isoDate.optional().describe('When the grant ends; indefinitely when absent'),
});

export const metricsSchema = z
  .object({
    asOf: isoDate,
    mrr: z
      .array(z.object({ currency: z.string(), amountMinor: z.number().int() }))
      .describe('Monthly recurring revenue at list price (yearly prices / 12) of paying subscriptions'),
    activeByPlan: z.array(z.object({ planId: z.string(), count: z.number().int() })),
    churn: z.object({
      windowDays: z.number().int(),
      subscribersAtStart: z.number().int(),
      ended: z.number().int(),
      rate: z.number().describe('ended / subscribersAtStart; 0 when there were none'),
    }),
  })
  .meta({ id: 'SubscriptionMetrics' });
