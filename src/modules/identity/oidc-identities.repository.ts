import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** Which provider account (provider, subject) signs in as which of ours. SQL only; the executor last. */
export class OidcIdentitiesRepository {
  readonly #db: Kysely<DB>;
  readonly #clock: Clock;

  constructor(db: Kysely<DB>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** The account a provider identity is linked to, recording this sign-in and the address it came with. */
  async signedIn(
    identity: { provider: string; subject: string; email: string | null },
    executor: Executor = this.#db,
  ): Promise<string | undefined> {
    const linked = await executor
      .updateTable('oidcIdentities')
      .set({ lastLoginAt: this.#clock.now(), email: identity.email })
      .where('provider', '=', identity.provider)
      .where('subject', '=', identity.subject)
      .returning('userId')
      .executeTakeFirst();
    return linked?.userId;
  }

  async link(
    identity: { provider: string; subject: string; userId: string; email: string },
    executor: Executor = this.#db,
  ): Promise<void> {
    await executor.insertInto('oidcIdentities').values(identity).execute();
  }
}
