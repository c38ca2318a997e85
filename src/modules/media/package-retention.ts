import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { AssetsRepository, type AssetRow } from './assets.repository.ts';
import { ContentKeysRepository } from './content-keys.repository.ts';
import { mediaEventPublisher, type PublishMediaEvent } from './media-events.ts';

/**
 * Which of these assets something still plays from: a stream that is still alive, or a download
 * whose licence has not expired. Answered by playback, which owns streams and downloads.
 */
export type PackagesInUse = (assetIds: readonly string[], now: Date) => Promise<ReadonlySet<string>>;

export interface PackageRetentionDeps {
  db: Kysely<DB>;
  storage: Storage;
  pubsub: PubSub;
  clock: Clock;
  logger: Logger;
  inUse: PackagesInUse;
  /** How long a replaced package is kept at least (tokens and URLs already handed out). */
  retentionHours: number;
}

export interface RetentionReport {
  /** Superseded packages old enough to be looked at. */
  considered: number;
  /** Of those, kept because a stream or an unexpired download still uses them. */
  kept: number;
  retired: number;
  deletedObjects: number;
}

const BATCH = 500;

/**
 * Deletes superseded packages once nothing uses them. A package is replaced when a re-encode
 * points its item at a new one (today nothing deleted the old files). Each candidate goes
 * ready → retiring (its keys deleted in the same transaction, so nothing new can decrypt it)
 * → its files deleted → retired; a run that dies between the steps is finished by the next run.
 * The item's current package is never touched, whatever the timing: marking re-checks it.
 */
export class PackageRetention {
  readonly #deps: PackageRetentionDeps;
  readonly #assets: AssetsRepository;
  readonly #keys: ContentKeysRepository;
  readonly #publish: PublishMediaEvent;

  constructor(deps: PackageRetentionDeps) {
    this.#deps = deps;
    this.#assets = new AssetsRepository(deps.db, deps.clock);
    this.#keys = new ContentKeysRepository(deps.db);
    this.#publish = mediaEventPublisher(deps);
  }

  /** One pass over up to BATCH candidates, oldest first; the next scheduled run takes the rest. */
  async run(signal?: AbortSignal): Promise<RetentionReport> {
    const now = this.#deps.clock.now();
    const before = new Date(now.getTime() - this.#deps.retentionHours * 3_600_000);
    const candidates = await this.#assets.superseded({ before, limit: BATCH });
    const report: RetentionReport = { considered: candidates.length, kept: 0, retired: 0, deletedObjects: 0 };
    if (candidates.length === 0) return report;
    const used = await this.#deps.inUse(
      candidates.map((asset) => asset.id),
      now,
    );
    for (const asset of candidates) {
      if (signal?.aborted) break;
      if (used.has(asset.id)) {
        report.kept += 1;
        continue;
      }
      const deleted = await this.#retire(asset);
      if (deleted === undefined) continue;
      report.retired += 1;
      report.deletedObjects += deleted;
    }
    this.#deps.logger.info(report, 'package retention ran');
    return report;
  }

  /** Retires one asset; the number of objects deleted, or undefined when it is current again. */
  async #retire(asset: AssetRow): Promise<number | undefined> {
    const assetId = asset.id;
    const marked = await transactorFor(this.#deps.db).run(async (trx) => {
      if (!(await this.#assets.markRetiring(assetId, trx))) return false;
      await this.#keys.deleteOf(assetId, trx);
      return true;
    });
    if (!marked) return undefined;
    const deleted = asset.packagePrefix ? await this.#deps.storage.deletePrefix(asset.packagePrefix) : 0;
    await this.#assets.markRetired(assetId);
    await this.#publish('PackageRetired', { ...asset, status: 'retired' });
    this.#deps.logger.info({ assetId, itemId: asset.itemId, deleted }, 'superseded package deleted');
    return deleted;
  }
}
