import { sql, type Kysely, type Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB, ProfilesTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type ProfileRow = Selectable<ProfilesTable>;

export interface NewProfile {
  userId: string;
  name: string;
  avatar?: string | null;
  isKids?: boolean;
  maturityLimit?: number | null;
  pinHash?: string | null;
  language?: string;
}

export interface ProfileChanges {
  name?: string;
  avatar?: string | null;
  language?: string;
  pinHash?: string | null;
  isKids: boolean;
  maturityLimit: number | null;
}

/** Viewer profiles of accounts. SQL only; the executor last (the pool by default). */
export class ProfilesRepository {
  readonly #db: Kysely<DB>;
  readonly #clock: Clock;

  constructor(db: Kysely<DB>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  listOf(userId: string, executor: Executor = this.#db): Promise<ProfileRow[]> {
    return executor
      .selectFrom('profiles')
      .selectAll()
      .where('userId', '=', userId)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
  }

  find(id: string): Promise<ProfileRow | undefined> {
    return this.#db.selectFrom('profiles').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A profile of this account; another account's id is not found. */
  findOwned(userId: string, id: string): Promise<ProfileRow | undefined> {
    return this.#db
      .selectFrom('profiles')
      .selectAll()
      .where('id', '=', id)
      .where('userId', '=', userId)
      .executeTakeFirst();
  }

  /** The profile a new device starts on: the account's first without a PIN (a PIN-locked one is entered with its PIN). */
  async firstForNewDevice(userId: string, executor: Executor = this.#db): Promise<string | undefined> {
    const row = await executor
      .selectFrom('profiles')
      .select('id')
      .where('userId', '=', userId)
      .orderBy(sql`pin_hash is not null`)
      .orderBy('createdAt')
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  }

  async count(userId: string, executor: Executor = this.#db): Promise<number> {
    const { count } = await executor
      .selectFrom('profiles')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('userId', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** Ids of the account's profiles, locked until the transaction ends. */
  async lockIdsOf(userId: string, executor: Executor): Promise<string[]> {
    const rows = await executor
      .selectFrom('profiles')
      .select('id')
      .where('userId', '=', userId)
      .forUpdate()
      .execute();
    return rows.map((row) => row.id);
  }

  insert(values: NewProfile, executor: Executor = this.#db): Promise<ProfileRow> {
    return executor.insertInto('profiles').values(values).returningAll().executeTakeFirstOrThrow();
  }

  /** One profile named after each account (the first profile of a new account). */
  async insertFirst(users: ReadonlyArray<{ id: string; name: string }>, executor: Executor = this.#db) {
    if (users.length === 0) return;
    await executor
      .insertInto('profiles')
      .values(users.map((user) => ({ userId: user.id, name: user.name.slice(0, 40) })))
      .execute();
  }

  update(userId: string, id: string, changes: ProfileChanges): Promise<ProfileRow | undefined> {
    return this.#db
      .updateTable('profiles')
      .set({ ...changes, updatedAt: this.#clock.now() })
      .where('id', '=', id)
      .where('userId', '=', userId)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: string, executor: Executor = this.#db): Promise<void> {
    await executor.deleteFrom('profiles').where('id', '=', id).execute();
  }

  /** Which of these accounts have at least one profile. */
  async accountsWithProfiles(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom('profiles')
      .select('userId')
      .where('userId', 'in', userIds)
      .execute();
    return new Set(rows.map((row) => row.userId));
  }

  /** The profiles of the accounts with these addresses, oldest first. */
  listByEmails(emails: readonly string[]): Promise<Array<{ id: string; email: string }>> {
    if (emails.length === 0) return Promise.resolve([]);
    return this.#db
      .selectFrom('profiles')
      .innerJoin('users', 'users.id', 'profiles.userId')
      .select(['profiles.id', 'users.email'])
      .where('users.email', 'in', emails)
      .orderBy('profiles.createdAt')
      .execute();
  }
}
