import type { Kysely } from 'kysely';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { InvalidEmailToken } from './identity.errors.ts';
import { newOpaqueToken, tokenHash } from './secrets.ts';
import type { UserRow } from './users.repository.ts';

const VERIFY_EMAIL_HOURS = 48;
const RESET_PASSWORD_MINUTES = 60;

/**
 * The single-use links identity mails (confirm an address, reset a password) and the notice to an
 * address that already has an account: the tokens (stored as hashes), their lifetimes, the mails'
 * texts. Mail is enqueued in the caller's transaction, so it is sent if and only if that commits.
 */
export class MailedLinks {
  readonly #o: { clock: Clock; queue: AppQueue; publicUrl: string };

  constructor(options: { clock: Clock; queue: AppQueue; publicUrl: string }) {
    this.#o = options;
  }

  async sendAccountExists(trx: Kysely<DB>, user: UserRow): Promise<void> {
    const text =
      `Hello ${user.name},\n\nSomeone (hopefully you) tried to create a Marquee account with this address, ` +
      `which already has one. If it was you, sign in at ${this.#o.publicUrl}; if you forgot your password, ` +
      `ask for a reset link there.\n\nIf it was not you, ignore this mail: nothing changed.\n`;
    await this.#o.queue.send(
      'mail.send',
      { to: user.email, subject: 'You already have a Marquee account', text, carriesSecret: false },
      { transaction: trx },
    );
  }

  async use(trx: Kysely<DB>, token: string, purpose: 'verify_email' | 'reset_password') {
    const found = await trx
      .updateTable('emailTokens')
      .set({ usedAt: this.#o.clock.now() })
      .where('tokenHash', '=', tokenHash(token))
      .where('purpose', '=', purpose)
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', this.#o.clock.now())
      .returning(['userId', 'email'])
      .executeTakeFirst();
    if (!found) throw InvalidEmailToken();
    return found;
  }

  async send(trx: Kysely<DB>, user: UserRow, purpose: 'verify_email' | 'reset_password'): Promise<void> {
    const token = newOpaqueToken();
    const minutes = purpose === 'verify_email' ? VERIFY_EMAIL_HOURS * 60 : RESET_PASSWORD_MINUTES;
    // A new link replaces older unused ones.
    await trx
      .deleteFrom('emailTokens')
      .where('userId', '=', user.id)
      .where('purpose', '=', purpose)
      .where('usedAt', 'is', null)
      .execute();
    await trx
      .insertInto('emailTokens')
      .values({
        userId: user.id,
        purpose,
        tokenHash: tokenHash(token),
        email: user.email,
        expiresAt: new Date(this.#o.clock.now().getTime() + minutes * 60_000),
      })
      .execute();
    const link =
      purpose === 'verify_email'
        ? `${this.#o.publicUrl}/verify-email?token=${token}`
        : `${this.#o.publicUrl}/reset-password?token=${token}`;
    const [subject, text] =
      purpose === 'verify_email'
        ? [
            'Confirm your email address',
            `Hello ${user.name},\n\nTo finish signing up, confirm your email address for Marquee by opening this link (valid ${VERIFY_EMAIL_HOURS} hours):\n\n${link}\n\nOr send this token to POST /api/auth/verify-email: ${token}\n`,
          ]
        : [
            'Reset your password',
            `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset your Marquee password. Open this link within ${RESET_PASSWORD_MINUTES} minutes to choose a new one; every device will be signed out:\n\n${link}\n\nOr send this token to POST /api/auth/password-reset/confirm: ${token}\n\nIf it was not you, ignore this mail: your password stays as it is.\n`,
          ];
    // Enqueued in the transaction (sent if and only if it commits); the worker delivers it and
    // retries while the mail server is down.
    await this.#o.queue.send(
      'mail.send',
      { to: user.email, subject, text, carriesSecret: true },
      { transaction: trx },
    );
  }
}
