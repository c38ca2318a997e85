import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, DownloadsTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** The SQL of offline downloads (their keys are media's: MediaKeys). */

export type DownloadRow = Selectable<DownloadsTable>;

export class DownloadsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Serialises one account's new downloads until the transaction ends (the download cap). */
  async lockAccount(userId: string, executor: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`playback.downloads:${userId}`}, 0))`.execute(
      executor,
    );
  }

  async countActiveDownloads(userId: string, executor: Executor = this.#db): Promise<number> {
    const row = await executor
      .selectFrom('downloads')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('userId', '=', userId)
      .where('returnedAt', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * The live download of this rendition of this asset on this device, if any: what downloading
   * the same again refreshes. Another rendition or another asset is another download (the files
   * a device holds are of one rendition of one package).
   */
  activeDownloadOf(
    options: { deviceId: string; itemId: string; assetId: string; maxHeight: number },
    executor: Executor = this.#db,
  ): Promise<DownloadRow | undefined> {
    return executor
      .selectFrom('downloads')
      .selectAll()
      .where('deviceId', '=', options.deviceId)
      .where('itemId', '=', options.itemId)
      .where('assetId', '=', options.assetId)
      .where('maxHeight', '=', options.maxHeight)
      .where('returnedAt', 'is', null)
      .executeTakeFirst();
  }

  insertDownload(
    values: Pick<
      DownloadRow,
      | 'userId'
      | 'profileId'
      | 'deviceId'
      | 'itemId'
      | 'assetId'
      | 'maxHeight'
      | 'createdAt'
      | 'licenceExpiresAt'
    >,
    executor: Executor = this.#db,
  ): Promise<DownloadRow> {
    return executor.insertInto('downloads').values(values).returningAll().executeTakeFirstOrThrow();
  }

  download(
    options: { userId: string; id: string },
    executor: Executor = this.#db,
  ): Promise<DownloadRow | undefined> {
    return executor
      .selectFrom('downloads')
      .selectAll()
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .executeTakeFirst();
  }

  /** The account's downloads, newest first (returned ones too: the app shows them as gone). */
  downloads(userId: string, limit = 500, executor: Executor = this.#db): Promise<DownloadRow[]> {
    return executor
      .selectFrom('downloads')
      .selectAll()
      .where('userId', '=', userId)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** A fresh licence for a download (renewal, or downloading the same again): its new expiry. */
  renewed(
    options: { id: string; licenceExpiresAt: Date; now: Date },
    executor: Executor = this.#db,
  ): Promise<DownloadRow> {
    return executor
      .updateTable('downloads')
      .set({ licenceExpiresAt: options.licenceExpiresAt, renewedAt: options.now })
      .where('id', '=', options.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  returnDownload(
    options: { userId: string; id: string; now: Date },
    executor: Executor = this.#db,
  ): Promise<DownloadRow | undefined> {
    return executor
      .updateTable('downloads')
      .set({ returnedAt: options.now })
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .where('returnedAt', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /** Of these assets, those a download still holds with a licence unexpired at `now`. */
  async assetsHeld(assetIds: readonly string[], now: Date): Promise<string[]> {
    if (assetIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('downloads')
      .select('assetId')
      .distinct()
      .where('assetId', 'in', [...assetIds])
      .where('returnedAt', 'is', null)
      .where('licenceExpiresAt', '>', now)
      .execute();
    return rows.map((row) => row.assetId);
  }
}
