import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import { AdBeaconInvalid } from './ads.errors.ts';
import { adsEventPublisher, type PublishAdsEvent } from './ads.events.ts';
import { BeaconBuffer, deliveryIncrements, type PendingBeacon } from './beacon-buffer.ts';
import { verifyBeacon } from './beacon-signing.ts';
import type { CampaignCache } from './campaign-cache.ts';
import type { CampaignsRepository } from './campaigns.repository.ts';
import type { DeliveryRepository } from './delivery.repository.ts';
import type { BeaconEvent } from './vast-xml.ts';

export interface TrackingServiceDeps {
  delivery: DeliveryRepository;
  campaigns: CampaignsRepository;
  cache: CampaignCache;
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
  pubsub: PubSub;
  secret: Buffer;
  flushIntervalMs: number;
  maxPending: number;
}

const INSERT_CHUNK = 500;

/**
 * Beacons in, counts out: a beacon is checked (signature, expiry), buffered once per ad instance
 * and event, and written in batches — each batch inserts the beacons not seen before (the
 * primary key settles replays across batches and instances) and adds exactly those to the
 * campaign's day, in one transaction. Budgets and pacing read those days (the campaign cache
 * reloads after a batch); the report reads them too.
 */
export class TrackingService {
  readonly #deps: TrackingServiceDeps;
  readonly #buffer: BeaconBuffer;
  readonly #publish: PublishAdsEvent;
  #slots = new Map<string, { requested: number; filled: number }>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(deps: TrackingServiceDeps) {
    this.#deps = deps;
    this.#buffer = new BeaconBuffer({ maxEntries: deps.maxPending });
    this.#publish = adsEventPublisher(deps.pubsub, deps.logger);
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), this.#deps.flushIntervalMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
  }

  /** A beacon from a player: refused unless we signed it and it is still valid; counted once. */
  async record(beacon: {
    event: BeaconEvent;
    instanceId: string;
    campaignId: string;
    expires: number;
    signature: string;
  }): Promise<void> {
    const now = this.#deps.clock.now();
    const valid =
      beacon.expires * 1000 > now.getTime() &&
      verifyBeacon({
        secret: this.#deps.secret,
        claims: {
          instanceId: beacon.instanceId,
          campaignId: beacon.campaignId,
          event: beacon.event,
          expires: beacon.expires,
        },
        signature: beacon.signature,
      });
    if (!valid) throw AdBeaconInvalid();
    const pending: PendingBeacon = {
      instanceId: beacon.instanceId,
      campaignId: beacon.campaignId,
      event: beacon.event,
      receivedAt: now,
    };
    if (this.#buffer.offer(pending) === 'full') {
      await this.flush();
      this.#buffer.offer(pending);
    }
  }

  /** Ad slots asked for and filled, for the fill rate (written with the next batch). */
  countSlots(day: string, requested: number, filled: number): void {
    const slots = this.#slots.get(day) ?? { requested: 0, filled: 0 };
    slots.requested += requested;
    slots.filled += filled;
    this.#slots.set(day, slots);
  }

  /** Writes what waits; one flush at a time (a timer tick during a slow one waits for it). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() =>
      this.#write().catch((error: unknown) =>
        this.#deps.logger.error({ err: error }, 'ad beacons not written'),
      ),
    );
    return this.#flushing;
  }

  async #write(): Promise<void> {
    const beacons = this.#buffer.drain();
    const slots = [...this.#slots.entries()];
    this.#slots = new Map();
    if (beacons.length === 0 && slots.length === 0) return;
    const snapshot = await this.#deps.cache.current();
    const cpm = new Map<string, number>();
    for (const campaignId of new Set(beacons.map((b) => b.campaignId))) {
      const live = snapshot.byId.get(campaignId);
      const cpmMinor =
        live?.cpmMinor ?? Number((await this.#deps.campaigns.findCampaign(campaignId))?.cpmMinor ?? 0);
      cpm.set(campaignId, cpmMinor);
    }
    const counted = await this.#deps.transactor.run(async (trx) => {
      const fresh: PendingBeacon[] = [];
      for (let offset = 0; offset < beacons.length; offset += INSERT_CHUNK) {
        const rows = await this.#deps.delivery.insertNewBeacons(
          beacons.slice(offset, offset + INSERT_CHUNK),
          trx,
        );
        fresh.push(...rows.map((row) => ({ ...row, event: row.event as BeaconEvent })));
      }
      for (const increment of deliveryIncrements(fresh, (id) => cpm.get(id) ?? 0)) {
        await this.#deps.delivery.addDelivery(increment, trx);
      }
      for (const [day, counts] of slots) await this.#deps.delivery.addSlots(day, counts, trx);
      return fresh;
    });
    if (counted.length > 0) {
      await this.#deps.cache.changed();
      for (const beacon of counted) {
        await this.#publish({
          type: 'AdBeaconCounted',
          at: beacon.receivedAt.toISOString(),
          event: beacon.event,
          instanceId: beacon.instanceId,
          campaignId: beacon.campaignId,
          // An impression earns a thousandth of the CPM: in thousandths of a minor unit, the CPM.
          revenueMilliMinor: beacon.event === 'impression' ? (cpm.get(beacon.campaignId) ?? 0) : 0,
        });
      }
    }
    for (const [day, counts] of slots) {
      await this.#publish({
        type: 'AdSlotsCounted',
        at:
          day === this.#deps.clock.now().toISOString().slice(0, 10)
            ? this.#deps.clock.now().toISOString()
            : `${day}T12:00:00.000Z`,
        batchId: randomUUID(),
        requested: counts.requested,
        filled: counts.filled,
      });
    }
  }
}
