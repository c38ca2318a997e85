import { sql, type Kysely, type Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB, UsersTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import { newestFirstPage } from '../../platform/db/keyset.ts';
import type { Page } from '../../shared/pagination.ts';
import type { Role } from './access.ts';

export type UserRow = Selectable<UsersTable>;

export interface User {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
  roles: Role[];
  hasPassword: boolean;
  disabled: boolean;
  createdAt: Date;
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  emailVerified: row.emailVerifiedAt !== null,
  roles: row.roles as Role[],
  hasPassword: row.passwordHash !== null,
  disabled: row.disabledAt !== null,
  createdAt: row.createdAt,
});

/** The users table: SQL only, no rules. Every method takes the executor last (the pool by default). */
export class UsersRepository {
  readonly #db: Kysely<DB>;
  readonly #clock: Clock;

  constructor(db: Kysely<DB>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** The account's plan; written only through subscriptions (setAccountPlan). */
  async setPlan(change: { userId: string; planId: string; now: Date }, executor: Executor = this.#db) {
    await executor
      .updateTable('users')
      .set({ planId: change.planId, updatedAt: change.now })
      .where('id', '=', change.userId)
      .where('planId', '!=', change.planId)
      .execute();
  }

  findById(id: string, executor: Executor = this.#db): Promise<UserRow | undefined> {
    return executor.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByEmail(email: string, executor: Executor = this.#db): Promise<UserRow | undefined> {
    return executor.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  /** Locks the row until the transaction ends: serialises sign-ins (device cap) and profile counts of one account. */
  async lock(id: string, executor: Executor): Promise<void> {
    await executor.selectFrom('users').select('id').where('id', '=', id).forUpdate().execute();
  }

  async create(
    values: {
      email: string;
      name: string;
      passwordHash: string | null;
      emailVerified: boolean;
      roles?: Role[];
    },
    executor: Executor = this.#db,
  ): Promise<UserRow> {
    const now = this.#clock.now();
    return executor
      .insertInto('users')
      .values({
        email: values.email,
        name: values.name,
        passwordHash: values.passwordHash,
        emailVerifiedAt: values.emailVerified ? now : null,
        roles: values.roles ?? ['viewer'],
        passwordChangedAt: values.passwordHash ? now : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async update(
    id: string,
    values: Partial<{
      name: string;
      passwordHash: string;
      emailVerified: boolean;
      roles: Role[];
      disabled: boolean;
    }>,
    executor: Executor = this.#db,
  ): Promise<UserRow | undefined> {
    const now = this.#clock.now();
    return executor
      .updateTable('users')
      .set({
        updatedAt: now,
        ...(values.name !== undefined && { name: values.name }),
        ...(values.passwordHash !== undefined && {
          passwordHash: values.passwordHash,
          passwordChangedAt: now,
        }),
        ...(values.emailVerified && { emailVerifiedAt: sql<Date>`coalesce(email_verified_at, ${now})` }),
        ...(values.roles !== undefined && { roles: values.roles }),
        ...(values.disabled !== undefined && { disabledAt: values.disabled ? now : null }),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /** Password-less accounts for these addresses, where none exists yet (demo data); the accounts of all of them. */
  async ensurePasswordless(
    accounts: ReadonlyArray<{ email: string; name: string }>,
  ): Promise<Array<Pick<UserRow, 'id' | 'email' | 'name'>>> {
    const verifiedAt = this.#clock.now();
    for (let index = 0; index < accounts.length; index += 500) {
      await this.#db
        .insertInto('users')
        .values(
          accounts.slice(index, index + 500).map((account) => ({
            email: account.email,
            name: account.name,
            passwordHash: null,
            emailVerifiedAt: verifiedAt,
          })),
        )
        .onConflict((conflict) => conflict.column('email').doNothing())
        .execute();
    }
    if (accounts.length === 0) return [];
    return this.#db
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where(
        'email',
        'in',
        accounts.map((account) => account.email),
      )
      .execute();
  }

  async search(query: {
    q?: string | undefined;
    role?: Role | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<Page<User & { activeSessions: number }>> {
    let select = this.#db
      .selectFrom('users')
      .selectAll('users')
      .select((eb) =>
        eb
          .selectFrom('sessions')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('sessions.userId', '=', 'users.id')
          .where('sessions.revokedAt', 'is', null)
          .where('sessions.expiresAt', '>', this.#clock.now())
          .as('activeSessions'),
      );
    if (query.q) {
      const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      select = select.where(sql<boolean>`(users.email || ' ' || lower(users.name)) like ${pattern}`);
    }
    if (query.role) select = select.where(sql<boolean>`${query.role} = any(users.roles)`);
    return newestFirstPage(select, {
      cursor: query.cursor,
      limit: query.limit,
      table: 'users',
      map: (row) => ({ ...toUser(row), activeSessions: Number(row.activeSessions ?? 0) }),
    });
  }
}
