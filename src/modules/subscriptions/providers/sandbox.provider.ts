import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { WebhookNotConfigured } from '../subscriptions.errors.ts';
import { prorate, subscriptionStatuses } from '../subscription-states.ts';
import type {
  CheckoutRequest,
  PlanChangeRequest,
  CheckoutStarted,
  PaymentProvider,
  ProviderEvent,
  ProviderSubscription,
  VerifiedEvent,
} from './payment-provider.ts';

const date = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

/** What the sandbox emits: the same shape of facts a real provider's events carry. */
export const sandboxEventSchema = z.object({
  id: z.string().startsWith('evt_sbx_'),
  type: z.enum(['subscription.updated', 'invoice.paid', 'invoice.payment_failed']),
  created: date,
  subscription: z.object({
    id: z.string(),
    subscriptionId: z.uuid(),
    status: z.enum(subscriptionStatuses),
    currentPeriodStart: date.nullable(),
    currentPeriodEnd: date.nullable(),
    trialEnd: date.nullable(),
    cancelAtPeriodEnd: z.boolean(),
  }),
  payment: z
    .object({
      id: z.string(),
      status: z.enum(['paid', 'failed']),
      amountMinor: z.number().int().min(0),
      currency: z.string(),
    })
    .nullable(),
});
export type SandboxEvent = z.input<typeof sandboxEventSchema>;

export const newSandboxId = (kind: 'sub' | 'evt' | 'pay') =>
  `${kind === 'evt' ? 'evt_sbx' : `sbx_${kind}`}_${randomBytes(16).toString('base64url')}`;

/**
 * The sandbox: a local checkout page (no money moves) whose buttons succeed, fail or leave the
 * payment pending, emitting events through the same ledger and job as a real provider. On by
 * default only on the embedded database; every answer that involves it says `sandbox: true`.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox' as const;
  readonly sandbox = true;
  readonly #publicUrl: string;

  readonly #now: () => Date;

  constructor(options: { publicUrl: string; now: () => Date }) {
    this.#publicUrl = options.publicUrl;
    this.#now = options.now;
  }

  async startCheckout(_request: CheckoutRequest): Promise<CheckoutStarted> {
    const providerSubscriptionId = newSandboxId('sub');
    return {
      checkoutUrl: `${this.#publicUrl}/api/sandbox/checkout/${providerSubscriptionId}`,
      providerSubscriptionId,
      clientParams: { sandbox: 'true' },
    };
  }

  verify(): VerifiedEvent {
    // Sandbox events never arrive over the network: the checkout page emits them in process.
    throw WebhookNotConfigured('The sandbox has no webhooks');
  }

  parse(payload: unknown): ProviderEvent {
    const event = sandboxEventSchema.parse(payload);
    const subscription: ProviderSubscription = {
      providerSubscriptionId: event.subscription.id,
      subscriptionId: event.subscription.subscriptionId,
      providerCustomerId: null,
      snapshot: { ...event.subscription, asOf: event.created },
    };
    return {
      eventId: event.id,
      type: event.type,
      occurredAt: event.created,
      providerSubscriptionId: event.subscription.id,
      subscriptionId: event.subscription.subscriptionId,
      subscription,
      payment: event.payment && {
        providerPaymentId: event.payment.id,
        status: event.payment.status,
        amountMinor: event.payment.amountMinor,
        currency: event.payment.currency,
        periodStart: event.subscription.currentPeriodStart,
        periodEnd: event.subscription.currentPeriodEnd,
      },
    };
  }

  async fetch(): Promise<undefined> {
    return undefined;
  }

  async cancel(): Promise<void> {}

  async resume(): Promise<void> {}

  /** Settles an upgrade's proration at once (paid, no money moves); a downgrade costs nothing now. */
  async changePlan(change: PlanChangeRequest): Promise<{ prorationMinor: number | null }> {
    if (change.effective === 'period_end') return { prorationMinor: 0 };
    return {
      prorationMinor: prorate({
        fromAmountMinor: change.current.amountMinor,
        toAmountMinor: change.amountMinor,
        periodStart: change.current.periodStart,
        periodEnd: change.current.periodEnd,
        now: this.#now(),
      }),
    };
  }

  async refund(): Promise<void> {}
}
