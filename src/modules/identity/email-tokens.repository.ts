import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type EmailTokenPurpose = 'verify_email' | 'reset_password';

/** Single-use mailed tokens, stored as hashes. SQL only; the executor last (the pool by default). */
export class EmailTokensRepository {
  readonly #db: Kysely<DB>;
  readonly #clock: Clock;

  constructor(db: Kysely<DB>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Spends an unused, unexpired token; undefined when there is none. */
  use(tokenHash: string, purpose: EmailTokenPurpose, executor: Executor = this.#db) {
    const now = this.#clock.now();
    return executor
      .updateTable('emailTokens')
      .set({ usedAt: now })
      .where('tokenHash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .returning(['userId', 'email'])
      .executeTakeFirst();
  }

  /** Stores a new token; it replaces the account's unused ones for the same purpose. */
  async replace(
    values: { userId: string; purpose: EmailTokenPurpose; tokenHash: string; email: string; expiresAt: Date },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor
      .deleteFrom('emailTokens')
      .where('userId', '=', values.userId)
      .where('purpose', '=', values.purpose)
      .where('usedAt', 'is', null)
      .execute();
    await executor.insertInto('emailTokens').values(values).execute();
  }
}
