import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { AccessTokens } from './access-tokens.ts';
import {
  AccountDisabled,
  DeviceLimitReached,
  InvalidCredentials,
  InvalidEmailToken,
  InvalidRefreshToken,
  RefreshTokenReused,
  SessionNotFound,
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
import { recordSecurityEvent } from './security-events.ts';
import { newOpaqueToken, tokenHash } from './secrets.ts';
import type { SessionStates } from './session-states.ts';
import { sessionsRepository, type SessionRow } from './sessions.repository.ts';
import { toUser, usersRepository, type User, type UserRow } from './users.repository.ts';

/** Where a request comes from; recorded with sessions and security events. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface Device {
  name: string;
  type: string;
}

export interface AuthResult {
  user: User;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  sessionId: string;
}

export interface DeviceSummary {
  id: string;
  deviceName: string;
  deviceType: string;
  ip: string | null;
  userAgent: string | null;
  authMethod: string;
  createdAt: Date;
  lastSeenAt: Date;
}

/** How many devices an account may have signed in. Plans set it; until then, a config default. */
export interface AccountLimits {
  maxDevices(userId: string): Promise<number>;
}

export interface AuthServiceOptions {
  db: Kysely<DB>;
  clock: Clock;
  tokens: AccessTokens;
  sessions: SessionStates;
  protection: LoginProtection;
  queue: AppQueue;
  limits: AccountLimits;
  publicUrl: string;
  refreshTokenTtlDays: number;
  /** For work done after the answer (password-reset mail): its failures are logged here. */
  logger?: Logger | undefined;
  /** Told after an account's own data changed (verified, password), so read caches let go of it. */
  onUserChanged?: (userId: string) => Promise<void>;
  /** Creates the first profile of a new account, inside its transaction. */
  createDefaultProfile(db: Kysely<DB>, user: { id: string; name: string }): Promise<void>;
}

const defaultDevice = (meta: RequestMeta): Device => ({
  name: meta.userAgent ? describeUserAgent(meta.userAgent) : 'Unknown device',
  type: 'other',
});

/** Accounts, sign-in and devices: the rules. SQL is in the repositories; HTTP in the routes. */
export class AuthService {
  readonly #o: AuthServiceOptions;
  readonly #links: MailedLinks;

  constructor(options: AuthServiceOptions) {
    this.#o = options;
    this.#links = new MailedLinks(options);
  }

  get #db() {
    return this.#o.db;
  }

  /**
   * Creates an account, or — when the address already has one — mails its owner a notice. The
   * caller gets the same answer either way (no account enumeration: OWASP Authentication Cheat
   * Sheet), and the same work up to the database (the password is hashed in both cases). The new
   * address is mailed a link that confirms it; the account signs in with `login`.
   */
  async register(input: { email: string; password: string; name: string }): Promise<void> {
    assertAcceptablePassword(input.password, { email: input.email, name: input.name });
    const passwordHash = await hashPassword(input.password);
    await this.#db
      .transaction()
      .execute(async (trx) => {
        const existing = await usersRepository.findByEmail(trx, input.email);
        if (existing) return this.#links.sendAccountExists(trx, existing);
        const user = await usersRepository.create(trx, {
          email: input.email,
          name: input.name,
          passwordHash,
          emailVerified: false,
        });
        await this.#o.createDefaultProfile(trx, user);
        await this.#links.send(trx, user, 'verify_email');
      })
      .catch((error: unknown) => {
        // Two registrations racing for one address: the unique index decided; same answer.
        if (!isUniqueViolation(error)) throw error;
      });
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
    const row = await usersRepository.findByEmail(this.#db, input.email);
    // The same work and the same answer whether the account exists or not.
    const valid = row?.passwordHash
      ? await verifyPassword(row.passwordHash, input.password)
      : await verifyAgainstNothing(input.password);
    if (!row || !valid) {
      const pausedSeconds = await this.#o.protection.failed(input.email, ip);
      if (row) {
        await recordSecurityEvent(this.#db, {
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
      await usersRepository.update(this.#db, row.id, { passwordHash: await hashPassword(input.password) });
    }
    return this.#signIn(row, {
      device: input.device ?? defaultDevice(meta),
      meta,
      method: 'password',
      replaceSessionId: input.replaceSessionId,
    });
  }

  /** Signs a known user in on a new device (after a password or an OIDC provider vouched for them). */
  async #signIn(
    row: UserRow,
    options: { device: Device; meta: RequestMeta; method: string; replaceSessionId?: string | undefined },
  ): Promise<AuthResult> {
    // Read before the transaction: the cap comes from the plan (another module's pool query, which
    // on the single-connection embedded database must not wait inside this transaction).
    const max = await this.#o.limits.maxDevices(row.id);
    const { result, replaced } = await this.#db.transaction().execute(async (trx) => {
      await usersRepository.lock(trx, row.id); // one sign-in of this account at a time: the cap holds under races
      const active = await sessionsRepository.listActive(trx, row.id, this.#o.clock.now());
      let replacedIds: string[] = [];
      if (active.length >= max) {
        const replace =
          options.replaceSessionId && active.find((session) => session.id === options.replaceSessionId);
        if (!replace) {
          throw DeviceLimitReached(
            `This account may be signed in on ${max} devices at once. Sign one out (send its id as replaceSessionId) to continue.`,
            { maxDevices: max, devices: active.map(deviceSummary) },
          );
        }
        replacedIds = await sessionsRepository.revoke(trx, { ids: [replace.id] }, 'replaced_at_device_limit');
      }
      const signedIn = await this.#openSession(trx, row, options);
      await recordSecurityEvent(trx, {
        userId: row.id,
        sessionId: signedIn.sessionId,
        kind: 'login_succeeded',
        ip: options.meta.ip,
        userAgent: options.meta.userAgent,
        details: { method: options.method, device: options.device.name },
      });
      return { result: signedIn, replaced: replacedIds };
    });
    await this.#o.sessions.markRevoked(replaced);
    return result;
  }

  async signInVerified(
    row: UserRow,
    options: { device?: Device | undefined; meta: RequestMeta; method: string },
  ): Promise<AuthResult> {
    if (row.disabledAt) throw AccountDisabled();
    await this.#o.onUserChanged?.(row.id);
    return this.#signIn(row, {
      device: options.device ?? defaultDevice(options.meta),
      meta: options.meta,
      method: options.method,
    });
  }

  async #openSession(
    trx: Kysely<DB>,
    user: UserRow,
    options: { device: Device; meta: RequestMeta; method: string },
  ): Promise<AuthResult> {
    const expiresAt = this.#refreshExpiry();
    const profile = await trx
      .selectFrom('profiles')
      .select('id')
      .where('userId', '=', user.id)
      // A new device starts on a profile without a PIN: a PIN-locked one is entered with its PIN.
      .orderBy(sql`pin_hash is not null`)
      .orderBy('createdAt')
      .limit(1)
      .executeTakeFirst();
    const session = await sessionsRepository.create(trx, {
      userId: user.id,
      profileId: profile?.id ?? null,
      deviceName: options.device.name,
      deviceType: options.device.type,
      ip: options.meta.ip,
      userAgent: options.meta.userAgent?.slice(0, 400) ?? null,
      authMethod: options.method,
      expiresAt,
    });
    const refreshToken = newOpaqueToken();
    await sessionsRepository.insertRefreshToken(trx, {
      sessionId: session.id,
      tokenHash: tokenHash(refreshToken),
      expiresAt,
    });
    const access = await this.#o.tokens.issue({ userId: user.id, sessionId: session.id });
    return {
      user: toUser(user),
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      sessionId: session.id,
    };
  }

  #refreshExpiry(): Date {
    return new Date(this.#o.clock.now().getTime() + this.#o.refreshTokenTtlDays * 86_400_000);
  }

  /**
   * Rotates a refresh token: it is spent, and a new one comes back with a new access token.
   * Presenting a spent token means two parties hold this device's tokens (RFC 9700 §4.14.2):
   * the whole family — the session — is revoked and a security event recorded.
   */
  async refresh(refreshToken: string, meta: RequestMeta): Promise<AuthResult> {
    const now = this.#o.clock.now();
    const outcome = await this.#db.transaction().execute(async (trx) => {
      const found = await sessionsRepository.findRefreshToken(trx, tokenHash(refreshToken));
      if (!found) return { kind: 'invalid' as const };
      const fresh = found.usedAt === null && (await sessionsRepository.useRefreshToken(trx, found.id));
      if (!fresh) {
        const revoked = await sessionsRepository.revoke(
          trx,
          { ids: [found.sessionId] },
          'refresh_token_reused',
        );
        await recordSecurityEvent(trx, {
          userId: found.userId,
          sessionId: found.sessionId,
          kind: 'refresh_token_reused',
          ip: meta.ip,
          userAgent: meta.userAgent,
        });
        return { kind: 'reused' as const, revoked };
      }
      if (found.revokedAt || found.expiresAt <= now || found.sessionExpiresAt <= now)
        return { kind: 'invalid' as const };
      const user = await usersRepository.findById(trx, found.userId);
      if (!user || user.disabledAt) return { kind: 'invalid' as const };
      const expiresAt = this.#refreshExpiry();
      const next = newOpaqueToken();
      await sessionsRepository.insertRefreshToken(trx, {
        sessionId: found.sessionId,
        tokenHash: tokenHash(next),
        expiresAt,
      });
      await sessionsRepository.touch(trx, found.sessionId, { ip: meta.ip, expiresAt });
      const access = await this.#o.tokens.issue({ userId: user.id, sessionId: found.sessionId });
      return {
        kind: 'ok' as const,
        result: {
          user: toUser(user),
          accessToken: access.token,
          accessTokenExpiresAt: access.expiresAt,
          refreshToken: next,
          sessionId: found.sessionId,
        },
      };
    });
    switch (outcome.kind) {
      case 'ok':
        await this.#o.sessions.reload(outcome.result.sessionId);
        return outcome.result;
      case 'reused':
        // Committed before we answer, so the revocation holds even though this request fails.
        await this.#o.sessions.markRevoked(outcome.revoked);
        throw RefreshTokenReused();
      case 'invalid':
        throw InvalidRefreshToken();
    }
  }

  async listSessions(userId: string): Promise<DeviceSummary[]> {
    return (await sessionsRepository.listActive(this.#db, userId, this.#o.clock.now())).map(deviceSummary);
  }

  /** Signs one of the user's own devices out. Someone else's session id is "not found", never "forbidden". */
  async revokeSession(
    userId: string,
    sessionId: string,
    meta: RequestMeta,
    reason = 'signed_out',
  ): Promise<void> {
    const revoked = await this.#db.transaction().execute(async (trx) => {
      const session = await sessionsRepository.findById(trx, sessionId);
      if (!session || session.userId !== userId || session.revokedAt) throw SessionNotFound();
      const ids = await sessionsRepository.revoke(trx, { ids: [sessionId] }, reason);
      await recordSecurityEvent(trx, {
        userId,
        sessionId,
        kind: 'session_revoked',
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { reason },
      });
      return ids;
    });
    await this.#o.sessions.markRevoked(revoked);
  }

  async revokeAllSessions(
    userId: string,
    meta: RequestMeta,
    reason = 'signed_out_everywhere',
  ): Promise<number> {
    const revoked = await this.#db.transaction().execute(async (trx) => {
      const ids = await sessionsRepository.revoke(trx, { userId }, reason);
      await recordSecurityEvent(trx, {
        userId,
        kind: 'all_sessions_revoked',
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { reason, count: ids.length },
      });
      return ids;
    });
    await this.#o.sessions.markRevoked(revoked);
    return revoked.length;
  }

  async changePassword(
    userId: string,
    input: { currentPassword: string; newPassword: string; keepSessionId: string },
    meta: RequestMeta,
  ): Promise<void> {
    const row = await usersRepository.findById(this.#db, userId);
    if (!row) throw InvalidCredentials();
    // A stolen access token must not become an oracle for the password: the same pauses as
    // sign-in, per account (whatever the address), then 429.
    const guard = passwordChangeGuard(userId);
    await this.#o.protection.beforeAttempt(guard, PASSWORD_CHANGE_SOURCE);
    if (row.passwordHash && !(await verifyPassword(row.passwordHash, input.currentPassword))) {
      const pausedSeconds = await this.#o.protection.failed(guard, PASSWORD_CHANGE_SOURCE);
      await recordSecurityEvent(this.#db, {
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
    const revoked = await this.#db.transaction().execute(async (trx) => {
      await usersRepository.update(trx, userId, { passwordHash });
      const others = (await sessionsRepository.listActive(trx, userId, this.#o.clock.now()))
        .map((session) => session.id)
        .filter((id) => id !== input.keepSessionId);
      const ids = await sessionsRepository.revoke(trx, { ids: others }, 'password_changed');
      await recordSecurityEvent(trx, {
        userId,
        kind: 'password_changed',
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { otherDevicesSignedOut: ids.length },
      });
      return ids;
    });
    await this.#o.sessions.markRevoked(revoked);
  }

  async verifyEmail(token: string, meta: RequestMeta): Promise<void> {
    const userId = await this.#db.transaction().execute(async (trx) => {
      const found = await this.#links.use(trx, token, 'verify_email');
      const user = await usersRepository.findById(trx, found.userId);
      // A token for an address the account no longer has verifies nothing.
      if (!user || user.email !== found.email) throw InvalidEmailToken();
      await usersRepository.update(trx, user.id, { emailVerified: true });
      await recordSecurityEvent(trx, {
        userId: user.id,
        kind: 'email_verified',
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      return user.id;
    });
    await this.#o.onUserChanged?.(userId);
  }

  async resendVerification(userId: string): Promise<void> {
    const user = await usersRepository.findById(this.#db, userId);
    if (!user || user.emailVerifiedAt) return;
    await this.#db.transaction().execute((trx) => this.#links.send(trx, user, 'verify_email'));
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
    const user = await usersRepository.findByEmail(this.#db, email);
    if (!user || user.disabledAt) return;
    // However many addresses ask, one account gets a few reset mails an hour.
    if (!(await this.#o.protection.allowResetMail(user.id))) return;
    await this.#db.transaction().execute((trx) => this.#links.send(trx, user, 'reset_password'));
  }

  /** Sets a new password from a mailed token, and signs every device out. */
  async resetPassword(token: string, password: string, meta: RequestMeta): Promise<void> {
    const revoked = await this.#db.transaction().execute(async (trx) => {
      const found = await this.#links.use(trx, token, 'reset_password');
      const user = await usersRepository.findById(trx, found.userId);
      if (!user || user.email !== found.email) throw InvalidEmailToken();
      assertAcceptablePassword(password, { email: user.email, name: user.name });
      // Receiving the mail proves the address too.
      await usersRepository.update(trx, user.id, {
        passwordHash: await hashPassword(password),
        emailVerified: true,
      });
      const ids = await sessionsRepository.revoke(trx, { userId: user.id }, 'password_reset');
      await recordSecurityEvent(trx, {
        userId: user.id,
        kind: 'password_reset',
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { devicesSignedOut: ids.length },
      });
      return { ids, userId: user.id };
    });
    await this.#o.sessions.markRevoked(revoked.ids);
    await this.#o.onUserChanged?.(revoked.userId);
  }
}

const PASSWORD_CHANGE_SOURCE = 'password-change';
const passwordChangeGuard = (userId: string) => `password-change:${userId}`;

function deviceSummary(session: SessionRow): DeviceSummary {
  return {
    id: session.id,
    deviceName: session.deviceName,
    deviceType: session.deviceType,
    ip: session.ip,
    userAgent: session.userAgent,
    authMethod: session.authMethod,
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
  };
}

/** "Firefox on Linux" from a User-Agent, for a device the client didn't name. */
export function describeUserAgent(userAgent: string): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /OPR\//.test(userAgent)
      ? 'Opera'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Chrome\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : undefined;
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  if (browser && system) return `${browser} on ${system}`;
  return (browser ?? system ?? userAgent.split(/[\s/]/)[0] ?? 'Unknown device').slice(0, 80);
}
