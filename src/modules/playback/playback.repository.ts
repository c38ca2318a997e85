import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { DB, PlaybackSessionsTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** The SQL of playback: streams (playback sessions). Resume positions belong to engagement. */

export type StreamRow = Selectable<PlaybackSessionsTable>;

export class PlaybackRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /**
   * Serialises one account's stream starts until the transaction ends, so two devices can't both
   * take the last slot. A transaction-scoped advisory lock: it needs no row of another module's
   * table, and it is released by commit or rollback (PostgreSQL §13.3.5).
   */
  async lockAccount(userId: string, executor: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`playback.streams:${userId}`}, 0))`.execute(
      executor,
    );
  }

  openStreams(userId: string, executor: Executor = this.#db): Promise<StreamRow[]> {
    return executor
      .selectFrom('playbackSessions')
      .selectAll()
      .where('userId', '=', userId)
      .where('endedAt', 'is', null)
      .orderBy('startedAt')
      .execute();
  }

  findStream(id: string, executor: Executor = this.#db): Promise<StreamRow | undefined> {
    return executor.selectFrom('playbackSessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  insertStream(
    values: Omit<Insertable<PlaybackSessionsTable>, 'id' | 'endedAt' | 'endedReason'>,
    executor: Executor = this.#db,
  ): Promise<StreamRow> {
    return executor.insertInto('playbackSessions').values(values).returningAll().executeTakeFirstOrThrow();
  }

  /** Ends the streams among `ids` that are still open; returns the ids it ended. */
  async endStreams(
    options: { ids: readonly string[]; reason: 'lapsed' | 'replaced' | 'stopped'; now: Date },
    executor: Executor = this.#db,
  ): Promise<string[]> {
    if (options.ids.length === 0) return [];
    const ended = await executor
      .updateTable('playbackSessions')
      .set({ endedAt: options.now, endedReason: options.reason })
      .where('id', 'in', [...options.ids])
      .where('endedAt', 'is', null)
      .returning('id')
      .execute();
    return ended.map((row) => row.id);
  }

  /** Records a heartbeat of an open stream; false when the stream has ended meanwhile. */
  async heartbeat(
    options: { id: string; positionSeconds: number; now: Date; maxHeight: number },
    executor: Executor = this.#db,
  ): Promise<boolean> {
    const updated = await executor
      .updateTable('playbackSessions')
      .set({
        lastHeartbeatAt: options.now,
        positionSeconds: options.positionSeconds,
        maxHeight: options.maxHeight,
      })
      .where('id', '=', options.id)
      .where('endedAt', 'is', null)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  /** Open streams with a heartbeat since `since`: the viewers watching now. */
  async concurrentStreams(since: Date, executor: Executor = this.#db): Promise<number> {
    const row = await executor
      .selectFrom('playbackSessions')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('endedAt', 'is', null)
      .where('lastHeartbeatAt', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Of these assets, those an open stream with a heartbeat since `since` plays. */
  async assetsStreaming(assetIds: readonly string[], since: Date): Promise<string[]> {
    if (assetIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('playbackSessions')
      .select('assetId')
      .distinct()
      .where('assetId', 'in', [...assetIds])
      .where('endedAt', 'is', null)
      .where('lastHeartbeatAt', '>=', since)
      .execute();
    return rows.flatMap((row) => (row.assetId ? [row.assetId] : []));
  }
}
