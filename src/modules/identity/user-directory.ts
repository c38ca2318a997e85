import type { Kysely } from 'kysely';
import type { Cache } from '../../platform/cache/cache.port.ts';
import { cached } from '../../platform/cache/cache.port.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { UserNotFound } from './identity.errors.ts';
import type { Profile, ProfilesService } from './profiles.service.ts';
import { toUser, usersRepository, type User } from './users.repository.ts';

const userKey = (id: string) => `identity:user:${id}`;
const profileKey = (profileId: string) => `identity:profile:${profileId}`;
const defaultProfileKey = (userId: string) => `identity:default-profile:${userId}`;
const TTL_MS = 60_000;

/**
 * Read access to accounts for the rest of the app (and /api/me), through the cache: the profile
 * a request acts for is needed on most requests (maturity limits, history), and must not cost a
 * database round trip each time.
 */
export class UserDirectory {
  readonly #db: Kysely<DB>;
  readonly #cache: Cache;
  readonly #profiles: ProfilesService;

  constructor(options: { db: Kysely<DB>; cache: Cache; profiles: ProfilesService }) {
    this.#db = options.db;
    this.#cache = options.cache;
    this.#profiles = options.profiles;
  }

  async get(userId: string): Promise<User | undefined> {
    const user = await cached(this.#cache, userKey(userId), TTL_MS, async () => {
      const row = await usersRepository.findById(this.#db, userId);
      return row ? toUser(row) : null;
    });
    return user ? { ...user, createdAt: new Date(user.createdAt) } : undefined;
  }

  async activeProfile(userId: string, selectedProfileId: string | null): Promise<Profile | undefined> {
    if (selectedProfileId) {
      const selected = await cached(this.#cache, profileKey(selectedProfileId), TTL_MS, async () => {
        return (await this.#profiles.find(selectedProfileId)) ?? null;
      });
      if (selected && selected.userId === userId)
        return { ...selected, createdAt: new Date(selected.createdAt) };
    }
    const fallback = await cached(this.#cache, defaultProfileKey(userId), TTL_MS, async () => {
      return (await this.#profiles.active(userId, null)) ?? null;
    });
    return fallback ? { ...fallback, createdAt: new Date(fallback.createdAt) } : undefined;
  }

  async update(userId: string, change: { name?: string | undefined }): Promise<User> {
    const row = await usersRepository.update(this.#db, userId, change);
    if (!row) throw UserNotFound();
    await this.forget(userId);
    return toUser(row);
  }

  /** After any change to an account or to some of its profiles. */
  async forget(userId: string, profileIds: readonly string[] = []): Promise<void> {
    await this.#cache.delete(userKey(userId), defaultProfileKey(userId), ...profileIds.map(profileKey));
  }
}
