import type { PublishSubscriptionEvent, SubscriptionEvent } from './subscription.events.ts';
import type { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import type { PaymentProviders } from './providers/provider-registry.ts';
import type { SubscriptionStatus } from './subscription-states.ts';
import type { SubscriptionSearch, SubscriptionsAdminRepository } from './subscriptions-admin.repository.ts';
import type {
  accountSubscriptionsSchema,
  adminPaymentSchema,
  adminSubscriptionSchema,
  metricsSchema,
} from './subscriptions-admin.schemas.ts';
import { PaymentNotFound, RefundNotAllowed, RefundTooLarge } from './subscriptions.errors.ts';
import type { PaymentRow, SubscriptionRow, SubscriptionsRepository } from './subscriptions.repository.ts';
import type { SubscriptionsService } from './subscriptions.service.ts';

type AdminSubscription = z.output<typeof adminSubscriptionSchema>;
type AdminPayment = z.output<typeof adminPaymentSchema>;
type Metrics = z.output<typeof metricsSchema>;

const CHURN_WINDOW_DAYS = 30;

export const toAdminSubscription = (row: SubscriptionRow): AdminSubscription => ({
  id: row.id,
  userId: row.userId,
  planId: row.planId,
  pendingPlanId: row.pendingPlanId,
  provider: row.provider,
  sandbox: row.provider === 'sandbox',
  providerSubscriptionId: row.providerSubscriptionId,
  providerCustomerId: row.providerCustomerId,
  status: row.status as SubscriptionStatus,
  interval: row.billingInterval as AdminSubscription['interval'],
  currency: row.currency,
  amountMinor: row.amountMinor,
  currentPeriodEnd: row.currentPeriodEnd,
  cancelAtPeriodEnd: row.cancelAtPeriodEnd,
  trialEnd: row.trialEnd,
  graceUntil: row.graceUntil,
  couponId: row.couponId,
  createdAt: row.createdAt,
  endedAt: row.endedAt,
});

const toAdminPayment = (row: PaymentRow): AdminPayment => ({
  id: row.id,
  subscriptionId: row.subscriptionId,
  provider: row.provider,
  providerPaymentId: row.providerPaymentId,
  status: row.status as AdminPayment['status'],
  amountMinor: row.amountMinor,
  refundedMinor: row.refundedMinor,
  currency: row.currency,
  periodStart: row.periodStart,
  periodEnd: row.periodEnd,
  createdAt: row.createdAt,
});

export interface SubscriptionsAdminDeps {
  admin: SubscriptionsAdminRepository;
  subscriptionsRepository: SubscriptionsRepository;
  subscriptions: SubscriptionsService;
  providers: PaymentProviders;
  transactor: Transactor;
  audit: AuditLog;
  clock: Clock;
  /** Identity's lookup of an account by address. */
  accountIdByEmail: (email: string) => Promise<string | undefined>;
  /** Tells listeners (analytics) of a refund, after the commit. */
  publish: PublishSubscriptionEvent;
}

/**
 * Support and analytics (`subscriptions:read`, `subscriptions:refund`): search, an account's
 * subscriptions with their payments and provider events, refunds through the provider,
 * complimentary grants, and the figures analytics reads (MRR, subscribers by plan, churn).
 */
export class SubscriptionsAdminService {
  readonly #d: SubscriptionsAdminDeps;

  constructor(deps: SubscriptionsAdminDeps) {
    this.#d = deps;
  }

  async search(query: SubscriptionSearch & { email?: string | undefined }) {
    const { email, ...rest } = query;
    if (email === undefined) return this.#d.admin.search(rest, toAdminSubscription);
    const userId = await this.#d.accountIdByEmail(email);
    // An unknown address (or one that names another account than userId) matches nothing.
    if (!userId || (rest.userId && rest.userId !== userId)) return { items: [], nextCursor: null };
    return this.#d.admin.search({ ...rest, userId }, toAdminSubscription);
  }

  async account(userId: string): Promise<z.output<typeof accountSubscriptionsSchema>> {
    const subscriptions = await this.#d.admin.subscriptionsOf(userId);
    const [payments, events] = await Promise.all([
      this.#d.subscriptionsRepository.payments(userId, 200),
      this.#d.admin.eventsOf(subscriptions.map((row) => row.id)),
    ]);
    return {
      subscriptions: subscriptions.map(toAdminSubscription),
      payments: payments.map(toAdminPayment),
      events,
    };
  }

  /**
   * Refunds a payment through its provider, all of what is left or part of it, audited. The
   * payment's row is locked across the provider's call, so two refunds at once cannot exceed it;
   * a provider's refusal changes nothing here. The provider's refund event later confirms it.
   */
  async refund(
    context: RequestContext,
    paymentId: string,
    input: { amountMinor?: number | undefined; reason?: string | undefined },
  ): Promise<AdminPayment> {
    const now = this.#d.clock.now();
    let refundedEvent: SubscriptionEvent | undefined;
    const refunded = await this.#d.transactor.run(async (trx) => {
      const payment = await this.#d.admin.lockPayment(paymentId, trx);
      if (!payment) throw PaymentNotFound();
      const left = payment.amountMinor - payment.refundedMinor;
      if (payment.status !== 'paid' || left <= 0) throw RefundNotAllowed(`The payment is ${payment.status}`);
      const amount = input.amountMinor ?? left;
      if (amount > left) throw RefundTooLarge(`At most ${left} (minor units) is left to refund`, { left });
      await this.#d.providers.get(payment.provider).refund({
        providerPaymentId: payment.providerPaymentId,
        amountMinor: input.amountMinor === undefined ? null : amount,
      });
      const refundedMinor = payment.refundedMinor + amount;
      const row = await this.#d.admin.refunded(
        {
          id: payment.id,
          refundedMinor,
          status: refundedMinor >= payment.amountMinor ? 'refunded' : 'paid',
          now: this.#d.clock.now(),
        },
        trx,
      );
      await this.#d.audit.record(trx, context, {
        action: 'subscription.payment_refunded',
        targetType: 'subscription_payment',
        targetId: payment.id,
        before: { status: payment.status, refundedMinor: payment.refundedMinor },
        after: { status: row.status, refundedMinor, amountMinor: amount, reason: input.reason ?? null },
      });
      const subscription = await this.#d.subscriptionsRepository.find(payment.subscriptionId, trx);
      if (subscription && subscription.provider !== 'complimentary') {
        refundedEvent = {
          type: 'SubscriptionRefunded',
          subscriptionId: subscription.id,
          userId: subscription.userId,
          planId: subscription.planId,
          currency: payment.currency,
          amountMinor: amount,
          at: now.toISOString(),
          mrrDeltaMinor: 0,
          payingDelta: 0,
        };
      }
      return toAdminPayment(row);
    });
    if (refundedEvent) await this.#d.publish(refundedEvent);
    return refunded;
  }

  grantComplimentary(context: RequestContext, grant: { userId: string; planId: string; until: Date | null }) {
    return this.#d.subscriptions.grantComplimentary(context, grant);
  }

  /** MRR at list price, subscribers by plan and churn over the last 30 days. */
  async metrics(): Promise<Metrics> {
    const now = this.#d.clock.now();
    const from = new Date(now.getTime() - CHURN_WINDOW_DAYS * 86_400_000);
    const [recurring, byPlan, churn] = await Promise.all([
      this.#d.admin.recurring(),
      this.#d.admin.entitledByPlan(),
      this.#d.admin.churn({ from, to: now }),
    ]);
    const mrr = new Map<string, number>();
    for (const row of recurring) {
      const amount = Number(row.amountMinor);
      const monthly = row.billingInterval === 'year' ? amount / 12 : amount;
      mrr.set(row.currency ?? '', (mrr.get(row.currency ?? '') ?? 0) + monthly);
    }
    return {
      asOf: now,
      mrr: [...mrr].map(([currency, amount]) => ({ currency, amountMinor: Math.round(amount) })),
      activeByPlan: byPlan.map((row) => ({ planId: row.planId, count: Number(row.count) })),
      churn: {
        windowDays: CHURN_WINDOW_DAYS,
        subscribersAtStart: churn.atStart,
        ended: churn.ended,
        rate: churn.atStart === 0 ? 0 : churn.ended / churn.atStart,
      },
    };
  }
}
