import type { Db } from '../db/database.ts';
import type { Mailer, MailMessage, MailOutbox, OutboxEntry } from './mail.port.ts';

/**
 * Embedded mode's mail: stored in `mail_outbox`. Admins read it redacted (GET /api/admin/mail);
 * the operator reads it in full on the server (`marquee mail`).
 */
export class OutboxMailer implements Mailer, MailOutbox {
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
        carriesSecret: message.carriesSecret,
      })
      .execute();
  }

  async list(query: Parameters<MailOutbox['list']>[0]): Promise<OutboxEntry[]> {
    let select = this.#db.selectFrom('mailOutbox').selectAll();
    if (query.to) select = select.where('toAddress', '=', query.to.toLowerCase());
    const after = query.after;
    if (after) {
      select = select.where((eb) =>
        eb.or([
          eb('createdAt', '<', after.createdAt),
          eb.and([eb('createdAt', '=', after.createdAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await select.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map((row) => ({
      id: row.id,
      to: row.toAddress,
      subject: row.subject,
      text: row.textBody,
      html: row.htmlBody,
      carriesSecret: row.carriesSecret,
      createdAt: row.createdAt,
    }));
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
