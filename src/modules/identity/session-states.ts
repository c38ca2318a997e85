import { trySetIfAbsent, type Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Role } from './access.ts';
import type { Profile } from './profiles.service.ts';
import type { SessionsRepository } from './sessions.repository.ts';

/** The account as a signed-in request sees it. */
export interface AccountSnapshot {
  email: string;
  name: string;
  emailVerified: boolean;
  hasPassword: boolean;
  /** ISO 8601 (cache entries are JSON). */
  createdAt: string;
}

/** The profile a device watches as: the one selected on the session, else the account's first. */
export type ProfileSnapshot = Omit<Profile, 'userId' | 'createdAt'> & {
  /** ISO 8601 (cache entries are JSON). */
  createdAt: string;
};

/** What every authenticated request needs to know, in one cache entry per session. */
export interface SessionState {
  userId: string;
  revoked: boolean;
  /** Epoch ms. */
  expiresAt: number;
  roles: Role[];
  disabled: boolean;
  account: AccountSnapshot | null;
  profile: ProfileSnapshot | null;
}

const key = (sessionId: string) => `auth:session:${sessionId}`;
// Short, so that a change we could not invalidate precisely is seen within a minute.
const TTL_MS = 60_000;
const tombstone: SessionState = {
  userId: '',
  revoked: true,
  expiresAt: 0,
  roles: [],
  disabled: true,
  account: null,
  profile: null,
};

/**
 * The per-request session check, made cheap: one cache read (in-process or Redis) per request,
 * which also brings the account and the active profile, so most handlers need no other read.
 *
 * Revocation writes a tombstone *after* its transaction commits, and a reader that filled the
 * cache from the database writes with set-if-absent, so a read that raced a revocation can
 * never put a live state back over the tombstone: sign-out takes effect at once, on every
 * instance sharing the cache. Other changes (roles, names, profiles) drop the entries.
 */
export class SessionStates {
  readonly #repository: SessionsRepository;
  readonly #cache: Cache;
  readonly #clock: Clock;
  readonly #tombstoneMs: number;

  constructor(options: {
    sessions: SessionsRepository;
    cache: Cache;
    clock: Clock;
    accessTokenTtlSeconds: number;
  }) {
    this.#repository = options.sessions;
    this.#cache = options.cache;
    this.#clock = options.clock;
    this.#tombstoneMs = (options.accessTokenTtlSeconds + 60) * 1000;
  }

  /** The cached state at once when the cache holds it in this process; undefined: ask `get`. */
  peek(sessionId: string): SessionState | undefined {
    return this.#cache.peek?.<SessionState>(key(sessionId));
  }

  async get(sessionId: string): Promise<SessionState | undefined> {
    const cached = await this.#cache.get<SessionState>(key(sessionId));
    if (cached) return cached;
    const state = await this.#load(sessionId);
    if (!state) return undefined;
    await trySetIfAbsent(this.#cache, key(sessionId), state, state.revoked ? this.#tombstoneMs : TTL_MS);
    return state;
  }

  async #load(sessionId: string): Promise<SessionState | undefined> {
    const row = await this.#repository.findWithAccount(sessionId);
    if (!row) return undefined;
    return {
      userId: row.userId,
      revoked: row.revokedAt !== null,
      expiresAt: row.expiresAt.getTime(),
      roles: row.roles as Role[],
      disabled: row.disabledAt !== null,
      account: {
        email: row.email,
        name: row.name,
        emailVerified: row.emailVerifiedAt !== null,
        hasPassword: row.passwordHash !== null,
        createdAt: row.createdAt.toISOString(),
      },
      profile: row.profileId
        ? {
            id: row.profileId,
            name: row.profileName ?? '',
            avatar: row.profileAvatar,
            isKids: row.profileIsKids ?? false,
            maturityLimit: row.profileMaturityLimit,
            hasPin: row.profilePinHash !== null,
            language: row.profileLanguage ?? 'en',
            createdAt: row.profileCreatedAt?.toISOString() ?? row.createdAt.toISOString(),
          }
        : null,
    };
  }

  isAlive(state: SessionState | undefined): state is SessionState {
    return (
      state !== undefined &&
      !state.revoked &&
      !state.disabled &&
      state.expiresAt > this.#clock.now().getTime()
    );
  }

  /** After revoking in the database: every instance refuses these sessions from now on. */
  async markRevoked(sessionIds: readonly string[]): Promise<void> {
    await Promise.all(sessionIds.map((id) => this.#cache.set(key(id), tombstone, this.#tombstoneMs)));
  }

  /** After changing a session's row (profile, expiry): re-read it now. */
  async reload(sessionId: string): Promise<void> {
    await this.#cache.delete(key(sessionId));
    await this.get(sessionId);
  }

  /** After changing a user or their profiles: drop the cached state of all their live sessions. */
  async forgetUser(userId: string): Promise<void> {
    const ids = await this.#repository.unrevokedIdsOf(userId);
    if (ids.length > 0) await this.#cache.delete(...ids.map(key));
  }
}
