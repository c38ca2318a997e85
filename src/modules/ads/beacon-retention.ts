import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { DeliveryRepository } from './delivery.repository.ts';

export interface BeaconRetentionDeps {
  delivery: DeliveryRepository;
  clock: Clock;
  logger: Logger;
  /** ADS_BEACON_RETENTION_DAYS: at least 8, longer than any beacon URL is valid (config says why). */
  retentionDays: number;
  /** Rows per delete statement. */
  batchSize?: number;
}

const DAY_MS = 86_400_000;

/**
 * The `ads.retain-beacons` job: counted beacons older than the retention are deleted, in batches.
 * A beacon's row exists to make its replays count nothing, which matters only while its URL is
 * still valid (ADS_BEACON_TTL_HOURS, at most a week); what it counted was added to its campaign's
 * day (ad_delivery_daily) in the same transaction that wrote it, so deleting the row loses no
 * figure. Idempotent: a second run finds nothing more to delete.
 */
export class BeaconRetention {
  readonly #deps: BeaconRetentionDeps;

  constructor(deps: BeaconRetentionDeps) {
    this.#deps = deps;
  }

  async run(signal?: AbortSignal): Promise<{ deleted: number; before: Date }> {
    const before = new Date(this.#deps.clock.now().getTime() - this.#deps.retentionDays * DAY_MS);
    const batchSize = this.#deps.batchSize ?? 10_000;
    let deleted = 0;
    for (;;) {
      signal?.throwIfAborted();
      const batch = await this.#deps.delivery.deleteBeaconsBefore(before, batchSize);
      deleted += batch;
      if (batch < batchSize) break;
    }
    if (deleted > 0) this.#deps.logger.info({ deleted, before }, 'old ad beacons deleted');
    return { deleted, before };
  }
}
