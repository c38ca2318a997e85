import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DB, SubscriptionPaymentsTable, SubscriptionsTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import { entitlingStatuses } from './subscription-states.ts';

export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type PaymentRow = Selectable<SubscriptionPaymentsTable>;

/** Subscriptions and their payments. */
export class SubscriptionsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  insert(row: Insertable<SubscriptionsTable>, executor: Executor = this.#db): Promise<SubscriptionRow> {
    return executor.insertInto('subscriptions').values(row).returningAll().executeTakeFirstOrThrow();
  }

  update(id: string, patch: Updateable<SubscriptionsTable>, executor: Executor = this.#db) {
    return executor
      .updateTable('subscriptions')
      .set(patch)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  find(id: string, executor: Executor = this.#db): Promise<SubscriptionRow | undefined> {
    return executor.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Locks the row for the rest of the transaction: events for one subscription apply one at a time. */
  lock(id: string, executor: Executor): Promise<SubscriptionRow | undefined> {
    return executor
      .selectFrom('subscriptions')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  findByProviderId(
    provider: string,
    providerSubscriptionId: string,
    executor: Executor = this.#db,
  ): Promise<SubscriptionRow | undefined> {
    return executor
      .selectFrom('subscriptions')
      .selectAll()
      .where('provider', '=', provider)
      .where('providerSubscriptionId', '=', providerSubscriptionId)
      .executeTakeFirst();
  }

  /** The subscription a provider's payment was for. */
  async subscriptionOfPayment(provider: string, providerPaymentId: string, executor: Executor = this.#db) {
    const row = await executor
      .selectFrom('subscriptionPayments')
      .select('subscriptionId')
      .where('provider', '=', provider)
      .where('providerPaymentId', '=', providerPaymentId)
      .executeTakeFirst();
    return row?.subscriptionId;
  }

  /** A payment's stored status, before a provider's event changes it. */
  async paymentStatus(
    payment: { provider: string; providerPaymentId: string },
    executor: Executor = this.#db,
  ): Promise<string | undefined> {
    const row = await executor
      .selectFrom('subscriptionPayments')
      .select('status')
      .where('provider', '=', payment.provider)
      .where('providerPaymentId', '=', payment.providerPaymentId)
      .executeTakeFirst();
    return row?.status;
  }

  /** The account's subscription that entitles now, if any. */
  live(userId: string, executor: Executor = this.#db): Promise<SubscriptionRow | undefined> {
    return executor
      .selectFrom('subscriptions')
      .selectAll()
      .where('userId', '=', userId)
      .where('status', 'in', entitlingStatuses)
      .executeTakeFirst();
  }

  /** The newest subscription of the account, whatever its state. */
  latest(userId: string, executor: Executor = this.#db): Promise<SubscriptionRow | undefined> {
    return executor
      .selectFrom('subscriptions')
      .selectAll()
      .where('userId', '=', userId)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async hadSubscription(userId: string, executor: Executor = this.#db): Promise<boolean> {
    const row = await executor
      .selectFrom('subscriptions')
      .select('id')
      .where('userId', '=', userId)
      .where('status', '!=', 'incomplete')
      // A checkout that expired unpaid never started a period: it was not a subscription.
      .where('currentPeriodStart', 'is not', null)
      .where('provider', '!=', 'complimentary')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Entitling subscriptions whose period or grace ended at or before `now` (the schedule's work list). */
  due(now: Date, limit: number, executor: Executor = this.#db): Promise<SubscriptionRow[]> {
    return executor
      .selectFrom('subscriptions')
      .selectAll()
      .where('status', 'in', entitlingStatuses)
      .where((eb) =>
        eb.or([
          eb('currentPeriodEnd', '<=', now),
          eb('trialEnd', '<=', now).and('status', '=', 'trialing'),
          eb('graceUntil', '<=', now).and('status', '=', 'grace'),
        ]),
      )
      .orderBy('currentPeriodEnd')
      .limit(limit)
      .execute();
  }

  /** Checkouts started at or before `cutoff` and never paid (the schedule expires them). */
  abandoned(cutoff: Date, limit: number, executor: Executor = this.#db) {
    return executor
      .selectFrom('subscriptions')
      .select('id')
      .where('status', '=', 'incomplete')
      .where('createdAt', '<=', cutoff)
      .orderBy('createdAt')
      .limit(limit)
      .execute();
  }

  /** Records a payment once per provider payment id; a later event may move its status. */
  async upsertPayment(row: Insertable<SubscriptionPaymentsTable>, executor: Executor = this.#db) {
    await executor
      .insertInto('subscriptionPayments')
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(['provider', 'providerPaymentId']).doUpdateSet({
          // A late "paid" (a redelivered invoice.paid) never undoes a refund or a dispute.
          status: sql<string>`case when subscription_payments.status in ('refunded', 'disputed') and ${row.status} = 'paid' then subscription_payments.status else ${row.status} end`,
          updatedAt: row.updatedAt ?? row.createdAt ?? new Date(0),
        }),
      )
      .execute();
  }

  payments(userId: string, limit: number, executor: Executor = this.#db): Promise<PaymentRow[]> {
    return executor
      .selectFrom('subscriptionPayments')
      .selectAll()
      .where('userId', '=', userId)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}
