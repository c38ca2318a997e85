import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { PlanLimits } from './quality.ts';

/** The SQL of playback: plans, streams (playback sessions), resume positions. */

export interface PlanRow extends PlanLimits {
  name: string;
  tier: number;
}

export interface StreamRow {
  id: string;
  userId: string;
  profileId: string | null;
  authSessionId: string;
  deviceName: string;
  itemId: string;
  itemName: string;
  assetId: string;
  maxHeight: number;
  startedAt: Date;
  lastHeartbeatAt: Date;
  positionSeconds: number;
  endedAt: Date | null;
}

const streamColumns = [
  'id',
  'userId',
  'profileId',
  'authSessionId',
  'deviceName',
  'itemId',
  'itemName',
  'assetId',
  'maxHeight',
  'startedAt',
  'lastHeartbeatAt',
  'positionSeconds',
  'endedAt',
] as const;

/** Watch progress is per profile; an account without an active profile keeps its own. */
export const profileKey = (profileId: string | null): string => profileId ?? 'account';

export class PlaybackRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async planOf(userId: string, executor: Kysely<DB> = this.#db): Promise<PlanRow> {
    return executor
      .selectFrom('users')
      .innerJoin('plans', 'plans.id', 'users.planId')
      .select([
        'plans.id',
        'plans.name',
        'plans.tier',
        'plans.maxHeight',
        'plans.maxStreams',
        'plans.maxDevices',
        'plans.maxDownloads',
        'plans.maxDownloadDevices',
      ])
      .where('users.id', '=', userId)
      .executeTakeFirstOrThrow();
  }

  /** Locks the account's row: stream starts of one account happen one at a time. */
  async lockAccount(trx: Kysely<DB>, userId: string): Promise<void> {
    await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
  }

  openStreams(userId: string, executor: Kysely<DB> = this.#db): Promise<StreamRow[]> {
    return executor
      .selectFrom('playbackSessions')
      .select(streamColumns)
      .where('userId', '=', userId)
      .where('endedAt', 'is', null)
      .orderBy('startedAt')
      .execute();
  }

  findStream(id: string): Promise<StreamRow | undefined> {
    return this.#db
      .selectFrom('playbackSessions')
      .select(streamColumns)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async endStreams(
    executor: Kysely<DB>,
    options: { ids: readonly string[]; reason: string; now: Date },
  ): Promise<void> {
    if (options.ids.length === 0) return;
    await executor
      .updateTable('playbackSessions')
      .set({ endedAt: options.now, endedReason: options.reason })
      .where('id', 'in', [...options.ids])
      .where('endedAt', 'is', null)
      .execute();
  }

  async heartbeat(options: { id: string; positionSeconds: number; now: Date }): Promise<void> {
    await this.#db
      .updateTable('playbackSessions')
      .set({ lastHeartbeatAt: options.now, positionSeconds: options.positionSeconds })
      .where('id', '=', options.id)
      .execute();
  }

  async resumePosition(options: {
    userId: string;
    profileId: string | null;
    itemId: string;
  }): Promise<number> {
    const row = await this.#db
      .selectFrom('watchProgress')
      .select(['positionSeconds', 'durationSeconds'])
      .where('userId', '=', options.userId)
      .where('profileKey', '=', profileKey(options.profileId))
      .where('itemId', '=', options.itemId)
      .executeTakeFirst();
    if (!row) return 0;
    // Finished (within 30 s of the end, or the last 5 % of a short one): start from the beginning.
    if (row.durationSeconds === null) return row.positionSeconds;
    const remaining = row.durationSeconds - row.positionSeconds;
    return remaining < Math.min(30, row.durationSeconds * 0.05) ? 0 : row.positionSeconds;
  }

  async saveProgress(options: {
    userId: string;
    profileId: string | null;
    itemId: string;
    positionSeconds: number;
    durationSeconds: number | null;
    now: Date;
  }): Promise<void> {
    await this.#db
      .insertInto('watchProgress')
      .values({
        userId: options.userId,
        profileKey: profileKey(options.profileId),
        itemId: options.itemId,
        positionSeconds: options.positionSeconds,
        durationSeconds: options.durationSeconds,
        updatedAt: options.now,
      })
      .onConflict((oc) =>
        oc.columns(['userId', 'profileKey', 'itemId']).doUpdateSet({
          positionSeconds: options.positionSeconds,
          durationSeconds: sql`coalesce(excluded.duration_seconds, watch_progress.duration_seconds)`,
          updatedAt: options.now,
        }),
      )
      .execute();
  }
}
