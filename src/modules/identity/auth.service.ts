import type { Clock } from '../../platform/clock.ts';
import type { PublishIdentityEvent } from './identity.events.ts';
import type { Logger } from '../../platform/logger.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import type { Executor, Transactor } from '../../platform/db/transactor.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { EmailTokensRepository } from './email-tokens.repository.ts';
import {
  AccountDisabled,
  InvalidCredentials,
  InvalidEmailToken,
  SignUpsClosed,
  UserNotFound,
} from './identity.errors.ts';
import type { LoginProtection } from './login-protection.ts';
import { MailedLinks } from './mailed-links.ts';
import {
  assertAcceptablePassword,
  hashPassword,
  needsRehash,
  verifyAgainstNothing,
  verifyPassword,
} from './passwords.ts';
import type { SecurityEvent, SecurityEventsRepository } from './security-events.repository.ts';
import type { SessionStates } from './session-states.ts';
import type { SessionsRepository } from './sessions.repository.ts';
import {
  defaultDevice,
  type AuthResult,
  type Device,
  type RequestMeta,
  type SessionsService,
} from './sessions.service.ts';
import { toUser, type User, type UserRow, type UsersRepository } from './users.repository.ts';

export type { AccountLimits, AuthResult, Device, DeviceSummary, RequestMeta } from './sessions.service.ts';

export interface AuthServiceOptions {
  users: UsersRepository;
  sessionRows: SessionsRepository;
  securityEvents: SecurityEventsRepository;
  emailTokens: EmailTokensRepository;
  transactor: Transactor;
  clock: Clock;
  /** Opens, lists and ends the signed-in devices. */
  devices: SessionsService;
  sessions: SessionStates;
  protection: LoginProtection;
  queue: AppQueue;
  publicUrl: string;
  /** For work done after the answer (password-reset mail): its failures are logged here. */
  logger?: Logger | undefined;
  /** Told after an account's own data changed (verified, password), so read caches let go of it. */
  onUserChanged?: (userId: string) => Promise<void>;
  /** Creates the first profile of a new account, inside its transaction. */
  createDefaultProfile(executor: Executor, user: { id: string; name: string }): Promise<void>;
  /** Whether new accounts may be made now (an admin setting); existing ones sign in either way. */
  signUpsOpen: () => boolean;
  /** Tells listeners (analytics) of a new account, after the commit. */
  publish: PublishIdentityEvent;
}

/** Accounts: registration, password sign-in, email and password. Devices are SessionsService's; SQL the repositories'. */
export class AuthService {
  readonly #o: AuthServiceOptions;
  readonly #links: MailedLinks;

  constructor(options: AuthServiceOptions) {
    this.#o = options;
    this.#links = new MailedLinks(options);
  }

  #recordEvent(event: SecurityEvent, executor?: Executor): Promise<void> {
    return this.#o.securityEvents.record(event, executor);
  }

  /**
   * Creates an account, or — when the address already has one — mails its owner a notice. The
   * caller gets the same answer either way (no account enumeration: OWASP Authentication Cheat
   * Sheet), and the same work up to the database (the password is hashed in both cases). The new
   * address is mailed a link that confirms it; the account signs in with `login`.
   */
  async register(input: { email: string; password: string; name: string }): Promise<void> {
    // Refused for every address alike, known or not: the answer still says nothing of accounts.
    if (!this.#o.signUpsOpen()) throw SignUpsClosed();
    assertAcceptablePassword(input.password, { email: input.email, name: input.name });
    const passwordHash = await hashPassword(input.password);
    const { users } = this.#o;
    const created = await this.#o.transactor
      .run(async (trx) => {
        const existing = await users.findByEmail(input.email, trx);
        if (existing) {
          await this.#links.sendAccountExists(trx, existing);
          return undefined;
        }
        const user = await users.create(
          { email: input.email, name: input.name, passwordHash, emailVerified: false },
          trx,
        );
        await this.#o.createDefaultProfile(trx, user);
        await this.#links.send(trx, user, 'verify_email');
        return user;
      })
      .catch((error: unknown) => {
        // Two registrations racing for one address: the unique index decided; same answer.
        if (!isUniqueViolation(error)) throw error;
        return undefined;
      });
    if (created) {
      await this.#o.publish({
        type: 'UserRegistered',
        at: this.#o.clock.now().toISOString(),
        userId: created.id,
        method: 'password',
      });
    }
  }

  async login(
    input: {
      email: string;
      password: string;
      device?: Device | undefined;
      replaceSessionId?: string | undefined;
    },
    meta: RequestMeta,
  ): Promise<AuthResult> {
    const ip = meta.ip ?? 'unknown';
    await this.#o.protection.beforeAttempt(input.email, ip);
    const row = await this.#o.users.findByEmail(input.email);
    // The same work and the same answer whether the account exists or not.
    const valid = row?.passwordHash
      ? await verifyPassword(row.passwordHash, input.password)
      : await verifyAgainstNothing(input.password);
    if (!row || !valid) {
      const pausedSeconds = await this.#o.protection.failed(input.email, ip);
      if (row) {
        await this.#recordEvent({
          userId: row.id,
          kind: pausedSeconds ? 'login_locked' : 'login_failed',
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: pausedSeconds ? { pausedSeconds } : {},
        });
      }
      throw InvalidCredentials();
    }
    if (row.disabledAt) throw AccountDisabled();
    await this.#o.protection.succeeded(input.email, ip);
    if (needsRehash(row.passwordHash as string)) {
      await this.#o.users.update(row.id, { passwordHash: await hashPassword(input.password) });
    }
    return this.#o.devices.signIn(row, {
      device: input.device ?? defaultDevice(meta),
      meta,
      method: 'password',
      replaceSessionId: input.replaceSessionId,
    });
  }

  async signInVerified(
    row: UserRow,
    options: { device?: Device | undefined; meta: RequestMeta; method: string },
  ): Promise<AuthResult> {
    if (row.disabledAt) throw AccountDisabled();
    await this.#o.onUserChanged?.(row.id);
    return this.#o.devices.signIn(row, {
      device: options.device ?? defaultDevice(options.meta),
      meta: options.meta,
      method: options.method,
    });
  }

  /** Changes the account's own details (its name). */
  async updateAccount(userId: string, change: { name?: string | undefined }): Promise<User> {
    const row = await this.#o.users.update(userId, change.name === undefined ? {} : { name: change.name });
    if (!row) throw UserNotFound();
    await this.#o.onUserChanged?.(userId);
    return toUser(row);
  }

  /** The account's latest security events, newest first. */
  async securityEvents(userId: string) {
    const rows = await this.#o.securityEvents.listOf(userId, 100);
    return rows.map((row) => ({ ...row, details: (row.details ?? {}) as Record<string, unknown> }));
  }

  async changePassword(
    userId: string,
    input: { currentPassword: string; newPassword: string; keepSessionId: string },
    meta: RequestMeta,
  ): Promise<void> {
    const { users, sessionRows } = this.#o;
    const row = await users.findById(userId);
    if (!row) throw InvalidCredentials();
    // A stolen access token must not become an oracle for the password: the same pauses as
    // sign-in, per account (whatever the address), then 429.
    const guard = passwordChangeGuard(userId);
    await this.#o.protection.beforeAttempt(guard, PASSWORD_CHANGE_SOURCE);
    if (row.passwordHash && !(await verifyPassword(row.passwordHash, input.currentPassword))) {
      const pausedSeconds = await this.#o.protection.failed(guard, PASSWORD_CHANGE_SOURCE);
      await this.#recordEvent({
        userId,
        kind: 'password_change_failed',
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: pausedSeconds ? { pausedSeconds } : {},
      });
      throw InvalidCredentials('The current password is wrong');
    }
    await this.#o.protection.succeeded(guard, PASSWORD_CHANGE_SOURCE);
    assertAcceptablePassword(input.newPassword, { email: row.email, name: row.name });
    const passwordHash = await hashPassword(input.newPassword);
    const revoked = await this.#o.transactor.run(async (trx) => {
      await users.update(userId, { passwordHash }, trx);
      const others = (await sessionRows.listActive(userId, trx))
        .map((session) => session.id)
        .filter((id) => id !== input.keepSessionId);
      const ids = await sessionRows.revoke({ ids: others }, 'password_changed', trx);
      await this.#recordEvent(
        {
          userId,
          kind: 'password_changed',
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { otherDevicesSignedOut: ids.length },
        },
        trx,
      );
      return ids;
    });
    await this.#o.sessions.markRevoked(revoked);
  }

  async verifyEmail(token: string, meta: RequestMeta): Promise<void> {
    const { users } = this.#o;
    const userId = await this.#o.transactor.run(async (trx) => {
      const found = await this.#links.use(trx, token, 'verify_email');
      const user = await users.findById(found.userId, trx);
      // A token for an address the account no longer has verifies nothing.
      if (!user || user.email !== found.email) throw InvalidEmailToken();
      await users.update(user.id, { emailVerified: true }, trx);
      await this.#recordEvent(
        { userId: user.id, kind: 'email_verified', ip: meta.ip, userAgent: meta.userAgent },
        trx,
      );
      return user.id;
    });
    await this.#o.onUserChanged?.(userId);
  }

  async resendVerification(userId: string): Promise<void> {
    const user = await this.#o.users.findById(userId);
    if (!user || user.emailVerifiedAt) return;
    await this.#o.transactor.run((trx) => this.#links.send(trx, user, 'verify_email'));
  }

  /**
   * Always "accepted", whether or not the address has an account, and in the same time: the
   * request path does nothing that depends on the account — looking it up, the per-account mail
   * limit and the mail itself happen after the answer. The work is in-process (lost if the
   * process dies in between: the person asks again).
   */
  requestPasswordReset(email: string): void {
    this.#sendResetLink(email).catch((error: unknown) =>
      this.#o.logger?.error({ err: error }, 'password-reset request failed'),
    );
  }

  async #sendResetLink(email: string): Promise<void> {
    // Off the request path: let the answer go first.
    await new Promise((resolve) => setImmediate(resolve));
    const user = await this.#o.users.findByEmail(email);
    if (!user || user.disabledAt) return;
    // However many addresses ask, one account gets a few reset mails an hour.
    if (!(await this.#o.protection.allowResetMail(user.id))) return;
    await this.#o.transactor.run((trx) => this.#links.send(trx, user, 'reset_password'));
  }

  /** Sets a new password from a mailed token, and signs every device out. */
  async resetPassword(token: string, password: string, meta: RequestMeta): Promise<void> {
    const { users, sessionRows } = this.#o;
    const revoked = await this.#o.transactor.run(async (trx) => {
      const found = await this.#links.use(trx, token, 'reset_password');
      const user = await users.findById(found.userId, trx);
      if (!user || user.email !== found.email) throw InvalidEmailToken();
      assertAcceptablePassword(password, { email: user.email, name: user.name });
      // Receiving the mail proves the address too.
      await users.update(user.id, { passwordHash: await hashPassword(password), emailVerified: true }, trx);
      const ids = await sessionRows.revoke({ userId: user.id }, 'password_reset', trx);
      await this.#recordEvent(
        {
          userId: user.id,
          kind: 'password_reset',
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { devicesSignedOut: ids.length },
        },
        trx,
      );
      return { ids, userId: user.id };
    });
    await this.#o.sessions.markRevoked(revoked.ids);
    await this.#o.onUserChanged?.(revoked.userId);
  }
}

const PASSWORD_CHANGE_SOURCE = 'password-change';
const passwordChangeGuard = (userId: string) => `password-change:${userId}`;
