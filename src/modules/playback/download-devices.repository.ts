import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, DownloadDevicesTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

/** The SQL of download devices: the devices that may hold downloads, with their public keys. */

/** `publicKey` is the device's P-256 public key, as a JWK in JSON. */
export type DownloadDeviceRow = Selectable<DownloadDevicesTable>;

export class DownloadDevicesRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Serialises one account's device registrations until the transaction ends (the device cap). */
  async lockAccount(userId: string, executor: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`playback.download-devices:${userId}`}, 0))`.execute(
      executor,
    );
  }

  /** The account's devices that may hold downloads (not revoked), oldest first. */
  activeDevices(userId: string, executor: Executor = this.#db): Promise<DownloadDeviceRow[]> {
    return executor
      .selectFrom('downloadDevices')
      .selectAll()
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .orderBy('createdAt')
      .execute();
  }

  /** A device of this account (revoked ones included), or undefined. */
  device(
    options: { userId: string; id: string },
    executor: Executor = this.#db,
  ): Promise<DownloadDeviceRow | undefined> {
    return executor
      .selectFrom('downloadDevices')
      .selectAll()
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .executeTakeFirst();
  }

  insertDevice(
    values: { userId: string; authSessionId: string; name: string; publicKey: string; now: Date },
    executor: Executor = this.#db,
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
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Revokes a live device of this account; undefined when there is none. */
  revokeDevice(
    options: { userId: string; id: string; now: Date },
    executor: Executor = this.#db,
  ): Promise<DownloadDeviceRow | undefined> {
    return executor
      .updateTable('downloadDevices')
      .set({ revokedAt: options.now })
      .where('id', '=', options.id)
      .where('userId', '=', options.userId)
      .where('revokedAt', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }
}
