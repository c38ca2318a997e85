import type { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Executor, Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import type { OffersService } from './offers.service.ts';
import type { PlanRow, PlansRepository } from './plans.repository.ts';
import type { PaymentProvider } from './providers/payment-provider.ts';
import type { PaymentProviders } from './providers/provider-registry.ts';
import {
  addInterval,
  effectivePlan,
  FREE_PLAN,
  isEntitling,
  type SubscriptionStatus,
} from './subscription-states.ts';
import {
  NoSubscription,
  PlanNotFound,
  PriceNotOffered,
  SubscriptionStateConflict,
} from './subscriptions.errors.ts';
import type { StatusCache } from './status-cache.ts';
import {
  lifecycleEvents,
  type PublishSubscriptionEvent,
  type SubscriptionEvent,
} from './subscription.events.ts';
import type { SubscriptionRow, SubscriptionsRepository } from './subscriptions.repository.ts';
import type { paymentSchema, subscriptionStatusSchema } from './subscriptions.schemas.ts';

/** Identity's one write for us: the account's plan, inside our transaction. */
export type SetAccountPlan = (
  executor: Executor,
  change: { userId: string; planId: string },
) => Promise<void>;

export interface SubscriptionsServiceDeps {
  subscriptions: SubscriptionsRepository;
  plans: PlansRepository;
  offers: OffersService;
  providers: PaymentProviders;
  transactor: Transactor;
  clock: Clock;
  audit: AuditLog;
  logger: Logger;
  setAccountPlan: SetAccountPlan;
  /** Called after a commit that changed an account's subscription or plan (caches, live streams). */
  onPlanChanged: (userId: string) => Promise<void>;
  /** Tells listeners (analytics) what the committed changes were. */
  publish: PublishSubscriptionEvent;
  /** The status answers' cache (absent for the CLI's grants: answers there expire within a minute). */
  statusCache?: StatusCache;
}
type Status = z.output<typeof subscriptionStatusSchema>;
type Payment = z.output<typeof paymentSchema>;

/**
 * Subscriptions: the customer's view and changes, and the one place an account's plan is
 * written (always in the same transaction as the subscription change that causes it).
 */
export class SubscriptionsService {
  readonly #d: SubscriptionsServiceDeps;

  constructor(deps: SubscriptionsServiceDeps) {
    this.#d = deps;
  }

  has(name: string): boolean {
    return this.#d.providers.has(name);
  }

  provider(name: string): PaymentProvider {
    return this.#d.providers.get(name);
  }

  /** The status, from the shared cache when an unchanged answer is there (dates revived). */
  async status(userId: string, planIdOf: () => Promise<string>): Promise<Status> {
    const cache = this.#d.statusCache;
    if (!cache) return this.#status(userId, planIdOf);
    const answer = await cache.read(userId, () => this.#status(userId, planIdOf));
    const date = (value: Date | string | null) => (value === null ? null : new Date(value));
    return { ...answer, currentPeriodEnd: date(answer.currentPeriodEnd), trialEnd: date(answer.trialEnd) };
  }

  /**
   * The status as the cache holds it (dates as ISO strings, frozen and shared until it changes),
   * for the route to serialise once per cached answer; computed afresh without a cache.
   */
  /**
   * The tier of the account's plan, from the cached status (other features filter titles by it on
   * hot paths: a cache read, not two queries).
   */
  async planTierOf(userId: string, planIdOf: () => Promise<string>): Promise<number> {
    const status = (this.peekStatus(userId) ?? (await this.statusSnapshot(userId, planIdOf))) as Pick<
      Status,
      'entitlements'
    >;
    return status.entitlements.tier;
  }

  peekStatus(userId: string): object | undefined {
    return this.#d.statusCache?.peek(userId);
  }

  async statusSnapshot(userId: string, planIdOf: () => Promise<string>): Promise<object> {
    const cache = this.#d.statusCache;
    if (!cache) return this.#status(userId, planIdOf);
    return cache.read(userId, () => this.#status(userId, planIdOf));
  }

  async #status(userId: string, planIdOf: () => Promise<string>): Promise<Status> {
    // The plan first: it is written in the same transaction as the subscription, so a subscription
    // read afterwards is at least as new as the plan.
    const planId = await planIdOf();
    const subscription =
      (await this.#d.subscriptions.live(userId)) ?? (await this.#d.subscriptions.latest(userId));
    const plan = (await this.#d.plans.find(planId)) ?? (await this.#d.plans.find(FREE_PLAN));
    if (!plan) throw PlanNotFound(`No plan "${planId}"`);
    const coupon = subscription?.couponId ? await this.#d.offers.find(subscription.couponId) : undefined;
    return {
      planId: plan.id,
      state: subscription ? (subscription.status as SubscriptionStatus) : 'none',
      subscriptionId: subscription?.id ?? null,
      provider: subscription?.provider ?? null,
      sandbox: subscription?.provider === 'sandbox',
      interval: (subscription?.billingInterval as 'month' | 'year' | null | undefined) ?? null,
      currentPeriodEnd: subscription?.currentPeriodEnd ?? null,
      cancelAtPeriodEnd: subscription?.cancelAtPeriodEnd ?? false,
      trialEnd: subscription?.trialEnd ?? null,
      pendingPlanId: subscription?.pendingPlanId ?? null,
      offer: coupon ? { code: coupon.code, name: coupon.name } : null,
      entitlements: entitlementsOf(plan),
    };
  }

  async payments(userId: string): Promise<Payment[]> {
    const rows = await this.#d.subscriptions.payments(userId, 100);
    return rows.map((row) => ({
      id: row.id,
      provider: row.provider,
      status: row.status as Payment['status'],
      amountMinor: row.amountMinor,
      currency: row.currency,
      periodStart: row.periodStart,
      periodEnd: row.periodEnd,
      createdAt: row.createdAt,
    }));
  }

  async #liveOf(userId: string): Promise<SubscriptionRow> {
    const live = await this.#d.subscriptions.live(userId);
    if (!live) throw NoSubscription('This account has no running subscription');
    return live;
  }

  /**
   * Cancels: at the period end (entitlements run to it; the provider, or the schedule for the
   * sandbox, ends it then) or now (entitlements stop at once).
   */
  async cancel(context: RequestContext, userId: string, options: { atPeriodEnd: boolean }): Promise<void> {
    const live = await this.#liveOf(userId);
    if (live.providerSubscriptionId && live.provider !== 'complimentary') {
      await this.provider(live.provider).cancel(live.providerSubscriptionId, options);
    }
    const now = this.#d.clock.now();
    const events: SubscriptionEvent[] = [];
    await this.#inTransaction(live.id, async (trx, row) => {
      if (!isEntitling(row.status as SubscriptionStatus)) throw SubscriptionStateConflict('Already ended');
      const patch = options.atPeriodEnd
        ? { cancelAtPeriodEnd: true, updatedAt: now }
        : { status: 'canceled', canceledAt: now, endedAt: now, updatedAt: now };
      await this.#d.subscriptions.update(row.id, patch, trx);
      events.push(...lifecycleEvents({ before: row, after: { ...row, ...patch }, at: now }));
      await this.#d.audit.record(trx, context, {
        action: options.atPeriodEnd ? 'subscription.cancel_scheduled' : 'subscription.canceled',
        targetType: 'subscription',
        targetId: row.id,
        before: { status: row.status, cancelAtPeriodEnd: row.cancelAtPeriodEnd },
      });
    });
    for (const event of events) await this.#d.publish(event);
  }

  /** Undoes a cancellation scheduled for the period end. */
  async resume(context: RequestContext, userId: string): Promise<void> {
    const live = await this.#liveOf(userId);
    if (!live.cancelAtPeriodEnd) throw SubscriptionStateConflict('The subscription is not set to end');
    if (live.providerSubscriptionId && live.provider !== 'complimentary') {
      await this.provider(live.provider).resume(live.providerSubscriptionId);
    }
    await this.#inTransaction(live.id, async (trx, row) => {
      await this.#d.subscriptions.update(
        row.id,
        { cancelAtPeriodEnd: false, updatedAt: this.#d.clock.now() },
        trx,
      );
      await this.#d.audit.record(trx, context, {
        action: 'subscription.resumed',
        targetType: 'subscription',
        targetId: row.id,
      });
    });
  }

  /**
   * Changes plan. An upgrade (higher tier) applies now and is charged the prorated difference for
   * the rest of the period — settled at once by the sandbox (recorded as a payment), invoiced by
   * Stripe (`always_invoice`) or Razorpay (`now`), whose invoice events record it. A downgrade
   * waits for the period end: the customer keeps what they paid for, and the provider bills the
   * new price from the next period.
   */
  async changePlan(context: RequestContext, userId: string, planId: string): Promise<'now' | 'period_end'> {
    const live = await this.#liveOf(userId);
    const [current, next] = await Promise.all([this.#d.plans.find(live.planId), this.#d.plans.find(planId)]);
    if (!next?.active) throw PlanNotFound(`No plan "${planId}"`);
    if (!current || next.id === current.id) throw SubscriptionStateConflict(`Already on ${next.name}`);
    const interval = live.billingInterval as 'month' | 'year' | null;
    const price =
      interval && live.currency
        ? await this.#d.plans.findPrice({ planId: next.id, currency: live.currency, interval })
        : undefined;
    if (live.provider !== 'complimentary' && (!price || !interval || !live.currency)) {
      throw PriceNotOffered(`${next.name} has no ${live.billingInterval}ly price in ${live.currency}`);
    }
    // A subscription set to end has no next period to move a plan into.
    if (live.cancelAtPeriodEnd) throw SubscriptionStateConflict('Resume the subscription first');
    const upgrade = next.tier > current.tier;
    const effective = upgrade ? 'now' : 'period_end';
    let prorationMinor: number | null = null;
    if (
      price &&
      interval &&
      live.currency &&
      live.providerSubscriptionId &&
      live.provider !== 'complimentary'
    ) {
      const provider = this.provider(live.provider);
      ({ prorationMinor } = await provider.changePlan({
        providerSubscriptionId: live.providerSubscriptionId,
        planId: next.id,
        planName: next.name,
        interval,
        currency: live.currency,
        amountMinor: price.amountMinor,
        providerPriceId: provider.name === 'stripe' ? price.stripePriceId : price.razorpayPlanId,
        effective,
        current: {
          amountMinor: live.status === 'trialing' ? price.amountMinor : (live.amountMinor ?? 0),
          periodStart: live.currentPeriodStart,
          periodEnd: live.currentPeriodEnd,
        },
      }));
    }
    const now = this.#d.clock.now();
    const events: SubscriptionEvent[] = [];
    await this.#inTransaction(live.id, async (trx, row) => {
      const patch = upgrade
        ? {
            planId: next.id,
            priceId: price?.id ?? null,
            amountMinor: price?.amountMinor ?? null,
            pendingPlanId: null,
            updatedAt: now,
          }
        : { pendingPlanId: next.id, updatedAt: now };
      await this.#d.subscriptions.update(row.id, patch, trx);
      events.push(...lifecycleEvents({ before: row, after: { ...row, ...patch }, at: now }));
      if (prorationMinor && row.currency) {
        await this.#d.subscriptions.upsertPayment(
          {
            subscriptionId: row.id,
            userId: row.userId,
            provider: row.provider,
            providerPaymentId: `${row.provider}_proration_${row.id}_${now.toISOString()}`,
            status: 'paid',
            amountMinor: prorationMinor,
            currency: row.currency,
            periodStart: now,
            periodEnd: row.currentPeriodEnd,
            createdAt: now,
            updatedAt: now,
          },
          trx,
        );
      }
      await this.#d.audit.record(trx, context, {
        action: upgrade ? 'subscription.upgraded' : 'subscription.downgrade_scheduled',
        targetType: 'subscription',
        targetId: row.id,
        before: { plan: row.planId },
        after: { plan: next.id, prorationMinor },
      });
    });
    for (const event of events) await this.#d.publish(event);
    return effective;
  }

  /**
   * An audited complimentary plan (support, press, the `set-plan` CLI): ends any other running
   * subscription's entitlement and puts the account on the plan until `until` (or indefinitely).
   */
  async grantComplimentary(
    context: RequestContext,
    grant: { userId: string; planId: string; until: Date | null },
  ): Promise<void> {
    const plan = await this.#d.plans.find(grant.planId);
    if (!plan) throw PlanNotFound(`No plan "${grant.planId}"`);
    const now = this.#d.clock.now();
    await this.#d.transactor.run(async (trx) => {
      const live = await this.#d.subscriptions.live(grant.userId, trx);
      if (live) {
        await this.#d.subscriptions.lock(live.id, trx);
        await this.#d.subscriptions.update(
          live.id,
          { status: 'canceled', canceledAt: now, endedAt: now, updatedAt: now },
          trx,
        );
      }
      if (grant.planId !== FREE_PLAN) {
        await this.#d.subscriptions.insert(
          {
            userId: grant.userId,
            planId: plan.id,
            provider: 'complimentary',
            status: 'active',
            currentPeriodStart: now,
            currentPeriodEnd: grant.until,
            createdAt: now,
            updatedAt: now,
          },
          trx,
        );
      }
      await this.syncPlan(trx, grant.userId);
      await this.#d.audit.record(trx, context, {
        action: 'subscription.complimentary_granted',
        targetType: 'user',
        targetId: grant.userId,
        before: { plan: live?.planId ?? FREE_PLAN, subscriptionId: live?.id ?? null },
        after: { plan: plan.id, until: grant.until?.toISOString() ?? null },
      });
    });
    await this.#d.onPlanChanged(grant.userId);
  }

  /** Writes the account's plan from its entitling subscription, in the caller's transaction. */
  async syncPlan(trx: Executor, userId: string): Promise<string> {
    const planId = effectivePlan(
      await this.#d.subscriptions
        .live(userId, trx)
        .then((row) => row && { status: row.status as SubscriptionStatus, planId: row.planId }),
    );
    await this.#d.setAccountPlan(trx, { userId, planId });
    return planId;
  }

  async #inTransaction(
    subscriptionId: string,
    work: (trx: Executor, row: SubscriptionRow) => Promise<void>,
  ): Promise<void> {
    await this.#d.transactor.run(async (trx) => {
      const row = await this.#d.subscriptions.lock(subscriptionId, trx);
      if (!row) throw NoSubscription();
      await work(trx, row);
      await this.syncPlan(trx, row.userId);
    });
    const row = await this.#d.subscriptions.find(subscriptionId);
    if (row) await this.#d.onPlanChanged(row.userId);
  }

  /** The period after `from` for a subscription's interval. */
  static nextPeriodEnd(from: Date, interval: string | null): Date {
    return addInterval(from, interval === 'year' ? 'year' : 'month');
  }
}

export const entitlementsOf = (plan: PlanRow) => ({
  planId: plan.id,
  planName: plan.name,
  tier: plan.tier,
  hasAds: plan.hasAds,
  maxHeight: plan.maxHeight,
  maxStreams: plan.maxStreams,
  maxDevices: plan.maxDevices,
  maxDownloads: plan.maxDownloads,
  maxDownloadDevices: plan.maxDownloadDevices,
});
