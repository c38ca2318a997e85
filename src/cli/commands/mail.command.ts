import { OutboxMailer } from '../../platform/mail/outbox.mail.ts';
import { email as emailSchema } from '../../shared/schemas.ts';
import { UsageError, type Command } from '../command.ts';
import { withMigratedDatabase } from '../database.ts';

/**
 * The mail outbox in full, for the operator at the server's shell: the admin API shows mail that
 * carries a secret (reset, verification, sign-in links) redacted, since whoever reads such a link
 * can take the account over. Shell access to the server is already full trust.
 */
export const mailCommand: Command = {
  name: 'mail',
  summary: 'Print the mail outbox in full, links included (embedded mode, no SMTP_URL)',
  usage: 'marquee mail [--to <email>] [--limit <n>]',
  options: { to: { type: 'string' }, limit: { type: 'string' } },
  async run({ config, print }, values) {
    const to = values.to === undefined ? undefined : emailSchema.safeParse(values.to);
    if (to && !to.success) throw new UsageError('--to must be a valid email address');
    const limit = values.limit === undefined ? 10 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new UsageError('--limit must be a whole number from 1 to 1000');
    await withMigratedDatabase(config, async (database) => {
      const entries = await new OutboxMailer(database.db).list({ to: to?.data, limit });
      if (entries.length === 0) {
        print(to ? `No mail to ${to.data} in the outbox.` : 'The outbox is empty.');
        return;
      }
      // Oldest last on screen is newest first in the list: print oldest first, as a mail reader would.
      for (const entry of entries.reverse()) {
        print(`--- ${entry.createdAt.toISOString()}  to ${entry.to}`);
        print(`Subject: ${entry.subject}`);
        print('');
        print(entry.text.trimEnd());
        print('');
      }
    });
  },
};
