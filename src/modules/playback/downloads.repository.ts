import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';

/** The SQL of offline downloads: the devices that hold them, the downloads, their content keys. */

export interface DownloadDeviceRow {
  id: string;
  userId: string;
  authSessionId: string | null;
  name: string;
  /** The device's P-256 public key, as a JWK in JSON. */
  publicKey: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface DownloadRow {
  id: string;
  userId: string;
  profileId: string | null;
  deviceId: string;
  itemId: string;
  assetId: string;
  maxHeight: number;
  createdAt: Date;
  licenceExpiresAt: Date;
  firstPlayedAt: Date | null;
  renewedAt: Date | null;
  returnedAt: Date | null;
}

export interface WrappedContentKeyRow {
  id: string;
  tier: string;
  wrappedKey: Uint8Array;
  iv: Uint8Array;
}

const deviceColumns = [
  'id',
  'userId',
  'authSessionId',
  'name',
  'publicKey',
  'createdAt',
  'revokedAt',
] as const;
const downloadColumns = [
  'id',
  'userId',
  'profileId',
  'deviceId',
  'itemId',
  'assetId',
  'maxHeight',
  'createdAt',
  'licenceExpiresAt',
  'firstPlayedAt',
  'renewedAt',
  'returnedAt',
] as const;

export class DownloadsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** The account's devices that may hold downloads (not revoked), oldest first. */
  activeDevices(userId: string, executor: Kysely<DB> = this.#db): Promise<DownloadDeviceRow[]> {
    return executor
      .selectFrom('downloadDevices')
      .select(deviceColumns)
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .orderBy('createdAt')
      .execute();
  }

  /** A device of this account (revoked ones included), or undefined. */
  device(
    options: { userId: string; id: string },
    executor: Kysely<DB> = this.#db,
  ): Promise<DownloadDeviceRow | undefined> {
    return executor
      .selectFrom('downloadDevices')
      .select(deviceColumns)
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .executeTakeFirst();
  }

  insertDevice(
    executor: Kysely<DB>,
    values: { userId: string; authSessionId: string; name: string; publicKey: string; now: Date },
  ): Promise<DownloadDeviceRow> {
    return executor
      .insertInto('downloadDevices')
      .values({
        userId: values.userId,
        authSessionId: values.authSessionId,
        name: values.name,
        publicKey: values.publicKey,
        createdAt: values.now,
      })
      .returning(deviceColumns)
      .executeTakeFirstOrThrow();
  }

  /** Revokes a live device of this account; undefined when there is none. */
  revokeDevice(
    executor: Kysely<DB>,
    options: { userId: string; id: string; now: Date },
  ): Promise<DownloadDeviceRow | undefined> {
    return executor
      .updateTable('downloadDevices')
      .set({ revokedAt: options.now })
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .where('revokedAt', 'is', null)
      .returning(deviceColumns)
      .executeTakeFirst();
  }

  async countActiveDownloads(userId: string, executor: Kysely<DB> = this.#db): Promise<number> {
    const row = await executor
      .selectFrom('downloads')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('userId', '=', userId)
      .where('returnedAt', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** The live download of this item on this device, if any. */
  activeDownloadOn(
    executor: Kysely<DB>,
    options: { deviceId: string; itemId: string },
  ): Promise<DownloadRow | undefined> {
    return executor
      .selectFrom('downloads')
      .select(downloadColumns)
      .where('deviceId', '=', options.deviceId)
      .where('itemId', '=', options.itemId)
      .where('returnedAt', 'is', null)
      .executeTakeFirst();
  }

  insertDownload(
    executor: Kysely<DB>,
    values: Omit<DownloadRow, 'id' | 'firstPlayedAt' | 'renewedAt' | 'returnedAt'>,
  ): Promise<DownloadRow> {
    return executor
      .insertInto('downloads')
      .values(values)
      .returning(downloadColumns)
      .executeTakeFirstOrThrow();
  }

  /** A re-download of the same item on the same device: same slot, fresh package and licence. */
  refreshDownload(
    executor: Kysely<DB>,
    options: { id: string; assetId: string; maxHeight: number; licenceExpiresAt: Date; now: Date },
  ): Promise<DownloadRow> {
    return executor
      .updateTable('downloads')
      .set({
        assetId: options.assetId,
        maxHeight: options.maxHeight,
        licenceExpiresAt: options.licenceExpiresAt,
        renewedAt: options.now,
      })
      .where('id', '=', options.id)
      .returning(downloadColumns)
      .executeTakeFirstOrThrow();
  }

  download(
    options: { userId: string; id: string },
    executor: Kysely<DB> = this.#db,
  ): Promise<DownloadRow | undefined> {
    return executor
      .selectFrom('downloads')
      .select(downloadColumns)
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .executeTakeFirst();
  }

  /** The account's downloads, newest first (returned ones too: the app shows them as gone). */
  downloads(userId: string, limit = 500): Promise<DownloadRow[]> {
    return this.#db
      .selectFrom('downloads')
      .select(downloadColumns)
      .where('userId', '=', userId)
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  async renewed(options: { id: string; licenceExpiresAt: Date; now: Date }): Promise<void> {
    await this.#db
      .updateTable('downloads')
      .set({ licenceExpiresAt: options.licenceExpiresAt, renewedAt: options.now })
      .where('id', '=', options.id)
      .execute();
  }

  returnDownload(
    executor: Kysely<DB>,
    options: { userId: string; id: string; now: Date },
  ): Promise<DownloadRow | undefined> {
    return executor
      .updateTable('downloads')
      .set({ returnedAt: options.now })
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .where('returnedAt', 'is', null)
      .returning(downloadColumns)
      .executeTakeFirst();
  }

  /** The wrapped content keys of an asset that encrypt any of these renditions. */
  contentKeysFor(options: {
    assetId: string;
    renditions: readonly string[];
  }): Promise<WrappedContentKeyRow[]> {
    return this.#db
      .selectFrom('contentKeys')
      .select(['id', 'tier', 'wrappedKey', 'iv'])
      .where('assetId', '=', options.assetId)
      .where((eb) => eb.or(options.renditions.map((name) => eb(eb.val(name), '=', eb.fn.any('renditions')))))
      .orderBy('tier')
      .orderBy('firstSegment')
      .execute();
  }
}
