import type { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Executor, Transactor } from '../../platform/db/transactor.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import type { CouponRow, CouponsRepository } from './coupons.repository.ts';
import type { PaymentProviders } from './providers/provider-registry.ts';
import { CouponExhausted, CouponExists, CouponInvalid, CouponNotFound } from './subscriptions.errors.ts';
import type { couponCreate, couponPatch, couponSchema } from './subscriptions.schemas.ts';

export type Coupon = z.output<typeof couponSchema>;

export const toCoupon = (row: CouponRow): Coupon => ({
  id: row.id,
  code: row.code,
  name: row.name,
  percentOff: row.percentOff,
  amountOffMinor: row.amountOffMinor,
  currency: row.currency,
  duration: row.duration as Coupon['duration'],
  durationMonths: row.durationMonths,
  validFrom: row.validFrom,
  validUntil: row.validUntil,
  maxRedemptions: row.maxRedemptions,
  perUserLimit: row.perUserLimit,
  redemptionCount: row.redemptionCount,
  firstSubscriptionOnly: row.firstSubscriptionOnly,
  planIds: row.planIds,
  active: row.active,
});

export interface Redemption {
  userId: string;
  planId: string;
  currency: string;
  /** Whether the account has had a paid subscription before (first-subscription-only offers). */
  subscribedBefore: boolean;
  subscriptionId: string;
}

/** Coupons and promotions: what is on offer, admin changes (audited), and atomic redemption. */
export class OffersService {
  readonly #coupons: CouponsRepository;
  readonly #transactor: Transactor;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #providers: PaymentProviders;

  constructor(deps: {
    coupons: CouponsRepository;
    transactor: Transactor;
    audit: AuditLog;
    clock: Clock;
    providers: PaymentProviders;
  }) {
    this.#providers = deps.providers;
    this.#coupons = deps.coupons;
    this.#transactor = deps.transactor;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
  }

  async current(): Promise<Coupon[]> {
    return (await this.#coupons.current(this.#clock.now())).map(toCoupon);
  }

  async list(): Promise<Coupon[]> {
    return (await this.#coupons.list()).map(toCoupon);
  }

  async find(id: string): Promise<CouponRow | undefined> {
    return this.#coupons.find(id);
  }

  async create(context: RequestContext, input: z.output<typeof couponCreate>): Promise<Coupon> {
    return this.#transactor.run(async (trx) => {
      const row = await this.#coupons.insert(
        {
          code: input.code,
          name: input.name,
          percentOff: input.percentOff ?? null,
          amountOffMinor: input.amountOffMinor ?? null,
          currency: input.currency ?? null,
          duration: input.duration,
          durationMonths: input.durationMonths ?? null,
          validFrom: input.validFrom ?? null,
          validUntil: input.validUntil ?? null,
          maxRedemptions: input.maxRedemptions ?? null,
          perUserLimit: input.perUserLimit,
          firstSubscriptionOnly: input.firstSubscriptionOnly,
          planIds: input.planIds ?? null,
          active: input.active,
        },
        trx,
      );
      if (!row) throw CouponExists(`A coupon ${input.code} exists`);
      // Mirrored where the provider keeps coupons (Stripe applies them by id at checkout); a
      // provider's refusal rolls the coupon back, so the two never disagree about what exists.
      for (const provider of this.#providers.all()) {
        await provider.mirrorCoupon?.({
          code: row.code,
          name: row.name,
          percentOff: row.percentOff,
          amountOffMinor: row.amountOffMinor,
          currency: row.currency,
          duration: row.duration as Coupon['duration'],
          durationMonths: row.durationMonths,
          maxRedemptions: row.maxRedemptions,
          validUntil: row.validUntil,
        });
      }
      await this.#audit.record(trx, context, {
        action: 'coupon.created',
        targetType: 'coupon',
        targetId: row.id,
        after: toCoupon(row),
      });
      return toCoupon(row);
    });
  }

  async update(context: RequestContext, id: string, patch: z.output<typeof couponPatch>): Promise<Coupon> {
    return this.#transactor.run(async (trx) => {
      const before = await this.#coupons.find(id, trx);
      if (!before) throw CouponNotFound();
      if (patch.maxRedemptions != null && patch.maxRedemptions < before.redemptionCount) {
        throw CouponInvalid(`${before.redemptionCount} redemptions are already taken`);
      }
      const row = await this.#coupons.update(id, { ...patch, updatedAt: this.#clock.now() }, trx);
      if (!row) throw CouponNotFound();
      await this.#audit.record(trx, context, {
        action: 'coupon.updated',
        targetType: 'coupon',
        targetId: id,
        before: toCoupon(before),
        after: toCoupon(row),
      });
      return toCoupon(row);
    });
  }

  async delete(context: RequestContext, id: string): Promise<void> {
    await this.#transactor.run(async (trx) => {
      const before = await this.#coupons.find(id, trx);
      if (!before) throw CouponNotFound();
      // Redeemed coupons stay (subscriptions point at them); they are retired instead.
      if (before.redemptionCount > 0) await this.#coupons.update(id, { active: false }, trx);
      else await this.#coupons.delete(id, trx);
      await this.#audit.record(trx, context, {
        action: 'coupon.deleted',
        targetType: 'coupon',
        targetId: id,
        before: toCoupon(before),
      });
    });
  }

  /** Checks what can be checked before a transaction: the coupon exists and applies to this purchase. */
  async check(code: string, redemption: Omit<Redemption, 'subscriptionId'>): Promise<CouponRow> {
    const coupon = await this.#coupons.findByCode(code.toUpperCase());
    if (!coupon?.active) throw CouponInvalid(`No coupon ${code}`);
    const now = this.#clock.now();
    if ((coupon.validFrom && coupon.validFrom > now) || (coupon.validUntil && coupon.validUntil <= now)) {
      throw CouponInvalid(`Coupon ${coupon.code} is not valid now`);
    }
    if (coupon.planIds && !coupon.planIds.includes(redemption.planId)) {
      throw CouponInvalid(`Coupon ${coupon.code} is for ${coupon.planIds.join(', ')}`);
    }
    if (coupon.currency && coupon.currency !== redemption.currency) {
      throw CouponInvalid(`Coupon ${coupon.code} is for prices in ${coupon.currency}`);
    }
    if (coupon.firstSubscriptionOnly && redemption.subscribedBefore) {
      throw CouponInvalid(`Coupon ${coupon.code} is for a first subscription`);
    }
    if (coupon.maxRedemptions !== null && coupon.redemptionCount >= coupon.maxRedemptions) {
      throw CouponExhausted(`Coupon ${coupon.code} has been used up`);
    }
    return coupon;
  }

  /**
   * Redeems inside the caller's transaction. The total limit is one conditional UPDATE (never
   * more than the limit, however many arrive at once); that UPDATE's row lock serialises the
   * per-user count that follows.
   */
  async redeem(trx: Executor, coupon: CouponRow, redemption: Redemption): Promise<void> {
    if (!(await this.#coupons.take(coupon.id, trx))) {
      throw CouponExhausted(`Coupon ${coupon.code} has been used up`);
    }
    if ((await this.#coupons.redemptionsBy(coupon.id, redemption.userId, trx)) >= coupon.perUserLimit) {
      throw CouponInvalid(`You have already used coupon ${coupon.code}`);
    }
    await this.#coupons.recordRedemption(
      {
        couponId: coupon.id,
        userId: redemption.userId,
        subscriptionId: redemption.subscriptionId,
        redeemedAt: this.#clock.now(),
      },
      trx,
    );
  }

  /** Gives a redemption back when its checkout was never paid. */
  async release(trx: Executor, redemption: { couponId: string; subscriptionId: string }): Promise<void> {
    await this.#coupons.release(redemption, trx);
  }
}
