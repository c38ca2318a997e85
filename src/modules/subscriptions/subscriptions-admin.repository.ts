import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { newestFirstPage } from '../../platform/db/keyset.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { Page } from '../../shared/pagination.ts';
import type { SubscriptionRow, PaymentRow } from './subscriptions.repository.ts';
import { entitlingStatuses } from './subscription-states.ts';

export interface SubscriptionSearch {
  status?: string | undefined;
  planId?: string | undefined;
  provider?: string | undefined;
  userId?: string | undefined;
  /** A provider's subscription or customer id, exactly. */
  providerRef?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** Paying states: trials pay nothing yet, complimentary plans never. */
const payingStatuses = ['active', 'past_due', 'grace'];

/** The support and analytics reads over subscriptions, their payments and their ledger events. */
export class SubscriptionsAdminRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  search<T>(query: SubscriptionSearch, map: (row: SubscriptionRow) => T): Promise<Page<T>> {
    let select = this.#db.selectFrom('subscriptions').selectAll('subscriptions');
    if (query.status) select = select.where('status', '=', query.status);
    if (query.planId) select = select.where('planId', '=', query.planId);
    if (query.provider) select = select.where('provider', '=', query.provider);
    if (query.userId) select = select.where('userId', '=', query.userId);
    const ref = query.providerRef;
    if (ref) {
      select = select.where((eb) =>
        eb.or([eb('providerSubscriptionId', '=', ref), eb('providerCustomerId', '=', ref)]),
      );
    }
    return newestFirstPage(select, { cursor: query.cursor, limit: query.limit, table: 'subscriptions', map });
  }

  subscriptionsOf(userId: string): Promise<SubscriptionRow[]> {
    return this.#db
      .selectFrom('subscriptions')
      .selectAll()
      .where('userId', '=', userId)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(100)
      .execute();
  }

  /** The ledger events applied to these subscriptions, newest first. */
  eventsOf(subscriptionIds: string[]) {
    if (subscriptionIds.length === 0) return Promise.resolve([]);
    return this.#db
      .selectFrom('webhookEvents')
      .select(['provider', 'eventId', 'type', 'subscriptionId', 'receivedAt', 'appliedAt'])
      .where('subscriptionId', 'in', subscriptionIds)
      .orderBy('receivedAt', 'desc')
      .limit(200)
      .execute();
  }

  lockPayment(id: string, executor: Executor): Promise<PaymentRow | undefined> {
    return executor
      .selectFrom('subscriptionPayments')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  refunded(change: { id: string; refundedMinor: number; status: string; now: Date }, executor: Executor) {
    return executor
      .updateTable('subscriptionPayments')
      .set({ refundedMinor: change.refundedMinor, status: change.status, updatedAt: change.now })
      .where('id', '=', change.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Recurring revenue at list price per currency and interval, of subscriptions that pay now. */
  recurring() {
    return this.#db
      .selectFrom('subscriptions')
      .select(['currency', 'billingInterval'])
      .select((eb) => eb.fn.sum<string>('amountMinor').as('amountMinor'))
      .where('status', 'in', payingStatuses)
      .where('provider', '!=', 'complimentary')
      .where('currency', 'is not', null)
      .groupBy(['currency', 'billingInterval'])
      .execute();
  }

  entitledByPlan() {
    return this.#db
      .selectFrom('subscriptions')
      .select('planId')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('status', 'in', entitlingStatuses)
      .groupBy('planId')
      .orderBy('planId')
      .execute();
  }

  /**
   * Churn over a window: paid subscriptions running at its start, and how many of them ended in
   * it. Checkouts never paid (no period) and complimentary plans are not subscribers.
   */
  async churn(window: { from: Date; to: Date }) {
    const row = await this.#db
      .selectFrom('subscriptions')
      .select([
        sql<string>`count(*) filter (where ended_at is null or ended_at >= ${window.from})`.as('atStart'),
        sql<string>`count(*) filter (where ended_at >= ${window.from} and ended_at < ${window.to})`.as(
          'ended',
        ),
      ])
      .where('provider', '!=', 'complimentary')
      .where('currentPeriodStart', 'is not', null)
      .where('createdAt', '<', window.from)
      .executeTakeFirstOrThrow();
    return { atStart: Number(row.atStart), ended: Number(row.ended) };
  }
}
