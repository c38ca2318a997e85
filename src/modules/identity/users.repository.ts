import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import type { DB, UsersTable } from '../../platform/db/db.generated.ts';
import { decodeCursor, toPage, type Page } from '../../shared/pagination.ts';
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

const searchCursor = z.object({ createdAt: z.string(), id: z.uuid() });

/** The users table: SQL only, no rules. Every method takes the executor so callers choose the transaction. */
export const usersRepository = {
  /** The account's plan; written only through subscriptions (setAccountPlan). */
  async setPlan(db: Kysely<DB>, change: { userId: string; planId: string; now: Date }) {
    await db
      .updateTable('users')
      .set({ planId: change.planId, updatedAt: change.now })
      .where('id', '=', change.userId)
      .where('planId', '!=', change.planId)
      .execute();
  },

  findById(db: Kysely<DB>, id: string) {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  },

  findByEmail(db: Kysely<DB>, email: string) {
    return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  },

  /** Locks the row until the transaction ends: serialises sign-ins of one account (device cap). */
  lock(db: Kysely<DB>, id: string) {
    return db.selectFrom('users').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
  },

  async create(
    db: Kysely<DB>,
    values: {
      email: string;
      name: string;
      passwordHash: string | null;
      emailVerified: boolean;
      roles?: Role[];
    },
  ): Promise<UserRow> {
    return db
      .insertInto('users')
      .values({
        email: values.email,
        name: values.name,
        passwordHash: values.passwordHash,
        emailVerifiedAt: values.emailVerified ? new Date() : null,
        roles: values.roles ?? ['viewer'],
        passwordChangedAt: values.passwordHash ? new Date() : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async update(
    db: Kysely<DB>,
    id: string,
    values: Partial<{
      name: string;
      passwordHash: string;
      emailVerified: boolean;
      roles: Role[];
      disabled: boolean;
    }>,
  ): Promise<UserRow | undefined> {
    return db
      .updateTable('users')
      .set({
        updatedAt: new Date(),
        ...(values.name !== undefined && { name: values.name }),
        ...(values.passwordHash !== undefined && {
          passwordHash: values.passwordHash,
          passwordChangedAt: new Date(),
        }),
        ...(values.emailVerified && { emailVerifiedAt: sql<Date>`coalesce(email_verified_at, now())` }),
        ...(values.roles !== undefined && { roles: values.roles }),
        ...(values.disabled !== undefined && { disabledAt: values.disabled ? new Date() : null }),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  },

  async search(
    db: Kysely<DB>,
    query: { q?: string | undefined; role?: Role | undefined; limit: number; cursor?: string | undefined },
  ): Promise<Page<User & { activeSessions: number }>> {
    const after = decodeCursor(query.cursor, searchCursor);
    let select = db
      .selectFrom('users')
      .selectAll('users')
      .select((eb) =>
        eb
          .selectFrom('sessions')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('sessions.userId', '=', 'users.id')
          .where('sessions.revokedAt', 'is', null)
          .where('sessions.expiresAt', '>', new Date())
          .as('activeSessions'),
      );
    if (query.q) {
      const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      select = select.where(sql<boolean>`(users.email || ' ' || lower(users.name)) like ${pattern}`);
    }
    if (query.role) select = select.where(sql<boolean>`${query.role} = any(users.roles)`);
    if (after) {
      select = select.where((eb) =>
        eb.or([
          eb('users.createdAt', '<', new Date(after.createdAt)),
          eb.and([eb('users.createdAt', '=', new Date(after.createdAt)), eb('users.id', '<', after.id)]),
        ]),
      );
    }
    const rows = await select
      .orderBy('users.createdAt', 'desc')
      .orderBy('users.id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return toPage(rows, query.limit, {
      key: (row) => ({ createdAt: row.createdAt.toISOString(), id: row.id }),
      map: (row) => ({ ...toUser(row), activeSessions: Number(row.activeSessions ?? 0) }),
    });
  },
};
