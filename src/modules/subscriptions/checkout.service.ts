import type { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { OffersService } from './offers.service.ts';
import type { PlansRepository } from './plans.repository.ts';
import type { PaymentProviders } from './providers/provider-registry.ts';
import { discounted } from './subscription-states.ts';
import { AlreadySubscribed, PlanNotFound, PriceNotOffered } from './subscriptions.errors.ts';
import type { SubscriptionsRepository } from './subscriptions.repository.ts';
import type { checkoutSchema, subscribeBody } from './subscriptions.schemas.ts';

/**
 * How long a checkout may stay unpaid. Stripe's Checkout Sessions live at most 24 hours; the
 * providers are told 23, so nobody pays for a checkout the schedule has already expired.
 */
export const CHECKOUT_LIFETIME_MS = 24 * 3_600_000;
const PROVIDER_CHECKOUT_LIFETIME_MS = 23 * 3_600_000;

export interface CheckoutServiceDeps {
  subscriptions: SubscriptionsRepository;
  plans: PlansRepository;
  offers: OffersService;
  providers: PaymentProviders;
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
  defaultCurrency: string;
  publicUrl: string;
  /** After a commit that changed an account's subscriptions (the status cache). */
  onChanged: (userId: string) => Promise<void>;
}

type Checkout = z.output<typeof checkoutSchema>;

/**
 * Checkout: a subscription born `incomplete` (with its coupon redeemed in the same transaction),
 * handed to the provider to pay; and the schedule's end of checkouts never paid, which gives
 * their coupon redemptions back.
 */
export class CheckoutService {
  readonly #d: CheckoutServiceDeps;

  constructor(deps: CheckoutServiceDeps) {
    this.#d = deps;
  }

  async subscribe(
    user: { userId: string; email: string | null },
    input: z.output<typeof subscribeBody>,
  ): Promise<Checkout> {
    const provider = this.#d.providers.get(input.provider);
    const plan = await this.#d.plans.find(input.planId);
    if (!plan?.active) throw PlanNotFound(`No plan "${input.planId}"`);
    const currency = input.currency ?? this.#d.defaultCurrency;
    const price = await this.#d.plans.findPrice({ planId: plan.id, currency, interval: input.interval });
    if (!price || price.amountMinor === 0) {
      throw PriceNotOffered(`${plan.name} has no ${input.interval}ly price in ${currency}`);
    }
    const live = await this.#d.subscriptions.live(user.userId);
    if (live && live.provider !== 'complimentary') {
      throw AlreadySubscribed('Change the plan of your subscription instead', { subscriptionId: live.id });
    }
    const coupon =
      input.couponCode === undefined
        ? undefined
        : await this.#d.offers.check(input.couponCode, {
            userId: user.userId,
            planId: plan.id,
            currency,
            subscribedBefore: await this.#d.subscriptions.hadSubscription(user.userId),
          });
    const now = this.#d.clock.now();
    // The row (and the coupon's redemption) first: the provider's events find it by its id.
    const subscription = await this.#d.transactor.run(async (trx) => {
      const row = await this.#d.subscriptions.insert(
        {
          userId: user.userId,
          planId: plan.id,
          priceId: price.id,
          provider: provider.name,
          status: 'incomplete',
          billingInterval: input.interval,
          currency,
          amountMinor: price.amountMinor,
          couponId: coupon?.id ?? null,
          createdAt: now,
          updatedAt: now,
        },
        trx,
      );
      if (coupon) {
        await this.#d.offers.redeem(trx, coupon, {
          userId: user.userId,
          planId: plan.id,
          currency,
          subscribedBefore: false,
          subscriptionId: row.id,
        });
      }
      return row;
    });
    await this.#d.onChanged(user.userId);
    const started = await provider.startCheckout({
      subscriptionId: subscription.id,
      userId: user.userId,
      email: user.email,
      planId: plan.id,
      planName: plan.name,
      interval: input.interval,
      currency,
      amountMinor: price.amountMinor,
      trialDays: plan.trialDays,
      providerPriceId: provider.name === 'stripe' ? price.stripePriceId : price.razorpayPlanId,
      coupon: coupon
        ? { code: coupon.code, percentOff: coupon.percentOff, amountOffMinor: coupon.amountOffMinor }
        : null,
      successUrl: `${this.#d.publicUrl}/account/subscription?checkout=success`,
      cancelUrl: `${this.#d.publicUrl}/account/subscription?checkout=cancel`,
      expiresAt: new Date(now.getTime() + PROVIDER_CHECKOUT_LIFETIME_MS),
    });
    if (started.providerSubscriptionId) {
      await this.#d.subscriptions.update(subscription.id, {
        providerSubscriptionId: started.providerSubscriptionId,
      });
    }
    return {
      subscriptionId: subscription.id,
      provider: provider.name,
      sandbox: provider.sandbox,
      checkoutUrl: started.checkoutUrl,
      clientParams: started.clientParams,
      amountMinor: discounted(price.amountMinor, coupon),
      currency,
    };
  }

  /**
   * The schedule: checkouts unpaid for CHECKOUT_LIFETIME_MS end `expired` and give their coupon
   * redemption back (one transaction each; a row paid meanwhile is left alone). Idempotent.
   */
  async expireAbandoned(signal?: AbortSignal): Promise<number> {
    let expired = 0;
    for (;;) {
      const now = this.#d.clock.now();
      const cutoff = new Date(now.getTime() - CHECKOUT_LIFETIME_MS);
      const stale = await this.#d.subscriptions.abandoned(cutoff, 100);
      if (stale.length === 0 || signal?.aborted) break;
      for (const { id } of stale) {
        const userId = await this.#d.transactor.run(async (trx) => {
          const row = await this.#d.subscriptions.lock(id, trx);
          if (row?.status !== 'incomplete') return null;
          await this.#d.subscriptions.update(id, { status: 'expired', endedAt: now, updatedAt: now }, trx);
          if (row.couponId) await this.#d.offers.release(trx, { couponId: row.couponId, subscriptionId: id });
          expired++;
          return row.userId;
        });
        if (userId) await this.#d.onChanged(userId);
      }
    }
    if (expired > 0) this.#d.logger.info({ expired }, 'abandoned checkouts expired');
    return expired;
  }
}
