import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

interface Who {
  userId: string;
  profileKey: string;
}

/** My List: the titles a profile keeps, in its own order. SQL only. */
export class MyListRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** The list in its order: smallest position first, the latest added first among equals. */
  list(who: Who, executor: Executor = this.#db) {
    return executor
      .selectFrom('myList')
      .select(['titleId', 'position', 'addedAt'])
      .where('userId', '=', who.userId)
      .where('profileKey', '=', who.profileKey)
      .orderBy('position')
      .orderBy('addedAt', 'desc')
      .orderBy('titleId')
      .execute();
  }

  async count(who: Who, executor: Executor = this.#db): Promise<number> {
    const row = await executor
      .selectFrom('myList')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('userId', '=', who.userId)
      .where('profileKey', '=', who.profileKey)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Adds a title at the top; false when it was already in the list (it keeps its place). */
  async add(options: Who & { titleId: string; at: Date }, executor: Executor = this.#db): Promise<boolean> {
    const row = await executor
      .insertInto('myList')
      .values({
        userId: options.userId,
        profileKey: options.profileKey,
        titleId: options.titleId,
        addedAt: options.at,
        position: sql<number>`coalesce((select min(position) - 1 from my_list where user_id = ${options.userId} and profile_key = ${options.profileKey}), 0)`,
      })
      .onConflict((conflict) => conflict.columns(['userId', 'profileKey', 'titleId']).doNothing())
      .returning('titleId')
      .executeTakeFirst();
    return row !== undefined;
  }

  async remove(who: Who, titleId: string, executor: Executor = this.#db): Promise<boolean> {
    const result = await executor
      .deleteFrom('myList')
      .where('userId', '=', who.userId)
      .where('profileKey', '=', who.profileKey)
      .where('titleId', '=', titleId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Positions the titles in the given order (0, 1, 2…), in one statement. */
  async reorder(who: Who, titleIds: readonly string[], executor: Executor = this.#db): Promise<void> {
    if (titleIds.length === 0) return;
    await sql`
      update my_list set position = ordered.ordinality - 1
      from unnest(${sql.val([...titleIds])}::uuid[]) with ordinality as ordered(title_id, ordinality)
      where my_list.user_id = ${who.userId} and my_list.profile_key = ${who.profileKey}
        and my_list.title_id = ordered.title_id`.execute(executor);
  }

  /** Serialises one profile's list changes until the transaction ends (a reorder against adds). */
  async lock(who: Who, executor: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`engagement.list:${who.userId}:${who.profileKey}`}, 0))`.execute(
      executor,
    );
  }
}
