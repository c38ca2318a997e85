import type { Kysely } from 'kysely';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PlansRepository } from './plans.repository.ts';
import type { NoticeCandidate, SubscriptionNoticesRepository } from './subscription-notices.repository.ts';

/** Identity's answer to "where do mails for this account go" (read in our transaction). */
export type ContactOf = (
  executor: Kysely<DB>,
  userId: string,
) => Promise<{ email: string; name: string } | undefined>;

const DAY_MS = 86_400_000;
/** How early each mail goes out: a trial's end and a monthly renewal 3 days before, a yearly one 7. */
const TRIAL_NOTICE_DAYS = 3;
const MONTHLY_RENEWAL_NOTICE_DAYS = 3;
const YEARLY_RENEWAL_NOTICE_DAYS = 7;
/** A failed payment older than this is not mailed about any more (the schedule was down). */
const FAILED_PAYMENT_NOTICE_DAYS = 3;
const BATCH = 100;

const money = (amountMinor: number | null, currency: string | null) =>
  amountMinor === null || currency === null ? '' : ` (${(amountMinor / 100).toFixed(2)} ${currency})`;
const day = (at: Date | null) => (at ? at.toISOString().slice(0, 10) : 'soon');

export interface SubscriptionNoticesDeps {
  notices: SubscriptionNoticesRepository;
  plans: PlansRepository;
  queue: AppQueue;
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
  contactOf: ContactOf;
  publicUrl: string;
}

/**
 * The reminder mails (the schedule, hourly): a trial about to end, a renewal coming, a payment that
 * failed. Each goes through the mail outbox like identity's mails — enqueued in the transaction
 * that records it in `subscription_notices`, so it is sent once however often or on however many
 * workers the schedule runs. Card-expiry reminders are left to the providers, which hold the cards.
 */
export class SubscriptionNoticesService {
  readonly #d: SubscriptionNoticesDeps;

  constructor(deps: SubscriptionNoticesDeps) {
    this.#d = deps;
  }

  async sendDue(signal?: AbortSignal): Promise<number> {
    const now = this.#d.clock.now();
    const after = (days: number) => new Date(now.getTime() + days * DAY_MS);
    const lists = [
      () => this.#d.notices.trialsEnding({ from: now, to: after(TRIAL_NOTICE_DAYS) }, BATCH),
      () =>
        this.#d.notices.renewals(
          {
            from: now,
            monthTo: after(MONTHLY_RENEWAL_NOTICE_DAYS),
            yearTo: after(YEARLY_RENEWAL_NOTICE_DAYS),
          },
          BATCH,
        ),
      () => this.#d.notices.failedPayments(after(-FAILED_PAYMENT_NOTICE_DAYS), BATCH),
    ];
    let sent = 0;
    for (const list of lists) {
      for (;;) {
        const due = await list();
        if (due.length === 0 || signal?.aborted) break;
        for (const notice of due) if (await this.#send(notice, now)) sent++;
        if (due.length < BATCH) break;
      }
    }
    if (sent > 0) this.#d.logger.info({ sent }, 'subscription reminders sent');
    return sent;
  }

  async #send(notice: NoticeCandidate, now: Date): Promise<boolean> {
    const plan = (await this.#d.plans.find(notice.planId))?.name ?? notice.planId;
    return this.#d.transactor.run(async (trx) => {
      const fresh = await this.#d.notices.claim(
        {
          subscriptionId: notice.subscriptionId,
          kind: notice.kind,
          subjectKey: notice.subjectKey,
          sentAt: now,
        },
        trx,
      );
      const contact = fresh ? await this.#d.contactOf(trx, notice.userId) : undefined;
      if (!contact) return false;
      const manage = `${this.#d.publicUrl}/account/subscription`;
      const texts: Record<NoticeCandidate['kind'], [string, string]> = {
        trial_ending: [
          `Your Marquee ${plan} trial ends on ${day(notice.at)}`,
          `your free trial of Marquee ${plan} ends on ${day(notice.at)}. After that your subscription starts${money(notice.amountMinor, notice.currency)}. To change plan or cancel before then, go to ${manage}.`,
        ],
        renewal: [
          `Your Marquee ${plan} subscription renews on ${day(notice.at)}`,
          `your Marquee ${plan} subscription renews on ${day(notice.at)}${money(notice.amountMinor, notice.currency)}. To change plan or cancel, go to ${manage}.`,
        ],
        payment_failed: [
          'Your Marquee payment did not go through',
          `a payment for Marquee ${plan}${money(notice.amountMinor, notice.currency)} failed on ${day(notice.at)}. Your plan stays on while the payment is retried; to update how you pay, go to ${manage}.`,
        ],
      };
      const [subject, body] = texts[notice.kind];
      await this.#d.queue.send(
        'mail.send',
        { to: contact.email, subject, text: `Hello ${contact.name},\n\n${body}\n`, carriesSecret: false },
        { transaction: trx },
      );
      return true;
    });
  }
}
