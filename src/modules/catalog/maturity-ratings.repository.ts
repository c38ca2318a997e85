import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** The maturity ratings (MPA, TV Parental Guidelines…) and the age each stands for. SQL only. */
export class MaturityRatingsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  list(executor: Executor = this.#db) {
    return executor
      .selectFrom('maturityRatings')
      .select(['code', 'system', 'level', 'label'])
      .orderBy('position')
      .execute();
  }

  /** The age a rating stands for, or undefined for an unknown code. */
  async levelOf(code: string, executor: Executor = this.#db): Promise<number | undefined> {
    const row = await executor
      .selectFrom('maturityRatings')
      .select('level')
      .where('code', '=', code)
      .executeTakeFirst();
    return row?.level;
  }
}
