import { createHmac, timingSafeEqual } from 'node:crypto';
import Razorpay from 'razorpay';
import { z } from 'zod';
import type { Clock } from '../../../platform/clock.ts';
import { ProviderFailed, WebhookSignatureInvalid } from '../subscriptions.errors.ts';
import { fromRazorpayStatus } from '../subscription-states.ts';
import type {
  CheckoutRequest,
  CheckoutStarted,
  PaymentProvider,
  PlanChangeRequest,
  ProviderEvent,
  ProviderPayment,
  ProviderSubscription,
  VerifiedEvent,
} from './payment-provider.ts';
import { fromUnixSeconds } from './payment-provider.ts';

export interface RazorpayProviderOptions {
  keyId: string;
  keySecret: string;
  webhookSecret: string;
  /** Another API base (tests: a loopback fake); default Razorpay's. */
  apiBase?: string;
  clock: Clock;
}

const seconds = z.number().int().nullish();

const subscriptionEntity = z.object({
  id: z.string(),
  status: z.string(),
  customer_id: z.string().nullish(),
  current_start: seconds,
  current_end: seconds,
  start_at: seconds,
  notes: z.union([z.record(z.string(), z.string()), z.array(z.unknown())]).nullish(),
});
type SubscriptionEntity = z.infer<typeof subscriptionEntity>;

const paymentEntity = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string(),
});
const refundEntity = z.object({
  id: z.string(),
  payment_id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
});

const eventBody = z.object({
  event: z.string(),
  created_at: z.number().int(),
  payload: z.object({
    subscription: z.object({ entity: subscriptionEntity }).optional(),
    payment: z.object({ entity: paymentEntity }).optional(),
    refund: z.object({ entity: refundEntity }).optional(),
  }),
});

/** A webhook's id travels in a header; the ledger stores it inside the payload it keys. */
const storedEvent = z.object({ eventId: z.string(), body: eventBody });

function subscriptionOf(entity: SubscriptionEntity, asOf: Date): ProviderSubscription {
  const notes = entity.notes && !Array.isArray(entity.notes) ? entity.notes : {};
  return {
    providerSubscriptionId: entity.id,
    subscriptionId: notes.subscriptionId ?? null,
    providerCustomerId: entity.customer_id ?? null,
    snapshot: {
      status: fromRazorpayStatus(entity.status),
      currentPeriodStart: fromUnixSeconds(entity.current_start),
      currentPeriodEnd: fromUnixSeconds(entity.current_end),
      trialEnd: entity.status === 'authenticated' ? fromUnixSeconds(entity.start_at) : null,
      cancelAtPeriodEnd: false,
      asOf,
    },
  };
}

/**
 * Razorpay's webhook signature: hex HMAC-SHA256 of the raw body with the webhook secret
 * (https://razorpay.com/docs/webhooks/validate-test/). The SDK's `validateWebhookSignature`
 * compares with `===`, which leaks how many leading characters match through timing; this
 * compares equal-length buffers with `timingSafeEqual` instead.
 */
export function razorpaySignatureMatches(input: { rawBody: Buffer; signature: string; secret: string }) {
  const expected = createHmac('sha256', input.secret).update(input.rawBody).digest();
  const given = /^[0-9a-f]{64}$/i.test(input.signature) ? Buffer.from(input.signature, 'hex') : null;
  return given !== null && given.length === expected.length && timingSafeEqual(given, expected);
}

/** Razorpay through its official SDK: Subscriptions (a hosted page), HMAC-signed webhooks. */
export class RazorpayProvider implements PaymentProvider {
  readonly name = 'razorpay' as const;
  readonly sandbox = false;
  readonly #razorpay: Razorpay;
  readonly #options: RazorpayProviderOptions;

  constructor(options: RazorpayProviderOptions) {
    this.#options = options;
    this.#razorpay = new Razorpay({ key_id: options.keyId, key_secret: options.keySecret });
    if (options.apiBase) {
      // The SDK fixes its host; its axios instance is the documented way requests go out.
      (
        this.#razorpay as unknown as { api: { rq: { defaults: { baseURL: string } } } }
      ).api.rq.defaults.baseURL = options.apiBase;
    }
  }

  async startCheckout(request: CheckoutRequest): Promise<CheckoutStarted> {
    const planId = await this.#planFor(request);
    const now = Math.floor(this.#options.clock.now().getTime() / 1000);
    const created = (await this.#call(() =>
      this.#razorpay.subscriptions.create({
        plan_id: planId,
        total_count: request.interval === 'year' ? 10 : 120,
        customer_notify: 1,
        ...(request.trialDays > 0 && { start_at: now + request.trialDays * 86_400 }),
        notes: { subscriptionId: request.subscriptionId },
        // Unpaid links lapse before the schedule expires the checkout and frees its coupon.
        expire_by: Math.floor(request.expiresAt.getTime() / 1000),
      }),
    )) as { id: string; short_url?: string };
    return {
      checkoutUrl: created.short_url ?? '',
      providerSubscriptionId: created.id,
      clientParams: { key: this.#options.keyId, subscription_id: created.id },
    };
  }

  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): VerifiedEvent {
    const signature = headers['x-razorpay-signature'];
    const eventId = headers['x-razorpay-event-id'];
    if (typeof signature !== 'string') throw WebhookSignatureInvalid('No X-Razorpay-Signature header');
    if (!razorpaySignatureMatches({ rawBody, signature, secret: this.#options.webhookSecret })) {
      throw WebhookSignatureInvalid('The Razorpay signature does not match the body');
    }
    if (typeof eventId !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(eventId)) {
      throw WebhookSignatureInvalid('No X-Razorpay-Event-Id header');
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw WebhookSignatureInvalid('The body is not a Razorpay event');
    }
    const parsed = eventBody.safeParse(body);
    if (!parsed.success) throw WebhookSignatureInvalid('The body is not a Razorpay event');
    return { eventId, type: parsed.data.event, payload: { eventId, body } };
  }

  parse(payload: unknown): ProviderEvent {
    const { eventId, body } = storedEvent.parse(payload);
    const occurredAt = new Date(body.created_at * 1000);
    const entity = body.payload.subscription?.entity;
    const subscription = entity ? subscriptionOf(entity, occurredAt) : null;
    let payment: ProviderPayment | null = null;
    const paid = body.payload.payment?.entity;
    const refund = body.payload.refund?.entity;
    if (refund) {
      payment = {
        providerPaymentId: refund.payment_id,
        status: 'refunded',
        amountMinor: refund.amount,
        currency: refund.currency,
        periodStart: null,
        periodEnd: null,
      };
    } else if (paid) {
      payment = {
        providerPaymentId: paid.id,
        status: paid.status === 'captured' ? 'paid' : paid.status === 'failed' ? 'failed' : 'paid',
        amountMinor: paid.amount,
        currency: paid.currency,
        periodStart: subscription?.snapshot.currentPeriodStart ?? null,
        periodEnd: subscription?.snapshot.currentPeriodEnd ?? null,
      };
    }
    return {
      eventId,
      type: body.event,
      occurredAt,
      providerSubscriptionId: entity?.id ?? null,
      subscriptionId: subscription?.subscriptionId ?? null,
      subscription,
      payment,
    };
  }

  async fetch(providerSubscriptionId: string): Promise<ProviderSubscription | undefined> {
    const entity = await this.#call(() => this.#razorpay.subscriptions.fetch(providerSubscriptionId));
    return subscriptionOf(subscriptionEntity.parse(entity), this.#options.clock.now());
  }

  async cancel(providerSubscriptionId: string, options: { atPeriodEnd: boolean }): Promise<void> {
    await this.#call(() => this.#razorpay.subscriptions.cancel(providerSubscriptionId, options.atPeriodEnd));
  }

  async resume(providerSubscriptionId: string): Promise<void> {
    await this.#call(() => this.#razorpay.subscriptions.cancelScheduledChanges(providerSubscriptionId));
  }

  /**
   * Moves the subscription to the new plan's Razorpay plan: `now` for an upgrade (Razorpay
   * invoices the difference for the rest of the cycle), `cycle_end` for a downgrade
   * (https://razorpay.com/docs/payments/subscriptions/update/).
   */
  async changePlan(change: PlanChangeRequest): Promise<{ prorationMinor: number | null }> {
    const planId = await this.#planFor(change);
    await this.#call(() =>
      this.#razorpay.subscriptions.update(change.providerSubscriptionId, {
        plan_id: planId,
        schedule_change_at: change.effective === 'now' ? 'now' : 'cycle_end',
        customer_notify: 1,
      }),
    );
    return { prorationMinor: null };
  }

  async refund(payment: { providerPaymentId: string; amountMinor: number | null }): Promise<void> {
    await this.#call(() =>
      this.#razorpay.payments.refund(
        payment.providerPaymentId,
        payment.amountMinor === null ? {} : { amount: payment.amountMinor },
      ),
    );
  }

  /** The Razorpay plan for a price: the one configured on it, or one made for it. */
  async #planFor(price: {
    providerPriceId: string | null;
    interval: 'month' | 'year';
    planName: string;
    planId: string;
    amountMinor: number;
    currency: string;
  }): Promise<string> {
    if (price.providerPriceId) return price.providerPriceId;
    const created = (await this.#call(() =>
      this.#razorpay.plans.create({
        period: price.interval === 'year' ? 'yearly' : 'monthly',
        interval: 1,
        item: { name: `Marquee ${price.planName}`, amount: price.amountMinor, currency: price.currency },
        notes: { planId: price.planId },
      }),
    )) as { id: string };
    return created.id;
  }

  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const detail = (error as { error?: { description?: string } }).error?.description ?? String(error);
      throw ProviderFailed(`Razorpay: ${detail}`);
    }
  }
}
