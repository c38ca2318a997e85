import type { Clock } from '../../platform/clock.ts';
import type { Executor, Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { PlansRepository } from './plans.repository.ts';
import type { ProviderEvent, ProviderName, ProviderSubscription } from './providers/payment-provider.ts';
import { newSandboxId, type SandboxEvent } from './providers/sandbox.provider.ts';
import {
  addInterval,
  discounted,
  isEntitling,
  isFinal,
  shouldApply,
  type SubscriptionStatus,
} from './subscription-states.ts';
import { CheckoutNotFound, SubscriptionStateConflict } from './subscriptions.errors.ts';
import type { SubscriptionRow, SubscriptionsRepository } from './subscriptions.repository.ts';
import {
  lifecycleEvents,
  type PublishSubscriptionEvent,
  type SubscriptionEvent,
} from './subscription.events.ts';
import type { SubscriptionsService } from './subscriptions.service.ts';
import type { CouponsRepository } from './coupons.repository.ts';
import type { WebhookEventsRepository } from './webhook-events.repository.ts';

export interface ProviderEventsDeps {
  ledger: WebhookEventsRepository;
  subscriptions: SubscriptionsRepository;
  plans: PlansRepository;
  coupons: CouponsRepository;
  service: SubscriptionsService;
  transactor: Transactor;
  queue: AppQueue;
  clock: Clock;
  logger: Logger;
  onPlanChanged: (userId: string) => Promise<void>;
  graceDays: number;
  /** Tells listeners (analytics) what the committed changes were. */
  publish: PublishSubscriptionEvent;
}

const DAY_MS = 86_400_000;

/**
 * Provider events: recorded once in the ledger (keyed by the provider's event id) and answered at
 * once; applied later by a job, in one transaction per event, against the provider's own view of
 * the subscription — so duplicates change nothing and late events cannot roll state back.
 * Also the schedule's work: trials that end, periods that lapse, grace that runs out.
 */
export class ProviderEventsService {
  readonly #d: ProviderEventsDeps;

  constructor(deps: ProviderEventsDeps) {
    this.#d = deps;
  }

  /** Records a verified event and queues its application; false for a duplicate. */
  async ingest(provider: ProviderName, event: { eventId: string; type: string; payload: unknown }) {
    // Parse before recording: a verified body we cannot read is refused, not stored.
    this.#d.service.provider(provider).parse(event.payload);
    return this.#d.transactor.run(async (trx) => {
      const fresh = await this.#d.ledger.record({ provider, ...event, receivedAt: this.#d.clock.now() }, trx);
      if (fresh) {
        await this.#d.queue.send(
          'subscriptions.apply-event',
          { provider, eventId: event.eventId },
          { transaction: trx },
        );
      }
      return fresh;
    });
  }

  /** The job: applies one ledger event, once. */
  async apply(providerName: ProviderName, eventId: string): Promise<void> {
    const provider = this.#d.service.provider(providerName);
    const peek = await this.#d.ledger.find(providerName, eventId);
    if (!peek || peek.appliedAt) return;
    const event = provider.parse(peek.payload);
    // The provider's current object beats whatever this (possibly old) event carried.
    const current: ProviderSubscription | null =
      (event.providerSubscriptionId ? await provider.fetch(event.providerSubscriptionId) : undefined) ??
      event.subscription;
    let changedUser: string | null = null;
    const events: SubscriptionEvent[] = [];
    await this.#d.transactor.run(async (trx) => {
      const ledgerRow = await this.#d.ledger.lock(providerName, eventId, trx);
      if (!ledgerRow || ledgerRow.appliedAt) return;
      const target = await this.#target(providerName, event, current, trx);
      if (target) {
        changedUser = await this.#applyTo(trx, { row: target, event, current, events });
      } else {
        this.#d.logger.warn(
          { provider: providerName, eventId, type: event.type },
          'event for no known subscription',
        );
      }
      await this.#d.ledger.markApplied(
        { provider: providerName, eventId, at: this.#d.clock.now(), subscriptionId: target?.id ?? null },
        trx,
      );
    });
    if (changedUser) await this.#d.onPlanChanged(changedUser);
    for (const published of events) await this.#d.publish(published);
  }

  async #target(
    provider: ProviderName,
    event: ProviderEvent,
    current: ProviderSubscription | null,
    trx: Executor,
  ): Promise<SubscriptionRow | undefined> {
    const providerId = event.providerSubscriptionId ?? current?.providerSubscriptionId;
    const byProvider = providerId
      ? await this.#d.subscriptions.findByProviderId(provider, providerId, trx)
      : undefined;
    // Refunds and disputes name only the payment: its subscription is the one it was paid for.
    const byPayment =
      !byProvider && !event.subscriptionId && event.payment
        ? await this.#d.subscriptions.subscriptionOfPayment(provider, event.payment.providerPaymentId, trx)
        : undefined;
    const id = byProvider?.id ?? event.subscriptionId ?? current?.subscriptionId ?? byPayment;
    if (!id) return undefined;
    const row = await this.#d.subscriptions.lock(id, trx);
    return row?.provider === provider ? row : undefined;
  }

  /** Applies an event to its locked subscription; returns the user whose plan may have changed. */
  async #applyTo(
    trx: Executor,
    input: {
      row: SubscriptionRow;
      event: ProviderEvent;
      current: ProviderSubscription | null;
      /** Collects the domain events, published after the commit. */
      events: SubscriptionEvent[];
    },
  ): Promise<string> {
    const { row, event, current } = input;
    const now = this.#d.clock.now();
    const patch: Parameters<SubscriptionsRepository['update']>[1] = { updatedAt: now };
    const providerId = event.providerSubscriptionId ?? current?.providerSubscriptionId;
    if (!row.providerSubscriptionId && providerId) patch.providerSubscriptionId = providerId;
    if (!row.providerCustomerId && current?.providerCustomerId)
      patch.providerCustomerId = current.providerCustomerId;
    const stored = { status: row.status as SubscriptionStatus, providerUpdatedAt: row.providerUpdatedAt };
    if (current && shouldApply(stored, current.snapshot)) {
      const next = current.snapshot;
      Object.assign(patch, {
        status: next.status,
        currentPeriodStart: next.currentPeriodStart,
        currentPeriodEnd: next.currentPeriodEnd,
        trialEnd: next.trialEnd,
        cancelAtPeriodEnd: next.cancelAtPeriodEnd,
        providerUpdatedAt: next.asOf,
      });
      if (next.status === 'grace' && row.status !== 'grace') {
        patch.graceUntil = new Date(now.getTime() + this.#d.graceDays * DAY_MS);
      }
      if (isFinal(next.status) && !row.endedAt) patch.endedAt = now;
      const renewed =
        next.currentPeriodStart && row.currentPeriodStart && next.currentPeriodStart > row.currentPeriodStart;
      if (renewed && row.pendingPlanId) Object.assign(patch, await this.#pendingPlan(trx, row));
      if (isEntitling(next.status)) await this.#endOtherLive(trx, row);
    }
    await this.#d.subscriptions.update(row.id, patch, trx);
    input.events.push(...lifecycleEvents({ before: row, after: { ...row, ...patch }, at: now }));
    if (event.payment?.status === 'refunded' && row.provider !== 'complimentary') {
      const previous = await this.#d.subscriptions.paymentStatus(
        { provider: row.provider, providerPaymentId: event.payment.providerPaymentId },
        trx,
      );
      if (previous !== 'refunded') {
        input.events.push({
          type: 'SubscriptionRefunded',
          subscriptionId: row.id,
          userId: row.userId,
          planId: row.planId,
          currency: event.payment.currency,
          amountMinor: event.payment.amountMinor,
          at: now.toISOString(),
          mrrDeltaMinor: 0,
          payingDelta: 0,
        });
      }
    }
    if (event.payment) {
      await this.#d.subscriptions.upsertPayment(
        {
          subscriptionId: row.id,
          userId: row.userId,
          provider: row.provider,
          providerPaymentId: event.payment.providerPaymentId,
          status: event.payment.status,
          amountMinor: event.payment.amountMinor,
          currency: event.payment.currency,
          periodStart: event.payment.periodStart,
          periodEnd: event.payment.periodEnd,
          createdAt: event.occurredAt,
          updatedAt: now,
        },
        trx,
      );
    }
    await this.#d.service.syncPlan(trx, row.userId);
    return row.userId;
  }

  /** A downgrade waiting for the period end, applied when the provider starts the next period. */
  async #pendingPlan(trx: Executor, row: SubscriptionRow) {
    const planId = row.pendingPlanId ?? row.planId;
    const price =
      row.currency && row.billingInterval
        ? await this.#d.plans.findPrice(
            { planId, currency: row.currency, interval: row.billingInterval as 'month' | 'year' },
            trx,
          )
        : undefined;
    return {
      planId,
      pendingPlanId: null,
      ...(price && { priceId: price.id, amountMinor: price.amountMinor }),
    };
  }

  /** One entitling subscription per account: a new one ends a complimentary or stale one. */
  async #endOtherLive(trx: Executor, row: SubscriptionRow): Promise<void> {
    const other = await this.#d.subscriptions.live(row.userId, trx);
    if (!other || other.id === row.id) return;
    const now = this.#d.clock.now();
    await this.#d.subscriptions.update(
      other.id,
      { status: 'canceled', canceledAt: now, endedAt: now, updatedAt: now },
      trx,
    );
  }

  /**
   * The sandbox checkout page's buttons: `succeed` starts the trial or the first paid period,
   * `fail` records a failed payment (the subscription stays incomplete), `pending` changes nothing.
   */
  async sandboxOutcome(checkoutId: string, outcome: 'succeed' | 'fail' | 'pending') {
    const row = await this.#d.subscriptions.findByProviderId('sandbox', checkoutId);
    if (!row) throw CheckoutNotFound();
    if (row.status !== 'incomplete') throw SubscriptionStateConflict('This checkout is finished');
    if (outcome === 'pending') return { status: 'pending' as const };
    const plan = await this.#d.plans.find(row.planId);
    const coupon = row.couponId ? await this.#d.coupons.find(row.couponId) : undefined;
    const now = this.#d.clock.now();
    const trialDays = plan?.trialDays ?? 0;
    const succeeded = outcome === 'succeed';
    const trialEnd = succeeded && trialDays > 0 ? new Date(now.getTime() + trialDays * DAY_MS) : null;
    const periodEnd = trialEnd ?? addInterval(now, row.billingInterval === 'year' ? 'year' : 'month');
    const event: SandboxEvent = {
      id: newSandboxId('evt'),
      type: succeeded ? 'invoice.paid' : 'invoice.payment_failed',
      created: now.toISOString(),
      subscription: {
        id: checkoutId,
        subscriptionId: row.id,
        status: succeeded ? (trialEnd ? 'trialing' : 'active') : 'incomplete',
        currentPeriodStart: succeeded ? now.toISOString() : null,
        currentPeriodEnd: succeeded ? periodEnd.toISOString() : null,
        trialEnd: trialEnd?.toISOString() ?? null,
        cancelAtPeriodEnd: false,
      },
      payment: {
        id: newSandboxId('pay'),
        status: succeeded ? 'paid' : 'failed',
        // A trial's first invoice is for nothing, like Stripe's.
        amountMinor: trialEnd ? 0 : discounted(row.amountMinor ?? 0, coupon),
        currency: row.currency ?? 'USD',
      },
    };
    await this.ingest('sandbox', { eventId: event.id, type: event.type, payload: event });
    return { status: succeeded ? ('succeeded' as const) : ('failed' as const) };
  }

  /**
   * The schedule (every minute, once across workers): ends lapsed subscriptions, trials and grace
   * periods; renews sandbox ones (applying a pending downgrade); asks Stripe/Razorpay for the state
   * of any whose period ended without an event. Idempotent: each row is re-checked under its lock.
   */
  async runDue(signal?: AbortSignal): Promise<number> {
    let handled = 0;
    for (;;) {
      const now = this.#d.clock.now();
      const due = await this.#d.subscriptions.due(now, 100);
      const work = due.filter((row) => !this.#seen.has(row.id));
      if (work.length === 0 || signal?.aborted) break;
      for (const row of work) {
        this.#seen.add(row.id);
        await this.#runOne(row.id, now);
        handled++;
      }
    }
    this.#seen.clear();
    return handled;
  }

  readonly #seen = new Set<string>();

  async #runOne(subscriptionId: string, now: Date): Promise<void> {
    const before = await this.#d.subscriptions.find(subscriptionId);
    if (!before) return;
    if (before.provider === 'stripe' || before.provider === 'razorpay') {
      // Stale: the provider should have told us. Its own object decides.
      if (!before.providerSubscriptionId) return;
      const current = await this.#d.service.provider(before.provider).fetch(before.providerSubscriptionId);
      if (!current) return;
      const events: SubscriptionEvent[] = [];
      await this.#d.transactor.run(async (trx) => {
        const row = await this.#d.subscriptions.lock(subscriptionId, trx);
        if (!row) return;
        await this.#applyTo(trx, {
          row,
          current,
          event: {
            eventId: `reconcile-${now.toISOString()}`,
            type: 'reconcile',
            occurredAt: now,
            providerSubscriptionId: row.providerSubscriptionId,
            subscriptionId: row.id,
            subscription: current,
            payment: null,
          },
          events,
        });
      });
      await this.#d.onPlanChanged(before.userId);
      for (const event of events) await this.#d.publish(event);
      return;
    }
    const events: SubscriptionEvent[] = [];
    await this.#d.transactor.run(async (trx) => {
      const row = await this.#d.subscriptions.lock(subscriptionId, trx);
      if (!row || !isEntitling(row.status as SubscriptionStatus)) return;
      const ended = { status: 'expired', endedAt: now, updatedAt: now } as const;
      let after: SubscriptionRow = row;
      if (row.status === 'grace' && row.graceUntil && row.graceUntil <= now) {
        await this.#d.subscriptions.update(row.id, ended, trx);
        after = { ...row, ...ended };
      } else if (row.currentPeriodEnd && row.currentPeriodEnd <= now) {
        if (row.cancelAtPeriodEnd || row.provider === 'complimentary') {
          await this.#d.subscriptions.update(row.id, ended, trx);
          after = { ...row, ...ended };
        } else {
          after = { ...row, ...(await this.#renewSandbox(trx, row, now)) };
        }
      }
      events.push(...lifecycleEvents({ before: row, after, at: now }));
      await this.#d.service.syncPlan(trx, row.userId);
    });
    await this.#d.onPlanChanged(before.userId);
    for (const event of events) await this.#d.publish(event);
  }

  /** A sandbox renewal: the next period, paid, with a pending downgrade taking effect. */
  async #renewSandbox(trx: Executor, row: SubscriptionRow, now: Date) {
    const start = row.currentPeriodEnd ?? now;
    const end = addInterval(start, row.billingInterval === 'year' ? 'year' : 'month');
    const planId = row.pendingPlanId ?? row.planId;
    const price =
      row.pendingPlanId && row.currency && row.billingInterval
        ? await this.#d.plans.findPrice(
            { planId, currency: row.currency, interval: row.billingInterval as 'month' | 'year' },
            trx,
          )
        : undefined;
    const amountMinor = price?.amountMinor ?? row.amountMinor ?? 0;
    const coupon = row.couponId ? await this.#d.coupons.find(row.couponId, trx) : undefined;
    const couponApplies = coupon && coupon.duration === 'forever' ? coupon : undefined;
    const patch = {
      status: 'active',
      planId,
      pendingPlanId: null,
      ...(price && { priceId: price.id }),
      amountMinor,
      currentPeriodStart: start,
      currentPeriodEnd: end,
      updatedAt: now,
    };
    await this.#d.subscriptions.update(row.id, patch, trx);
    await this.#d.subscriptions.upsertPayment(
      {
        subscriptionId: row.id,
        userId: row.userId,
        provider: 'sandbox',
        // One payment per period, however often the schedule looks.
        providerPaymentId: `sbx_renewal_${row.id}_${start.toISOString()}`,
        status: 'paid',
        amountMinor: discounted(amountMinor, couponApplies),
        currency: row.currency ?? 'USD',
        periodStart: start,
        periodEnd: end,
        createdAt: now,
        updatedAt: now,
      },
      trx,
    );
    return patch;
  }
}
