import type { Kysely, Selectable } from 'kysely';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { ApiKeysTable, DB } from '../../platform/db/db.generated.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import { permissions as allPermissions, type Actor, type Permission } from './access.ts';
import { ApiKeyNotFound, ScopeNotGrantable } from './identity.errors.ts';
import { newOpaqueToken, tokenHash } from './secrets.ts';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
}

interface CachedKey {
  id: string;
  name: string;
  scopes: string[];
  expiresAt: number | null;
  revoked: boolean;
}

const KEY_PREFIX = 'mq_';
const cacheKey = (hash: string) => `auth:api-key:${hash}`;

const toApiKey = (row: Selectable<ApiKeysTable>): ApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  lastUsedAt: row.lastUsedAt,
  lastUsedIp: row.lastUsedIp,
  revokedAt: row.revokedAt,
});

/**
 * Credentials for other services (the brief's "IAM roles"). A key is shown once, stored as a
 * hash, carries scopes (permission names, never more than its creator holds), may expire, can be
 * revoked, and records when and from where it was last used.
 */
export class ApiKeysService {
  readonly #db: Kysely<DB>;
  readonly #cache: Cache;
  readonly #clock: Clock;
  readonly #audit: AuditLog;

  constructor(options: { db: Kysely<DB>; cache: Cache; clock: Clock; audit: AuditLog }) {
    this.#db = options.db;
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
    const expiresAt = input.expiresInDays
      ? new Date(this.#clock.now().getTime() + input.expiresInDays * 86_400_000)
      : null;
    const row = await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('apiKeys')
        .values({
          name: input.name,
          prefix: key.slice(0, KEY_PREFIX.length + 6),
          keyHash: tokenHash(key),
          scopes: [...new Set(input.scopes)],
          createdBy: creator.kind === 'user' ? creator.userId : null,
          expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.#audit.record(trx, context, {
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: inserted.id,
        after: { name: inserted.name, scopes: inserted.scopes, expiresAt: inserted.expiresAt },
      });
      return inserted;
    });
    return { key, apiKey: toApiKey(row) };
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.#db.selectFrom('apiKeys').selectAll().orderBy('createdAt', 'desc').execute();
    return rows.map(toApiKey);
  }

  async revoke(id: string, context: RequestContext): Promise<void> {
    const row = await this.#db.transaction().execute(async (trx) => {
      const revoked = await trx
        .updateTable('apiKeys')
        .set({ revokedAt: this.#clock.now() })
        .where('id', '=', id)
        .where('revokedAt', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!revoked) throw ApiKeyNotFound();
      await this.#audit.record(trx, context, {
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: id,
        before: { revokedAt: null },
        after: { revokedAt: revoked.revokedAt },
      });
      return revoked;
    });
    await this.#cache.set(
      cacheKey(row.keyHash),
      { id, name: row.name, scopes: [], expiresAt: 0, revoked: true } satisfies CachedKey,
      3_600_000,
    );
  }

  /** The actor a presented key stands for, or undefined when it is unknown, revoked or expired. */
  async authenticate(key: string, ip: string | null): Promise<Actor | undefined> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return undefined;
    const hash = tokenHash(key);
    let entry = await this.#cache.get<CachedKey>(cacheKey(hash));
    if (!entry) {
      const row = await this.#db
        .selectFrom('apiKeys')
        .selectAll()
        .where('keyHash', '=', hash)
        .executeTakeFirst();
      if (!row) return undefined;
      entry = {
        id: row.id,
        name: row.name,
        scopes: row.scopes,
        expiresAt: row.expiresAt?.getTime() ?? null,
        revoked: row.revokedAt !== null,
      };
      await this.#cache.setIfAbsent(cacheKey(hash), entry, 60_000);
    }
    const now = this.#clock.now();
    if (entry.revoked || (entry.expiresAt !== null && entry.expiresAt <= now.getTime())) return undefined;
    // Last use, at most once a minute per key: not a database write per request.
    if (await this.#cache.setIfAbsent(`auth:api-key-seen:${entry.id}`, 1, 60_000)) {
      await this.#db
        .updateTable('apiKeys')
        .set({ lastUsedAt: now, lastUsedIp: ip })
        .where('id', '=', entry.id)
        .execute();
    }
    const known = new Set<string>(allPermissions);
    return {
      kind: 'api_key',
      keyId: entry.id,
      name: entry.name,
      permissions: new Set(entry.scopes.filter((scope): scope is Permission => known.has(scope))),
    };
  }
}
