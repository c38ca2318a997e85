import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** The stored settings (`app_settings`: only those changed from their defaults). SQL only. */
export class SettingsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async all(executor: Executor = this.#db): Promise<Map<string, unknown>> {
    const rows = await executor.selectFrom('appSettings').select(['key', 'value']).execute();
    return new Map(rows.map((row) => [row.key, row.value]));
  }

  async put(
    change: { key: string; value: unknown; now: Date; updatedBy: string | null },
    executor: Executor,
  ): Promise<void> {
    const json = JSON.stringify(change.value);
    const values = { value: json, updatedAt: change.now, updatedBy: change.updatedBy };
    await executor
      .insertInto('appSettings')
      .values({ key: change.key, ...values })
      .onConflict((conflict) => conflict.column('key').doUpdateSet(values))
      .execute();
  }
}
