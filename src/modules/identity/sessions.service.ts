import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { AccessTokens } from './access-tokens.ts';
import {
  DeviceLimitReached,
  InvalidRefreshToken,
  RefreshTokenReused,
  SessionNotFound,
} from './identity.errors.ts';
import type { PublishIdentityEvent } from './identity.events.ts';
import type { ProfilesRepository } from './profiles.repository.ts';
import { newOpaqueToken, tokenHash } from './secrets.ts';
import type { SecurityEventsRepository } from './security-events.repository.ts';
import type { SessionStates } from './session-states.ts';
import type { SessionRow, SessionsRepository } from './sessions.repository.ts';
import { toUser, type User, type UserRow, type UsersRepository } from './users.repository.ts';

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

export interface SessionsServiceOptions {
  users: UsersRepository;
  sessionRows: SessionsRepository;
  profiles: ProfilesRepository;
  securityEvents: SecurityEventsRepository;
  transactor: Transactor;
  clock: Clock;
  tokens: AccessTokens;
  sessions: SessionStates;
  limits: AccountLimits;
  refreshTokenTtlDays: number;
  /** Tells listeners (analytics) of a sign-in, after the commit. */
  publish: PublishIdentityEvent;
}

export const defaultDevice = (meta: RequestMeta): Device => ({
  name: meta.userAgent ? describeUserAgent(meta.userAgent) : 'Unknown device',
  type: 'other',
});

/**
 * Signed-in devices: opening a session within the account's device cap, rotating its refresh
 * token, listing and signing devices out. Who may sign in is decided before (AuthService, OIDC).
 */
export class SessionsService {
  readonly #o: SessionsServiceOptions;

  constructor(options: SessionsServiceOptions) {
    this.#o = options;
  }

  /** Signs a known user in on a new device (after a password or an OIDC provider vouched for them). */
  async signIn(
    row: UserRow,
    options: { device: Device; meta: RequestMeta; method: string; replaceSessionId?: string | undefined },
  ): Promise<AuthResult> {
    const { users, sessionRows } = this.#o;
    // Read before the transaction: the cap comes from the plan (another module's pool query, which
    // on the single-connection embedded database must not wait inside this transaction).
    const max = await this.#o.limits.maxDevices(row.id);
    const { result, replaced } = await this.#o.transactor.run(async (trx) => {
      await users.lock(row.id, trx); // one sign-in of this account at a time: the cap holds under races
      const active = await sessionRows.listActive(row.id, trx);
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
        replacedIds = await sessionRows.revoke({ ids: [replace.id] }, 'replaced_at_device_limit', trx);
      }
      const expiresAt = this.#refreshExpiry();
      const session = await sessionRows.create(
        {
          userId: row.id,
          // A new device starts on a profile without a PIN: a PIN-locked one is entered with its PIN.
          profileId: (await this.#o.profiles.firstForNewDevice(row.id, trx)) ?? null,
          deviceName: options.device.name,
          deviceType: options.device.type,
          ip: options.meta.ip,
          userAgent: options.meta.userAgent?.slice(0, 400) ?? null,
          authMethod: options.method,
          expiresAt,
        },
        trx,
      );
      const refreshToken = newOpaqueToken();
      await sessionRows.insertRefreshToken(
        { sessionId: session.id, tokenHash: tokenHash(refreshToken), expiresAt },
        trx,
      );
      await this.#o.securityEvents.record(
        {
          userId: row.id,
          sessionId: session.id,
          kind: 'login_succeeded',
          ip: options.meta.ip,
          userAgent: options.meta.userAgent,
          details: { method: options.method, device: options.device.name },
        },
        trx,
      );
      return { result: await this.#issue(row, session.id, refreshToken), replaced: replacedIds };
    });
    await this.#o.sessions.markRevoked(replaced);
    await this.#o.publish({
      type: 'UserSignedIn',
      at: this.#o.clock.now().toISOString(),
      userId: row.id,
      method: options.method,
      deviceType: options.device.type,
    });
    return result;
  }

  async #issue(user: UserRow, sessionId: string, refreshToken: string): Promise<AuthResult> {
    const access = await this.#o.tokens.issue({ userId: user.id, sessionId });
    return {
      user: toUser(user),
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      sessionId,
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
    const { users, sessionRows } = this.#o;
    const now = this.#o.clock.now();
    const outcome = await this.#o.transactor.run(async (trx) => {
      const found = await sessionRows.findRefreshToken(tokenHash(refreshToken), trx);
      if (!found) return { kind: 'invalid' as const };
      const fresh = found.usedAt === null && (await sessionRows.useRefreshToken(found.id, trx));
      if (!fresh) {
        const revoked = await sessionRows.revoke({ ids: [found.sessionId] }, 'refresh_token_reused', trx);
        await this.#o.securityEvents.record(
          {
            userId: found.userId,
            sessionId: found.sessionId,
            kind: 'refresh_token_reused',
            ip: meta.ip,
            userAgent: meta.userAgent,
          },
          trx,
        );
        return { kind: 'reused' as const, revoked };
      }
      if (found.revokedAt || found.expiresAt <= now || found.sessionExpiresAt <= now)
        return { kind: 'invalid' as const };
      const user = await users.findById(found.userId, trx);
      if (!user || user.disabledAt) return { kind: 'invalid' as const };
      const expiresAt = this.#refreshExpiry();
      const next = newOpaqueToken();
      await sessionRows.insertRefreshToken(
        { sessionId: found.sessionId, tokenHash: tokenHash(next), expiresAt },
        trx,
      );
      await sessionRows.touch(found.sessionId, { ip: meta.ip, expiresAt }, trx);
      return { kind: 'ok' as const, result: await this.#issue(user, found.sessionId, next) };
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

  async list(userId: string): Promise<DeviceSummary[]> {
    return (await this.#o.sessionRows.listActive(userId)).map(deviceSummary);
  }

  /** Signs one of the user's own devices out. Someone else's session id is "not found", never "forbidden". */
  async revoke(userId: string, sessionId: string, meta: RequestMeta, reason = 'signed_out'): Promise<void> {
    const { sessionRows } = this.#o;
    const revoked = await this.#o.transactor.run(async (trx) => {
      const session = await sessionRows.findById(sessionId, trx);
      if (!session || session.userId !== userId || session.revokedAt) throw SessionNotFound();
      const ids = await sessionRows.revoke({ ids: [sessionId] }, reason, trx);
      await this.#o.securityEvents.record(
        {
          userId,
          sessionId,
          kind: 'session_revoked',
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { reason },
        },
        trx,
      );
      return ids;
    });
    await this.#o.sessions.markRevoked(revoked);
  }

  async revokeAll(userId: string, meta: RequestMeta, reason = 'signed_out_everywhere'): Promise<number> {
    const revoked = await this.#o.transactor.run(async (trx) => {
      const ids = await this.#o.sessionRows.revoke({ userId }, reason, trx);
      await this.#o.securityEvents.record(
        {
          userId,
          kind: 'all_sessions_revoked',
          ip: meta.ip,
          userAgent: meta.userAgent,
          details: { reason, count: ids.length },
        },
        trx,
      );
      return ids;
    });
    await this.#o.sessions.markRevoked(revoked);
    return revoked.length;
  }
}

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
