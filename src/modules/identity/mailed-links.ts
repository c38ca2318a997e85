import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { EmailTokenPurpose, EmailTokensRepository } from './email-tokens.repository.ts';
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
interface MailedLinksOptions {
  emailTokens: EmailTokensRepository;
  clock: Clock;
  queue: AppQueue;
  publicUrl: string;
}

export class MailedLinks {
  readonly #o: MailedLinksOptions;

  constructor(options: MailedLinksOptions) {
    this.#o = options;
  }

  async sendAccountExists(trx: Executor, user: UserRow): Promise<void> {
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

  async use(trx: Executor, token: string, purpose: EmailTokenPurpose) {
    const found = await this.#o.emailTokens.use(tokenHash(token), purpose, trx);
    if (!found) throw InvalidEmailToken();
    return found;
  }

  async send(trx: Executor, user: UserRow, purpose: EmailTokenPurpose): Promise<void> {
    const token = newOpaqueToken();
    const minutes = purpose === 'verify_email' ? VERIFY_EMAIL_HOURS * 60 : RESET_PASSWORD_MINUTES;
    await this.#o.emailTokens.replace(
      {
        userId: user.id,
        purpose,
        tokenHash: tokenHash(token),
        email: user.email,
        expiresAt: new Date(this.#o.clock.now().getTime() + minutes * 60_000),
      },
      trx,
    );
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
