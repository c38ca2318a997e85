import { trySetIfAbsent, type Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import {
  holdsScopes,
  permissions as allPermissions,
  permissionsOf,
  type Actor,
  type Permission,
} from './access.ts';
import type { ApiKeyRow, ApiKeysRepository } from './api-keys.repository.ts';
import { ApiKeyNotFound, Forbidden, ScopeNotGrantable } from './identity.errors.ts';
import { newOpaqueToken, tokenHash } from './secrets.ts';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdBy: string | null;
  parentKeyId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
}

interface CachedKey {
  id: string;
  name: string;
  /** What the key may do now: its scopes ∩ its creator's rights. */
  permissions: string[];
  createdBy: string | null;
  expiresAt: number | null;
  revoked: boolean;
}

const KEY_PREFIX = 'mq_';
const cacheKey = (hash: string) => `auth:api-key:${hash}`;
const CACHE_TTL_MS = 60_000;
const TOMBSTONE_MS = 3_600_000;

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes,
  createdBy: row.createdBy,
  parentKeyId: row.parentKeyId,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  lastUsedAt: row.lastUsedAt,
  lastUsedIp: row.lastUsedIp,
  revokedAt: row.revokedAt,
});

/**
 * Credentials for other services (the brief's "IAM roles"). A key is shown once, stored as a
 * hash, carries scopes, may expire, can be revoked, and records when and from where it was last
 * used.
 *
 * A key is bounded by whoever made it:
 * - its scopes are at most its creator's rights when made, and what it may do is re-derived
 *   from its creator's rights now (scopes ∩ creator's permissions): demoting or disabling the
 *   person demotes or disables their keys, within a minute everywhere and at once here;
 * - a key made by a key records its parent and the same responsible person (`createdBy`), never
 *   expires later than its parent, and is revoked with it (the whole family at once, cached
 *   state included). A key made by a person is not bound to that person's sign-in session: a
 *   service key is meant to outlive a browser session.
 */
export class ApiKeysService {
  readonly #keys: ApiKeysRepository;
  readonly #transactor: Transactor;
  readonly #cache: Cache;
  readonly #clock: Clock;
  readonly #audit: AuditLog;

  constructor(options: {
    keys: ApiKeysRepository;
    transactor: Transactor;
    cache: Cache;
    clock: Clock;
    audit: AuditLog;
  }) {
    this.#keys = options.keys;
    this.#transactor = options.transactor;
    this.#cache = options.cache;
    this.#clock = options.clock;
    this.#audit = options.audit;
  }

  async create(
    creator: Actor,
    input: { name: string; scopes: Permission[]; expiresInDays?: number | undefined },
    context: RequestContext,
  ): Promise<{ key: string; apiKey: ApiKey }> {
    const beyond = input.scopes.filter((scope) => !creator.permissions.has(scope));
    if (beyond.length > 0)
      throw ScopeNotGrantable(`You do not hold: ${beyond.join(', ')}`, { scopes: beyond });
    const key = newOpaqueToken(KEY_PREFIX);
    const requested = input.expiresInDays
      ? this.#clock.now().getTime() + input.expiresInDays * 86_400_000
      : null;
    const parentExpiry = creator.kind === 'api_key' ? creator.expiresAt : null;
    const expiresAt =
      parentExpiry === null
        ? requested
        : requested === null
          ? parentExpiry
          : Math.min(requested, parentExpiry);
    const row = await this.#transactor.run(async (trx) => {
      const inserted = await this.#keys.insert(
        {
          name: input.name,
          prefix: key.slice(0, KEY_PREFIX.length + 6),
          keyHash: tokenHash(key),
          scopes: [...new Set(input.scopes)],
          createdBy: creator.kind === 'user' ? creator.userId : creator.createdBy,
          parentKeyId: creator.kind === 'api_key' ? creator.keyId : null,
          expiresAt: expiresAt === null ? null : new Date(expiresAt),
        },
        trx,
      );
      await this.#audit.record(trx, context, {
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: inserted.id,
        after: {
          name: inserted.name,
          scopes: inserted.scopes,
          expiresAt: inserted.expiresAt,
          parentKeyId: inserted.parentKeyId,
        },
      });
      return inserted;
    });
    return { key, apiKey: toApiKey(row) };
  }

  async list(): Promise<ApiKey[]> {
    return (await this.#keys.list()).map(toApiKey);
  }

  /** Revokes a key and every key descended from it; only an actor holding all its scopes may. */
  async revoke(actor: Actor, id: string, context: RequestContext): Promise<void> {
    const hashes = await this.#transactor.run(async (trx) => {
      const target = await this.#keys.findLiveForUpdate(id, trx);
      if (!target) throw ApiKeyNotFound();
      if (!holdsScopes(actor, target.scopes))
        throw Forbidden('You may not revoke a key with rights you do not hold');
      const revokedAt = this.#clock.now();
      const family = await this.#keys.familyOf(id, trx);
      const revoked = await this.#keys.revoke(family, revokedAt, trx);
      await this.#audit.record(trx, context, {
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: id,
        before: { revokedAt: null },
        after: { revokedAt, descendantsRevoked: revoked.filter((row) => row.id !== id).map((row) => row.id) },
      });
      // Descendants already revoked earlier still get a tombstone: cheap, and idempotent.
      return this.#keys.hashesOf(family, trx);
    });
    // After commit, on the shared cache: every instance refuses the family from now on.
    await Promise.all(
      hashes.map((hash) =>
        this.#cache.set(
          cacheKey(hash),
          {
            id: '',
            name: '',
            permissions: [],
            createdBy: null,
            expiresAt: 0,
            revoked: true,
          } satisfies CachedKey,
          TOMBSTONE_MS,
        ),
      ),
    );
  }

  /** After a person's roles changed or they were disabled: their keys' rights are re-derived now. */
  async forgetCreatedBy(userId: string): Promise<void> {
    const hashes = await this.#keys.liveHashesCreatedBy(userId);
    if (hashes.length > 0) await this.#cache.delete(...hashes.map(cacheKey));
  }

  /** The actor a presented key stands for, or undefined when it is unknown, revoked or expired. */
  async authenticate(key: string, ip: string | null): Promise<Actor | undefined> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return undefined;
    const hash = tokenHash(key);
    let entry = await this.#cache.get<CachedKey>(cacheKey(hash));
    if (!entry) {
      const row = await this.#keys.findWithCreator(hash);
      if (!row) return undefined;
      // No person behind it (deleted, or a key from before creators were recorded): no rights.
      const creatorRights = row.roles && !row.disabledAt ? permissionsOf(row.roles) : new Set<Permission>();
      entry = {
        id: row.id,
        name: row.name,
        permissions: row.scopes.filter((scope) => creatorRights.has(scope as Permission)),
        createdBy: row.createdBy,
        expiresAt: row.expiresAt?.getTime() ?? null,
        revoked: row.revokedAt !== null,
      };
      await trySetIfAbsent(this.#cache, cacheKey(hash), entry, CACHE_TTL_MS);
    }
    const now = this.#clock.now();
    if (entry.revoked || (entry.expiresAt !== null && entry.expiresAt <= now.getTime())) return undefined;
    // Last use, at most once a minute per key: not a database write per request.
    if (await trySetIfAbsent(this.#cache, `auth:api-key-seen:${entry.id}`, 1, 60_000)) {
      await this.#keys.markUsed(entry.id, now, ip);
    }
    const known = new Set<string>(allPermissions);
    return {
      kind: 'api_key',
      keyId: entry.id,
      name: entry.name,
      permissions: new Set(entry.permissions.filter((scope): scope is Permission => known.has(scope))),
      createdBy: entry.createdBy,
      expiresAt: entry.expiresAt,
    };
  }
}
