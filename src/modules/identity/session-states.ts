import type { Kysely } from 'kysely';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Role } from './access.ts';

/** What every authenticated request needs to know about its session, cached. */
export interface SessionState {
  userId: string;
  profileId: string | null;
  revoked: boolean;
  /** Epoch ms. */
  expiresAt: number;
  roles: Role[];
  disabled: boolean;
}

const key = (sessionId: string) => `auth:session:${sessionId}`;
// Short, so that a change we could not invalidate precisely (a role) is seen within a minute.
const TTL_MS = 60_000;

/**
 * The per-request session check, made cheap: one cache read (in-process or Redis) per request.
 *
 * Revocation writes a tombstone *after* its transaction commits, and a reader that filled the
 * cache from the database writes with set-if-absent, so a read that raced a revocation can
 * never put a live state back over the tombstone: sign-out takes effect at once, on every
 * instance sharing the cache.
 */
export class SessionStates {
  readonly #db: Kysely<DB>;
  readonly #cache: Cache;
  readonly #clock: Clock;
  readonly #tombstoneMs: number;

  constructor(options: { db: Kysely<DB>; cache: Cache; clock: Clock; accessTokenTtlSeconds: number }) {
    this.#db = options.db;
    this.#cache = options.cache;
    this.#clock = options.clock;
    this.#tombstoneMs = (options.accessTokenTtlSeconds + 60) * 1000;
  }

  async get(sessionId: string): Promise<SessionState | undefined> {
    const cached = await this.#cache.get<SessionState>(key(sessionId));
    if (cached) return cached;
    const row = await this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.userId')
      .select([
        'sessions.userId',
        'sessions.profileId',
        'sessions.revokedAt',
        'sessions.expiresAt',
        'users.roles',
        'users.disabledAt',
      ])
      .where('sessions.id', '=', sessionId)
      .executeTakeFirst();
    if (!row) return undefined;
    const state: SessionState = {
      userId: row.userId,
      profileId: row.profileId,
      revoked: row.revokedAt !== null,
      expiresAt: row.expiresAt.getTime(),
      roles: row.roles as Role[],
      disabled: row.disabledAt !== null,
    };
    await this.#cache.setIfAbsent(key(sessionId), state, state.revoked ? this.#tombstoneMs : TTL_MS);
    return state;
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
    await Promise.all(
      sessionIds.map((id) =>
        this.#cache.set(
          key(id),
          {
            userId: '',
            profileId: null,
            revoked: true,
            expiresAt: 0,
            roles: [],
            disabled: true,
          } satisfies SessionState,
          this.#tombstoneMs,
        ),
      ),
    );
  }

  /** After changing a session's row (profile, expiry): re-read it now. */
  async reload(sessionId: string): Promise<void> {
    await this.#cache.delete(key(sessionId));
    await this.get(sessionId);
  }

  /** After changing a user (roles, disabled): drop the cached state of all their live sessions. */
  async forgetUser(userId: string): Promise<void> {
    const rows = await this.#db
      .selectFrom('sessions')
      .select('id')
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .execute();
    if (rows.length > 0) await this.#cache.delete(...rows.map((row) => key(row.id)));
  }
}
