import type { Kysely, Selectable } from 'kysely';
import type { DB, PlansTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type PlanRow = Selectable<PlansTable>;

/** The plans table: what each plan allows (playback owns it until a subscriptions module does). */
export class PlansRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  find(id: string, executor: Executor = this.#db): Promise<PlanRow | undefined> {
    return executor.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
