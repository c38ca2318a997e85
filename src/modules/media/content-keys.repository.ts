import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ContentKeysTable, DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** The SQL of content keys: stored wrapped under the master key (key-wrap.ts), one row per key. */

export type ContentKeyRow = Selectable<ContentKeysTable>;

export class ContentKeysRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** An asset's keys become exactly these, in the caller's transaction (a package is recorded whole). */
  async replace(
    assetId: string,
    rows: readonly Insertable<ContentKeysTable>[],
    executor: Executor,
  ): Promise<void> {
    await executor.deleteFrom('contentKeys').where('assetId', '=', assetId).execute();
    if (rows.length > 0)
      await executor
        .insertInto('contentKeys')
        .values([...rows])
        .execute();
  }

  async insert(row: Insertable<ContentKeysTable>, executor: Executor = this.#db): Promise<void> {
    await executor.insertInto('contentKeys').values(row).execute();
  }

  find(keyId: string, executor: Executor = this.#db): Promise<ContentKeyRow | undefined> {
    return executor.selectFrom('contentKeys').selectAll().where('id', '=', keyId).executeTakeFirst();
  }

  /** The keys of an asset that encrypt any of these renditions (all of them when none are named). */
  ofAsset(
    options: { assetId: string; renditions?: readonly string[] },
    executor: Executor = this.#db,
  ): Promise<ContentKeyRow[]> {
    const { renditions } = options;
    let select = executor
      .selectFrom('contentKeys')
      .selectAll()
      .where('assetId', '=', options.assetId)
      .orderBy('tier')
      .orderBy('firstSegment');
    if (renditions) {
      if (renditions.length === 0) return Promise.resolve([]);
      select = select.where((eb) =>
        eb.or(renditions.map((name) => eb(eb.val(name), '=', eb.fn.any('renditions')))),
      );
    }
    return select.execute();
  }

  /** Deletes an asset's keys, in the caller's transaction (a retired package can't be decrypted anew). */
  async deleteOf(assetId: string, executor: Executor): Promise<number> {
    const result = await executor.deleteFrom('contentKeys').where('assetId', '=', assetId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
