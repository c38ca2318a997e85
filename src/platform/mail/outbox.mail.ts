import type { Db } from '../db/database.ts';
import type { Mailer, MailMessage } from './mail.port.ts';

/** Embedded mode's mail: stored in `mail_outbox`, readable by an admin (GET /api/admin/mail). */
export class OutboxMailer implements Mailer {
  readonly kind = 'outbox';
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async send(message: MailMessage): Promise<void> {
    await this.#db
      .insertInto('mailOutbox')
      .values({
        toAddress: message.to,
        subject: message.subject,
        textBody: message.text,
        htmlBody: message.html ?? null,
      })
      .execute();
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
