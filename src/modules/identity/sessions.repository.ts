import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB, SessionsTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type SessionRow = Selectable<SessionsTable>;

export type NewSession = Pick<
  Insertable<SessionsTable>,
  'userId' | 'profileId' | 'deviceName' | 'deviceType' | 'ip' | 'userAgent' | 'authMethod' | 'expiresAt'
>;

/** Sessions (signed-in devices) and their refresh tokens. SQL only; the executor last (the pool by default). */
export class SessionsRepository {
  readonly #db: Kysely<DB>;
  readonly #clock: Clock;

  constructor(db: Kysely<DB>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  create(values: NewSession, executor: Executor = this.#db): Promise<SessionRow> {
    return executor.insertInto('sessions').values(values).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: string, executor: Executor = this.#db): Promise<SessionRow | undefined> {
    return executor.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listActive(userId: string, executor: Executor = this.#db): Promise<SessionRow[]> {
    return executor
      .selectFrom('sessions')
      .selectAll()
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .where('expiresAt', '>', this.#clock.now())
      .orderBy('lastSeenAt', 'desc')
      .execute();
  }

  /** Ids of the account's sessions not revoked (expired ones included: their cache entries may linger). */
  async unrevokedIdsOf(userId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .select('id')
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .execute();
    return rows.map((row) => row.id);
  }

  /** Ids of the sessions that watch as this profile. */
  async idsOnProfile(profileId: string, executor: Executor = this.#db): Promise<string[]> {
    const rows = await executor
      .selectFrom('sessions')
      .select('id')
      .where('profileId', '=', profileId)
      .execute();
    return rows.map((row) => row.id);
  }

  /** Revokes sessions; returns the ids actually revoked (already-revoked ones are left as they were). */
  async revoke(
    where: { ids?: string[]; userId?: string },
    reason: string,
    executor: Executor = this.#db,
  ): Promise<string[]> {
    if (where.ids?.length === 0) return [];
    let update = executor
      .updateTable('sessions')
      .set({ revokedAt: this.#clock.now(), revokedReason: reason })
      .where('revokedAt', 'is', null);
    if (where.ids) update = update.where('id', 'in', where.ids);
    if (where.userId) update = update.where('userId', '=', where.userId);
    const rows = await update.returning('id').execute();
    return rows.map((row) => row.id);
  }

  async touch(
    id: string,
    values: { ip: string | null; expiresAt?: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor
      .updateTable('sessions')
      .set({
        lastSeenAt: this.#clock.now(),
        ip: values.ip,
        ...(values.expiresAt && { expiresAt: values.expiresAt }),
      })
      .where('id', '=', id)
      .execute();
  }

  async setProfile(id: string, profileId: string | null, executor: Executor = this.#db): Promise<void> {
    await executor.updateTable('sessions').set({ profileId }).where('id', '=', id).execute();
  }

  async insertRefreshToken(
    values: { sessionId: string; tokenHash: string; expiresAt: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor.insertInto('refreshTokens').values(values).execute();
  }

  findRefreshToken(tokenHash: string, executor: Executor = this.#db) {
    return executor
      .selectFrom('refreshTokens')
      .innerJoin('sessions', 'sessions.id', 'refreshTokens.sessionId')
      .select([
        'refreshTokens.id',
        'refreshTokens.usedAt',
        'refreshTokens.expiresAt',
        'sessions.id as sessionId',
        'sessions.userId',
        'sessions.revokedAt',
        'sessions.expiresAt as sessionExpiresAt',
      ])
      .where('refreshTokens.tokenHash', '=', tokenHash)
      .executeTakeFirst();
  }

  /** Marks a token used if nobody has; false when it was already used (a replay). */
  async useRefreshToken(id: string, executor: Executor = this.#db): Promise<boolean> {
    const result = await executor
      .updateTable('refreshTokens')
      .set({ usedAt: this.#clock.now() })
      .where('id', '=', id)
      .where('usedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * A session with its account and the profile it watches as: the selected profile if it still
   * exists, else the account's first without a PIN (a PIN-locked profile is only ever entered
   * with its PIN). What every authenticated request needs, in one read.
   */
  findWithAccount(sessionId: string) {
    return this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.userId')
      .leftJoin('profiles', (join) =>
        join.on(
          'profiles.id',
          '=',
          sql<string>`coalesce(
            (select p.id from profiles p where p.id = sessions.profile_id and p.user_id = sessions.user_id),
            (select p.id from profiles p where p.user_id = sessions.user_id
              order by p.pin_hash is not null, p.created_at, p.id limit 1))`,
        ),
      )
      .select([
        'sessions.userId',
        'sessions.revokedAt',
        'sessions.expiresAt',
        'users.roles',
        'users.disabledAt',
        'users.email',
        'users.name',
        'users.emailVerifiedAt',
        'users.passwordHash',
        'users.createdAt',
        'profiles.id as profileId',
        'profiles.name as profileName',
        'profiles.avatar as profileAvatar',
        'profiles.isKids as profileIsKids',
        'profiles.maturityLimit as profileMaturityLimit',
        'profiles.pinHash as profilePinHash',
        'profiles.language as profileLanguage',
        'profiles.createdAt as profileCreatedAt',
      ])
      .where('sessions.id', '=', sessionId)
      .executeTakeFirst();
  }
}
