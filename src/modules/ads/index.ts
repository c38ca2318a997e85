import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { loadOrCreateSecret } from '../../shared/secret-file.ts';
import type { AuditLog } from '../audit/index.ts';
import type { MediaTools } from '../media/index.ts';
import { adsAdminRoutes } from './ads-admin.routes.ts';
import { AdsAdminService } from './ads-admin.service.ts';
import { adsRoutes } from './ads.routes.ts';
import { BeaconRetention } from './beacon-retention.ts';
import { CueDetection, type ItemSource } from './cue-detection.ts';
import { ADS_CHANGED_CHANNEL, CampaignCache } from './campaign-cache.ts';
import { CampaignsRepository } from './campaigns.repository.ts';
import { CreativesService } from './creatives.service.ts';
import type { AdPolicy } from './decisioning.ts';
import { DecisionService, type AdStream } from './decision.service.ts';
import { DeliveryRepository } from './delivery.repository.ts';
import { TrackingService } from './tracking.service.ts';

export { ADS_EVENTS_CHANNEL, type AdsEvent } from './ads.events.ts';
export type { AdPolicy } from './decisioning.ts';
export type { AdStream } from './decision.service.ts';
export { BeaconRetention } from './beacon-retention.ts';

/** A plan row's ad columns as the ad server applies them. */
export const adPolicyOf = (plan: {
  hasAds: boolean;
  adPreroll: boolean;
  adMidrollIntervalSeconds: number;
  adPodMax: number;
}): AdPolicy => ({
  hasAds: plan.hasAds,
  preroll: plan.adPreroll,
  midrollIntervalSeconds: plan.adMidrollIntervalSeconds,
  podMax: plan.adPodMax,
});

export interface AdsDeps {
  db: Kysely<DB>;
  cache: Cache;
  pubsub: PubSub;
  storage: Storage;
  queue: AppQueue;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  tools: MediaTools;
  /** Playback's stream of this account (undefined for another account's). */
  streamOf: (userId: string, streamId: string) => Promise<AdStream | undefined>;
  /** The account's plan's ad policy (subscriptions owns the plans). */
  policyOf: (userId: string) => Promise<AdPolicy>;
  /** Catalog's facts of a playable item: its title's genres and its maturity level. */
  itemFacts: (itemId: string) => Promise<{ genres: string[]; maturityLevel: number }>;
  /** Media's source of the video an item plays now (scene detection reads it). */
  sourceOf: (itemId: string) => Promise<ItemSource | undefined>;
  config: Pick<Config, 'ads' | 'catalog'> & {
    playback: Pick<Config['playback'], 'secret' | 'secretFile'>;
    media: Pick<Config['media'], 'preset'>;
  };
}

export interface Ads {
  plugin: FastifyPluginAsync;
  close(): Promise<void>;
}

/** Builds the ad server: decisioning, tracking, and campaign management. */
export async function createAds(deps: AdsDeps): Promise<Ads> {
  const { db, config } = deps;
  // The playback secret, under a MAC context of its own (beacon-signing.ts).
  const secret = await loadOrCreateSecret({
    fromEnvironment:
      config.playback.secret === undefined ? undefined : Buffer.from(config.playback.secret, 'utf8'),
    file: config.playback.secretFile,
    bytes: 32,
  });
  const transactor = transactorFor(db);
  const repository = new CampaignsRepository(db);
  const delivery = new DeliveryRepository(db);
  const logger = deps.logger;
  const campaigns = new CampaignCache({
    campaigns: repository,
    delivery,
    clock: deps.clock,
    pubsub: deps.pubsub,
    logger,
    refreshMs: 60_000,
  });
  await campaigns.start();
  const tracking = new TrackingService({
    delivery,
    campaigns: repository,
    cache: campaigns,
    transactor,
    clock: deps.clock,
    logger,
    pubsub: deps.pubsub,
    secret,
    flushIntervalMs: config.ads.flushMs,
    maxPending: 100_000,
  });
  tracking.start();
  const decisions = new DecisionService({
    campaigns,
    repository,
    tracking,
    cache: deps.cache,
    clock: deps.clock,
    secret,
    streamOf: deps.streamOf,
    policyOf: deps.policyOf,
    itemFacts: deps.itemFacts,
    beaconTtlSeconds: config.ads.beaconTtlSeconds,
  });
  const admin = new AdsAdminService({
    repository,
    delivery,
    cache: campaigns,
    transactor,
    audit: deps.audit,
    clock: deps.clock,
    queue: deps.queue,
    hasVideo: async (itemId) => (await deps.sourceOf(itemId)) !== undefined,
  });
  const creatives = createCreatives({ ...deps, repository, transactor, preset: config.media.preset });
  const plugin = fp(
    async (app) => {
      await app.register(adsRoutes, {
        decisions,
        tracking,
        storage: deps.storage,
        clock: deps.clock,
        countryHeader: config.catalog.countryHeader,
      });
      await app.register(adsAdminRoutes, { admin, creatives });
    },
    { name: 'marquee-ads' },
  );
  return {
    plugin,
    async close() {
      await tracking.close();
      await campaigns.close();
    },
  };
}

function createCreatives(
  deps: Pick<AdsDeps, 'storage' | 'queue' | 'tools' | 'clock' | 'logger' | 'pubsub'> & {
    repository: CampaignsRepository;
    transactor: ReturnType<typeof transactorFor>;
    preset: string;
  },
): CreativesService {
  return new CreativesService({
    repository: deps.repository,
    transactor: deps.transactor,
    storage: deps.storage,
    queue: deps.queue,
    tools: deps.tools,
    clock: deps.clock,
    logger: deps.logger,
    preset: deps.preset,
    // Every API instance reloads its campaigns: the creative can serve now.
    changed: () => deps.pubsub.publish(ADS_CHANGED_CHANNEL, { at: deps.clock.now().toISOString() }),
  });
}

/** What the worker runs: the creative transcode, cue point detection and beacon retention jobs. */
export function createAdsWorker(
  deps: Pick<AdsDeps, 'db' | 'storage' | 'queue' | 'tools' | 'clock' | 'logger' | 'pubsub' | 'sourceOf'> & {
    preset: string;
    beaconRetentionDays: number;
  },
): { creatives: CreativesService; beaconRetention: BeaconRetention; cueDetection: CueDetection } {
  return {
    cueDetection: new CueDetection({
      repository: new CampaignsRepository(deps.db),
      storage: deps.storage,
      tools: deps.tools,
      clock: deps.clock,
      logger: deps.logger,
      sourceOf: deps.sourceOf,
    }),
    creatives: createCreatives({
      ...deps,
      repository: new CampaignsRepository(deps.db),
      transactor: transactorFor(deps.db),
    }),
    beaconRetention: new BeaconRetention({
      delivery: new DeliveryRepository(deps.db),
      clock: deps.clock,
      logger: deps.logger,
      retentionDays: deps.beaconRetentionDays,
    }),
  };
}
