import Stripe from 'stripe';
import type { Clock } from '../../../platform/clock.ts';
import { ProviderFailed, WebhookSignatureInvalid } from '../subscriptions.errors.ts';
import type {
  CheckoutRequest,
  CheckoutStarted,
  MirroredCoupon,
  PaymentProvider,
  PlanChangeRequest,
  ProviderEvent,
  ProviderPayment,
  ProviderSubscription,
  VerifiedEvent,
} from './payment-provider.ts';
import { fromUnixSeconds } from './payment-provider.ts';
import {
  chargeObject,
  checkoutSessionObject,
  disputeObject,
  eventEnvelope,
  invoiceObject,
  invoicePayment,
  stripeItems,
  subscriptionObject,
  subscriptionOf,
} from './stripe-objects.ts';

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** Another API base (tests: a loopback fake); default Stripe's. */
  apiBase?: string;
  /** Stripe's default: a signature older than 5 minutes is refused (replays). */
  toleranceSeconds?: number;
  clock: Clock;
}

/** Stripe through its official SDK: Checkout Sessions in subscription mode, signed webhooks. */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  readonly sandbox = false;
  readonly #stripe: Stripe;
  readonly #options: StripeProviderOptions;

  constructor(options: StripeProviderOptions) {
    this.#options = options;
    const base = options.apiBase ? new URL(options.apiBase) : undefined;
    this.#stripe = new Stripe(options.secretKey, {
      maxNetworkRetries: 1,
      timeout: 10_000,
      ...(base && {
        host: base.hostname,
        port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
        protocol: base.protocol === 'https:' ? 'https' : 'http',
      }),
    });
  }

  async startCheckout(request: CheckoutRequest): Promise<CheckoutStarted> {
    const session = await this.#call(() =>
      this.#stripe.checkout.sessions.create(
        {
          mode: 'subscription',
          client_reference_id: request.subscriptionId,
          ...(request.email && { customer_email: request.email }),
          line_items: [
            request.providerPriceId
              ? { price: request.providerPriceId, quantity: 1 }
              : {
                  quantity: 1,
                  price_data: {
                    currency: request.currency.toLowerCase(),
                    unit_amount: request.amountMinor,
                    recurring: { interval: request.interval },
                    product_data: { name: `Marquee ${request.planName}` },
                  },
                },
          ],
          ...(request.coupon && { discounts: [{ coupon: request.coupon.code }] }),
          metadata: { subscriptionId: request.subscriptionId },
          subscription_data: {
            metadata: { subscriptionId: request.subscriptionId, planId: request.planId },
            ...(request.trialDays > 0 && { trial_period_days: request.trialDays }),
          },
          success_url: request.successUrl,
          cancel_url: request.cancelUrl,
          // Unpaid sessions lapse before the schedule expires the checkout and frees its coupon.
          expires_at: Math.floor(request.expiresAt.getTime() / 1000),
        },
        // One checkout per Marquee subscription, even if the request is retried.
        { idempotencyKey: `checkout-${request.subscriptionId}` },
      ),
    );
    if (!session.url) throw ProviderFailed('Stripe returned no checkout URL');
    return {
      checkoutUrl: session.url,
      providerSubscriptionId: null,
      clientParams: { sessionId: session.id },
    };
  }

  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): VerifiedEvent {
    const signature = headers['stripe-signature'];
    if (typeof signature !== 'string') throw WebhookSignatureInvalid('No Stripe-Signature header');
    try {
      const event = this.#stripe.webhooks.constructEvent(
        rawBody,
        signature,
        this.#options.webhookSecret,
        this.#options.toleranceSeconds ?? 300,
      );
      return {
        eventId: event.id,
        type: event.type,
        payload: JSON.parse(rawBody.toString('utf8')) as unknown,
      };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
        throw WebhookSignatureInvalid(error.message);
      }
      throw WebhookSignatureInvalid('The body is not a Stripe event');
    }
  }

  parse(payload: unknown): ProviderEvent {
    const event = eventEnvelope.parse(payload);
    const occurredAt = new Date(event.created * 1000);
    const object = event.data.object;
    const base = { eventId: event.id, type: event.type, occurredAt };
    const none = { providerSubscriptionId: null, subscriptionId: null, subscription: null, payment: null };
    switch (object.object) {
      case 'subscription': {
        const subscription = subscriptionOf(subscriptionObject.parse(object), occurredAt);
        return {
          ...base,
          providerSubscriptionId: subscription.providerSubscriptionId,
          subscriptionId: subscription.subscriptionId,
          subscription,
          payment: null,
        };
      }
      case 'invoice': {
        const invoice = invoiceObject.parse(object);
        const details = invoice.parent?.subscription_details;
        const period = invoice.lines?.data[0]?.period;
        const status: ProviderPayment['status'] | null =
          event.type === 'invoice.paid' || event.type === 'invoice.payment_succeeded'
            ? 'paid'
            : event.type === 'invoice.payment_failed'
              ? 'failed'
              : null;
        return {
          ...base,
          providerSubscriptionId: invoice.subscription ?? details?.subscription ?? null,
          subscriptionId: details?.metadata?.subscriptionId ?? null,
          subscription: null,
          payment: status && {
            providerPaymentId: invoice.id,
            status,
            amountMinor: (status === 'paid' ? invoice.amount_paid : invoice.amount_due) ?? 0,
            currency: invoice.currency.toUpperCase(),
            periodStart: fromUnixSeconds(period?.start ?? invoice.period_start),
            periodEnd: fromUnixSeconds(period?.end ?? invoice.period_end),
          },
        };
      }
      case 'charge': {
        const charge = chargeObject.parse(object);
        if (event.type !== 'charge.refunded') return { ...base, ...none };
        return {
          ...base,
          ...none,
          payment: {
            providerPaymentId: charge.invoice ?? charge.id,
            // `charge.refunded` fires for partial refunds too: only a full one ends the payment.
            status: (charge.amount_refunded ?? charge.amount) >= charge.amount ? 'refunded' : 'paid',
            amountMinor: charge.amount,
            currency: charge.currency.toUpperCase(),
            periodStart: null,
            periodEnd: null,
          },
        };
      }
      case 'dispute': {
        const dispute = disputeObject.parse(object);
        return {
          ...base,
          ...none,
          payment: {
            providerPaymentId: typeof dispute.charge === 'string' ? dispute.charge : dispute.charge.id,
            status: 'disputed',
            amountMinor: dispute.amount,
            currency: dispute.currency.toUpperCase(),
            periodStart: null,
            periodEnd: null,
          },
        };
      }
      case 'checkout.session': {
        const session = checkoutSessionObject.parse(object);
        return {
          ...base,
          ...none,
          providerSubscriptionId: session.subscription ?? null,
          subscriptionId: session.metadata?.subscriptionId ?? session.client_reference_id ?? null,
        };
      }
      default:
        return { ...base, ...none };
    }
  }

  async fetch(providerSubscriptionId: string): Promise<ProviderSubscription | undefined> {
    const object = await this.#call(() => this.#stripe.subscriptions.retrieve(providerSubscriptionId));
    // The object is the provider's state now: newer than any event already applied.
    return subscriptionOf(subscriptionObject.parse(object), this.#options.clock.now());
  }

  async cancel(providerSubscriptionId: string, options: { atPeriodEnd: boolean }): Promise<void> {
    await this.#call(() =>
      options.atPeriodEnd
        ? this.#stripe.subscriptions.update(providerSubscriptionId, { cancel_at_period_end: true })
        : this.#stripe.subscriptions.cancel(providerSubscriptionId),
    );
  }

  async resume(providerSubscriptionId: string): Promise<void> {
    await this.#call(() =>
      this.#stripe.subscriptions.update(providerSubscriptionId, { cancel_at_period_end: false }),
    );
  }

  /**
   * Swaps the subscription's one item to the new price. An upgrade uses `always_invoice`: the
   * prorated difference is invoiced and collected now (its `invoice.paid` event records it); a
   * downgrade uses `none`: the new price bills from the next period and no credit is made
   * (https://docs.stripe.com/billing/subscriptions/change-price).
   */
  async changePlan(change: PlanChangeRequest): Promise<{ prorationMinor: number | null }> {
    const current = stripeItems.parse(
      await this.#call(() => this.#stripe.subscriptions.retrieve(change.providerSubscriptionId)),
    );
    const item = current.items.data[0];
    if (!item) throw ProviderFailed('Stripe: the subscription has no item to change');
    const product = typeof item.price.product === 'string' ? item.price.product : item.price.product.id;
    await this.#call(() =>
      this.#stripe.subscriptions.update(change.providerSubscriptionId, {
        items: [
          change.providerPriceId
            ? { id: item.id, price: change.providerPriceId }
            : {
                id: item.id,
                price_data: {
                  currency: change.currency.toLowerCase(),
                  product,
                  unit_amount: change.amountMinor,
                  recurring: { interval: change.interval },
                },
              },
        ],
        proration_behavior: change.effective === 'now' ? 'always_invoice' : 'none',
        metadata: { planId: change.planId },
      }),
    );
    return { prorationMinor: null };
  }

  /** Refunds the charge behind an invoice (or a charge id, as disputes carry). */
  async refund(payment: { providerPaymentId: string; amountMinor: number | null }): Promise<void> {
    const amount = payment.amountMinor === null ? {} : { amount: payment.amountMinor };
    if (payment.providerPaymentId.startsWith('ch_')) {
      await this.#call(() => this.#stripe.refunds.create({ charge: payment.providerPaymentId, ...amount }));
      return;
    }
    const invoice = invoicePayment.parse(
      await this.#call(() =>
        this.#stripe.invoices.retrieve(payment.providerPaymentId, { expand: ['payments'] }),
      ),
    );
    // Since API 2025-03-31 an invoice lists its payments; before, it named one payment intent.
    const intent = invoice.payment_intent ?? invoice.payments?.data[0]?.payment?.payment_intent;
    const paymentIntent = typeof intent === 'string' ? intent : intent?.id;
    if (!paymentIntent) throw ProviderFailed('Stripe: the invoice has no payment to refund');
    await this.#call(() => this.#stripe.refunds.create({ payment_intent: paymentIntent, ...amount }));
  }

  /** Stripe keeps its own coupons: Checkout applies them by id, which is Marquee's code. */
  async mirrorCoupon(coupon: MirroredCoupon): Promise<void> {
    try {
      await this.#stripe.coupons.create({
        id: coupon.code,
        name: coupon.name,
        ...(coupon.percentOff !== null
          ? { percent_off: coupon.percentOff }
          : { amount_off: coupon.amountOffMinor ?? 0, currency: (coupon.currency ?? 'usd').toLowerCase() }),
        duration: coupon.duration,
        ...(coupon.durationMonths !== null && { duration_in_months: coupon.durationMonths }),
        ...(coupon.maxRedemptions !== null && { max_redemptions: coupon.maxRedemptions }),
        ...(coupon.validUntil && { redeem_by: Math.floor(coupon.validUntil.getTime() / 1000) }),
      });
    } catch (error) {
      // A retry after a failure further on: the coupon is there already.
      if (error instanceof Stripe.errors.StripeError && error.code === 'resource_already_exists') return;
      if (error instanceof Stripe.errors.StripeError) throw ProviderFailed(`Stripe: ${error.message}`);
      throw error;
    }
  }

  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError) throw ProviderFailed(`Stripe: ${error.message}`);
      throw error;
    }
  }
}
