import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type Reaction = 'up' | 'down';

/** Thumbs up or down, per account and profile. SQL only. */
export class ReactionsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async find(
    who: { userId: string; profileKey: string },
    titleId: string,
    executor: Executor = this.#db,
  ): Promise<Reaction | null> {
    const row = await executor
      .selectFrom('titleReactions')
      .select('reaction')
      .where('userId', '=', who.userId)
      .where('profileKey', '=', who.profileKey)
      .where('titleId', '=', titleId)
      .executeTakeFirst();
    return (row?.reaction as Reaction | undefined) ?? null;
  }

  /** Sets the reaction; true when that changed anything (the same thumb twice changes nothing). */
  async set(
    options: { userId: string; profileKey: string; titleId: string; reaction: Reaction; at: Date },
    executor: Executor = this.#db,
  ): Promise<boolean> {
    const row = await executor
      .insertInto('titleReactions')
      .values({
        userId: options.userId,
        profileKey: options.profileKey,
        titleId: options.titleId,
        reaction: options.reaction,
        reactedAt: options.at,
      })
      .onConflict((conflict) =>
        conflict
          .columns(['userId', 'profileKey', 'titleId'])
          .doUpdateSet((eb) => ({
            reaction: eb.ref('excluded.reaction'),
            reactedAt: eb.ref('excluded.reactedAt'),
          }))
          .where('titleReactions.reaction', '<>', options.reaction),
      )
      .returning('reaction')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Removes the reaction; true when there was one. */
  async remove(
    who: { userId: string; profileKey: string },
    titleId: string,
    executor: Executor = this.#db,
  ): Promise<boolean> {
    const result = await executor
      .deleteFrom('titleReactions')
      .where('userId', '=', who.userId)
      .where('profileKey', '=', who.profileKey)
      .where('titleId', '=', titleId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
