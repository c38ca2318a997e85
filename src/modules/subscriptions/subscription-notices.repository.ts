import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type NoticeKind = 'trial_ending' | 'renewal' | 'payment_failed';

export interface NoticeCandidate {
  subscriptionId: string;
  userId: string;
  planId: string;
  kind: NoticeKind;
  /** What the notice is about: the trial's end, the period's end or the failed payment. */
  subjectKey: string;
  at: Date | null;
  amountMinor: number | null;
  currency: string | null;
}

const notSent = (kind: NoticeKind, subjectKey: ReturnType<typeof sql>) =>
  sql<boolean>`not exists (select 1 from subscription_notices n where n.subscription_id = s.id and n.kind = ${kind} and n.subject_key = ${subjectKey})`;

/** The mails the reminder schedule owes, and the record that each went out once. */
export class SubscriptionNoticesRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Trials ending within the window, not yet told. */
  trialsEnding(window: { from: Date; to: Date }, limit: number): Promise<NoticeCandidate[]> {
    return this.#db
      .selectFrom('subscriptions as s')
      .select([
        's.id as subscriptionId',
        's.userId',
        's.planId',
        sql<NoticeKind>`'trial_ending'`.as('kind'),
        sql<string>`to_char(s.trial_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')`.as('subjectKey'),
        's.trialEnd as at',
        's.amountMinor',
        's.currency',
      ])
      .where('s.status', '=', 'trialing')
      .where('s.cancelAtPeriodEnd', '=', false)
      .where('s.trialEnd', '>', window.from)
      .where('s.trialEnd', '<=', window.to)
      .where(notSent('trial_ending', sql`to_char(s.trial_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')`))
      .limit(limit)
      .execute();
  }

  /** Paid periods that renew within the window (the interval decides how early), not yet told. */
  renewals(window: { from: Date; monthTo: Date; yearTo: Date }, limit: number): Promise<NoticeCandidate[]> {
    const periodKey = sql`to_char(s.current_period_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')`;
    return this.#db
      .selectFrom('subscriptions as s')
      .select([
        's.id as subscriptionId',
        's.userId',
        's.planId',
        sql<NoticeKind>`'renewal'`.as('kind'),
        sql<string>`${periodKey}`.as('subjectKey'),
        's.currentPeriodEnd as at',
        's.amountMinor',
        's.currency',
      ])
      .where('s.status', '=', 'active')
      .where('s.cancelAtPeriodEnd', '=', false)
      .where('s.provider', '!=', 'complimentary')
      .where('s.currentPeriodEnd', '>', window.from)
      .where((eb) =>
        eb.or([
          eb('s.billingInterval', '=', 'year').and('s.currentPeriodEnd', '<=', window.yearTo),
          eb('s.billingInterval', '=', 'month').and('s.currentPeriodEnd', '<=', window.monthTo),
        ]),
      )
      .where(notSent('renewal', periodKey))
      .limit(limit)
      .execute();
  }

  /** Payments that failed since `since`, their subscription not yet told. */
  failedPayments(since: Date, limit: number): Promise<NoticeCandidate[]> {
    return this.#db
      .selectFrom('subscriptionPayments as p')
      .innerJoin('subscriptions as s', 's.id', 'p.subscriptionId')
      .select([
        's.id as subscriptionId',
        's.userId',
        's.planId',
        sql<NoticeKind>`'payment_failed'`.as('kind'),
        sql<string>`p.id::text`.as('subjectKey'),
        'p.createdAt as at',
        'p.amountMinor',
        'p.currency',
      ])
      .where('p.status', '=', 'failed')
      .where('p.createdAt', '>', since)
      .where('s.status', 'in', ['incomplete', 'active', 'past_due', 'grace'])
      .where(notSent('payment_failed', sql`p.id::text`))
      .limit(limit)
      .execute();
  }

  /** Records the notice; false when it was sent already (the schedule ran twice, or two workers). */
  async claim(
    notice: { subscriptionId: string; kind: NoticeKind; subjectKey: string; sentAt: Date },
    executor: Executor,
  ): Promise<boolean> {
    const row = await executor
      .insertInto('subscriptionNotices')
      .values(notice)
      .onConflict((conflict) => conflict.columns(['subscriptionId', 'kind', 'subjectKey']).doNothing())
      .returning('subscriptionId')
      .executeTakeFirst();
    return row !== undefined;
  }
}
