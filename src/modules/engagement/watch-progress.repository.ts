import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { BufferedProgress } from './progress-buffer.ts';

interface Who {
  userId: string;
  profileKey: string;
}

/** The positions written by a batch, and whether each item was finished before it. */
export interface WrittenProgress {
  userId: string;
  profileKey: string;
  itemId: string;
  wasFinished: boolean;
}

/** Resume positions and watch history, per account and profile. SQL only. */
export class WatchProgressRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  find(who: Who, itemId: string, executor: Executor = this.#db) {
    return executor
      .selectFrom('watchProgress')
      .select(['positionSeconds', 'durationSeconds', 'finished', 'updatedAt'])
      .where('userId', '=', who.userId)
      .where('profileKey', '=', who.profileKey)
      .where('itemId', '=', itemId)
      .executeTakeFirst();
  }

  /**
   * Writes a batch of positions in one statement (arrays unnested: one parameter per column,
   * whatever the batch size). A stored position newer by the player's time than the batch's is
   * kept, so instances flushing out of order still end on the last position. Returns the rows
   * written, each with whether it was finished before (to tell "just finished").
   * Keys must be distinct within a batch (the buffer keeps one entry per key).
   */
  async upsertMany(
    entries: readonly BufferedProgress[],
    executor: Executor = this.#db,
  ): Promise<WrittenProgress[]> {
    if (entries.length === 0) return [];
    const column = <T>(pick: (entry: BufferedProgress) => T) => sql.val(entries.map(pick));
    const result = await sql<WrittenProgress>`
      with input as (
        select * from unnest(
          ${column((e) => e.userId)}::uuid[], ${column((e) => e.profileKey)}::text[],
          ${column((e) => e.itemId)}::uuid[], ${column((e) => e.titleId)}::uuid[],
          ${column((e) => e.positionSeconds)}::float8[], ${column((e) => e.durationSeconds)}::float8[],
          ${column((e) => e.at.toISOString())}::timestamptz[], ${column((e) => e.finished)}::boolean[]
        ) as i(user_id, profile_key, item_id, title_id, position_seconds, duration_seconds, updated_at, finished)
      ),
      earlier as (
        select w.user_id, w.profile_key, w.item_id, w.finished
        from watch_progress w join input i using (user_id, profile_key, item_id)
      ),
      written as (
        insert into watch_progress (user_id, profile_key, item_id, title_id, position_seconds, duration_seconds, updated_at, finished)
        select user_id, profile_key, item_id, title_id, position_seconds, duration_seconds, updated_at, finished from input
        on conflict (user_id, profile_key, item_id) do update set
          title_id = excluded.title_id,
          position_seconds = excluded.position_seconds,
          duration_seconds = coalesce(excluded.duration_seconds, watch_progress.duration_seconds),
          updated_at = excluded.updated_at,
          finished = excluded.finished
        where watch_progress.updated_at <= excluded.updated_at
        returning user_id, profile_key, item_id
      )
      select written.user_id as "userId", written.profile_key as "profileKey", written.item_id as "itemId",
             coalesce(earlier.finished, false) as "wasFinished"
      from written left join earlier using (user_id, profile_key, item_id)`.execute(executor);
    return result.rows;
  }

  /**
   * Puts the next episode at the front of continue watching (position 0, as of `at`). An earlier
   * position of it is kept unless it was finished (a rewatch starts over); a later one is kept.
   */
  async queueNext(
    options: Who & { itemId: string; titleId: string; at: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor
      .insertInto('watchProgress')
      .values({
        userId: options.userId,
        profileKey: options.profileKey,
        itemId: options.itemId,
        titleId: options.titleId,
        positionSeconds: 0,
        durationSeconds: null,
        updatedAt: options.at,
        finished: false,
      })
      .onConflict((conflict) =>
        conflict
          .columns(['userId', 'profileKey', 'itemId'])
          .doUpdateSet({
            updatedAt: options.at,
            finished: false,
            positionSeconds: sql<number>`case when watch_progress.finished then 0 else watch_progress.position_seconds end`,
          })
          .where('watchProgress.updatedAt', '<', options.at),
      )
      .execute();
  }

  /**
   * Continue watching: per title (a series is one row), its latest item, unless finished —
   * most recent first. Ties prefer the unfinished row (the next episode queued at a finish).
   */
  async continueWatching(who: Who, limit: number, executor: Executor = this.#db) {
    const result = await sql<{
      itemId: string;
      titleId: string;
      positionSeconds: number;
      durationSeconds: number | null;
      updatedAt: Date;
    }>`
      select item_id as "itemId", title_id as "titleId", position_seconds as "positionSeconds",
             duration_seconds as "durationSeconds", updated_at as "updatedAt"
      from (
        select distinct on (coalesce(title_id, item_id)) *
        from watch_progress
        where user_id = ${who.userId} and profile_key = ${who.profileKey}
        order by coalesce(title_id, item_id), updated_at desc, finished asc
      ) latest
      where not finished
      order by updated_at desc, item_id
      limit ${limit}`.execute(executor);
    return result.rows;
  }

  /** History, newest first: what was watched (queued next episodes, never started, are not). */
  history(
    who: Who,
    options: { after?: { at: Date; itemId: string }; limit: number },
    executor: Executor = this.#db,
  ) {
    let query = executor
      .selectFrom('watchProgress')
      .select(['itemId', 'titleId', 'positionSeconds', 'durationSeconds', 'finished', 'updatedAt'])
      .where('userId', '=', who.userId)
      .where('profileKey', '=', who.profileKey)
      .where((eb) => eb.or([eb('positionSeconds', '>', 0), eb('finished', '=', true)]));
    const after = options.after;
    if (after) {
      query = query.where(
        () =>
          sql<boolean>`(watch_progress.updated_at, watch_progress.item_id) < (${after.at}, ${after.itemId})`,
      );
    }
    return query.orderBy('updatedAt', 'desc').orderBy('itemId', 'desc').limit(options.limit).execute();
  }

  async remove(who: Who, itemId: string, executor: Executor = this.#db): Promise<boolean> {
    const result = await executor
      .deleteFrom('watchProgress')
      .where('userId', '=', who.userId)
      .where('profileKey', '=', who.profileKey)
      .where('itemId', '=', itemId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async removeAll(who: Who, executor: Executor = this.#db): Promise<number> {
    const result = await executor
      .deleteFrom('watchProgress')
      .where('userId', '=', who.userId)
      .where('profileKey', '=', who.profileKey)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
