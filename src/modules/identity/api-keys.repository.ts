import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { ApiKeysTable, DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** Service keys (stored as hashes) and their families. SQL only; the executor last (the pool by default). */
export class ApiKeysRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  insert(values: Insertable<ApiKeysTable>, executor: Executor = this.#db): Promise<ApiKeyRow> {
    return executor.insertInto('apiKeys').values(values).returningAll().executeTakeFirstOrThrow();
  }

  list(): Promise<ApiKeyRow[]> {
    return this.#db.selectFrom('apiKeys').selectAll().orderBy('createdAt', 'desc').execute();
  }

  /** An unrevoked key, locked until the transaction ends. */
  findLiveForUpdate(id: string, executor: Executor): Promise<ApiKeyRow | undefined> {
    return executor
      .selectFrom('apiKeys')
      .selectAll()
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .forUpdate()
      .executeTakeFirst();
  }

  /** The key and every key descended from it (made by it, or by one of those, …). */
  async familyOf(id: string, executor: Executor = this.#db): Promise<string[]> {
    const family = await sql<{ id: string }>`
      with recursive family(id) as (
        select ${id}::uuid
        union
        select k.id from api_keys k join family f on k.parent_key_id = f.id
      )
      select id from family`.execute(executor);
    return family.rows.map((row) => row.id);
  }

  /** Revokes those of these keys not yet revoked; returns them. */
  revoke(ids: string[], at: Date, executor: Executor = this.#db) {
    return executor
      .updateTable('apiKeys')
      .set({ revokedAt: at })
      .where('id', 'in', ids)
      .where('revokedAt', 'is', null)
      .returning(['id', 'keyHash'])
      .execute();
  }

  async hashesOf(ids: string[], executor: Executor = this.#db): Promise<string[]> {
    const rows = await executor.selectFrom('apiKeys').select('keyHash').where('id', 'in', ids).execute();
    return rows.map((row) => row.keyHash);
  }

  /** Hashes of the unrevoked keys a person made. */
  async liveHashesCreatedBy(userId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('apiKeys')
      .select('keyHash')
      .where('createdBy', '=', userId)
      .where('revokedAt', 'is', null)
      .execute();
    return rows.map((row) => row.keyHash);
  }

  /** A key by its hash, with the roles and state of the person who made it. */
  findWithCreator(keyHash: string) {
    return this.#db
      .selectFrom('apiKeys')
      .leftJoin('users', 'users.id', 'apiKeys.createdBy')
      .select([
        'apiKeys.id',
        'apiKeys.name',
        'apiKeys.scopes',
        'apiKeys.createdBy',
        'apiKeys.expiresAt',
        'apiKeys.revokedAt',
        'users.roles',
        'users.disabledAt',
      ])
      .where('apiKeys.keyHash', '=', keyHash)
      .executeTakeFirst();
  }

  async markUsed(id: string, at: Date, ip: string | null): Promise<void> {
    await this.#db
      .updateTable('apiKeys')
      .set({ lastUsedAt: at, lastUsedIp: ip })
      .where('id', '=', id)
      .execute();
  }
}
