import type { Kysely, Selectable } from 'kysely';
import type { DB, SessionsTable } from '../../platform/db/db.generated.ts';

export type SessionRow = Selectable<SessionsTable>;

export interface NewSession {
  userId: string;
  profileId: string | null;
  deviceName: string;
  deviceType: string;
  ip: string | null;
  userAgent: string | null;
  authMethod: string;
  expiresAt: Date;
}

/** Sessions (signed-in devices) and their refresh tokens. SQL only. */
export const sessionsRepository = {
  create(db: Kysely<DB>, values: NewSession): Promise<SessionRow> {
    return db.insertInto('sessions').values(values).returningAll().executeTakeFirstOrThrow();
  },

  findById(db: Kysely<DB>, id: string) {
    return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  },

  listActive(db: Kysely<DB>, userId: string, now: Date) {
    return db
      .selectFrom('sessions')
      .selectAll()
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .where('expiresAt', '>', now)
      .orderBy('lastSeenAt', 'desc')
      .execute();
  },

  /** Revokes sessions; returns the ids actually revoked (already-revoked ones are left as they were). */
  async revoke(
    db: Kysely<DB>,
    where: { ids?: string[]; userId?: string },
    reason: string,
  ): Promise<string[]> {
    if (where.ids?.length === 0) return [];
    let update = db
      .updateTable('sessions')
      .set({ revokedAt: new Date(), revokedReason: reason })
      .where('revokedAt', 'is', null);
    if (where.ids) update = update.where('id', 'in', where.ids);
    if (where.userId) update = update.where('userId', '=', where.userId);
    const rows = await update.returning('id').execute();
    return rows.map((row) => row.id);
  },

  async touch(db: Kysely<DB>, id: string, values: { ip: string | null; expiresAt?: Date }): Promise<void> {
    await db
      .updateTable('sessions')
      .set({
        lastSeenAt: new Date(),
        ip: values.ip,
        ...(values.expiresAt && { expiresAt: values.expiresAt }),
      })
      .where('id', '=', id)
      .execute();
  },

  async setProfile(db: Kysely<DB>, id: string, profileId: string | null): Promise<void> {
    await db.updateTable('sessions').set({ profileId }).where('id', '=', id).execute();
  },

  async insertRefreshToken(
    db: Kysely<DB>,
    values: { sessionId: string; tokenHash: string; expiresAt: Date },
  ): Promise<void> {
    await db.insertInto('refreshTokens').values(values).execute();
  },

  findRefreshToken(db: Kysely<DB>, tokenHash: string) {
    return db
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
  },

  /** Marks a token used if nobody has; false when it was already used (a replay). */
  async useRefreshToken(db: Kysely<DB>, id: string): Promise<boolean> {
    const result = await db
      .updateTable('refreshTokens')
      .set({ usedAt: new Date() })
      .where('id', '=', id)
      .where('usedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },
};
