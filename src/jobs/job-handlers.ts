import type { Config } from '../config/config.ts';
import { createCatalogFacts, createPlayableItems, createRecordedTitles } from '../modules/catalog/index.ts';
import { createLiveRecordings, createUnattendedLiveEvents } from '../modules/live/index.ts';
import { createAdsWorker } from '../modules/ads/index.ts';
import { createRecommendations } from '../modules/recommendations/index.ts';
import { createAnalyticsJobs, startStreamConsumer } from '../modules/analytics/index.ts';
import { AuditLog } from '../modules/audit/index.ts';
import { accountContact, accountIdByEmail, setAccountPlan } from '../modules/identity/index.ts';
import { createMediaService, ffmpegTools, PackageRetention } from '../modules/media/index.ts';
import { concurrentStreamCounter, packagesInUse } from '../modules/playback/index.ts';
import { createSubscriptions } from '../modules/subscriptions/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { Cache } from '../platform/cache/cache.port.ts';
import type { Database } from '../platform/db/database.ts';
import type { Logger } from '../platform/logger.ts';
import type { Mailer } from '../platform/mail/mail.port.ts';
import type { PubSub } from '../platform/pubsub/pubsub.port.ts';
import type { Storage } from '../platform/storage/storage.port.ts';
import type { AppQueue } from './job-catalog.ts';

/** The ports the worker role runs on. */
export interface WorkerDeps {
  config: Config;
  logger: Logger;
  database: Database;
  cache: Cache;
  pubsub: PubSub;
  storage: Storage;
  mailer: Mailer;
  queue: AppQueue;
  clock: Clock;
}

/**
 * The worker's composition root: builds the services jobs need and registers one handler per job
 * type in the catalog. Returns what to close on shutdown (after the queue has stopped).
 */
export async function registerJobHandlers(deps: WorkerDeps): Promise<{ close(): Promise<void> }> {
  const { queue, config } = deps;
  const playable = await createPlayableItems({
    db: deps.database.db,
    cache: deps.cache,
    pubsub: deps.pubsub,
  });
  const { media } = await createMediaService({
    db: deps.database.db,
    storage: deps.storage,
    pubsub: deps.pubsub,
    queue,
    items: playable.items,
    logger: deps.logger.child({ component: 'media' }),
    clock: deps.clock,
    tools: ffmpegTools(config.media),
    config: config.media,
  });

  const { events, checkout, notices } = createSubscriptions({
    db: deps.database.db,
    clock: deps.clock,
    queue,
    cache: deps.cache,
    audit: new AuditLog(deps.database.db),
    logger: deps.logger.child({ component: 'subscriptions' }),
    pubsub: deps.pubsub,
    config,
    setAccountPlan: (executor, change) => setAccountPlan(executor, { ...change, now: deps.clock.now() }),
    contactOf: accountContact,
    accountIdByEmail,
    planIdOf: async () => {
      throw new Error('the worker does not read plans through identity');
    },
    // Recommendations are built below; a plan change moves the account's rows' stamp (titles above the tier).
    onPlanChanged: (userId) => recommendations.service.planChanged(userId),
  });

  const recommendations = createRecommendations({
    db: deps.database.db,
    cache: deps.cache,
    pubsub: deps.pubsub,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'recommendations' }),
    facts: createCatalogFacts(deps.database.db),
    items: playable.items,
    config,
  });

  await queue.work('mail.send', async ({ payload }) => {
    await deps.mailer.send(payload);
  });
  await queue.work('media.transcode', (job) => media.transcode(job), {
    concurrency: config.media.concurrency,
  });
  const recordedTitles = createRecordedTitles({ db: deps.database.db, clock: deps.clock });
  const recordings = createLiveRecordings({
    db: deps.database.db,
    clock: deps.clock,
    titleFor: (event) => recordedTitles.ensure(event),
    registerSource: async (source) => {
      await media.registerSource(
        { ...source, uploadedBy: null },
        { actor: { type: 'system', id: null }, ip: null, requestId: null },
      );
    },
  });
  await queue.work('live.record-vod', ({ payload }) => recordings.toVod(payload));
  const unattended = createUnattendedLiveEvents({
    db: deps.database.db,
    pubsub: deps.pubsub,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'live' }),
    graceSeconds: config.live.ingest.graceSeconds,
  });
  await queue.work('live.end-unattended', async () => {
    await unattended.end();
  });
  const ads = createAdsWorker({
    db: deps.database.db,
    storage: deps.storage,
    queue,
    tools: ffmpegTools(config.media),
    clock: deps.clock,
    logger: deps.logger.child({ component: 'ads' }),
    pubsub: deps.pubsub,
    preset: config.media.preset,
    beaconRetentionDays: config.ads.beaconRetentionDays,
    sourceOf: (itemId) => media.currentSource(itemId),
  });
  await queue.work('ads.detect-cue-points', ({ payload, signal }) => ads.cueDetection.run(payload, signal));
  await queue.work('ads.transcode-creative', (job) => ads.creatives.transcode(job));
  await queue.work('ads.retain-beacons', async ({ signal }) => {
    await ads.beaconRetention.run(signal);
  });
  const retention = new PackageRetention({
    db: deps.database.db,
    storage: deps.storage,
    pubsub: deps.pubsub,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'package-retention' }),
    inUse: packagesInUse({
      db: deps.database.db,
      heartbeatLapseSeconds: config.playback.heartbeatLapseSeconds,
    }),
    retentionHours: config.media.packageRetentionHours,
  });
  await queue.work('media.retain-packages', async ({ signal }) => {
    await retention.run(signal);
  });
  await queue.work('subscriptions.apply-event', ({ payload }) =>
    events.apply(payload.provider, payload.eventId),
  );
  await queue.work('subscriptions.run-due', async ({ signal }) => {
    await events.runDue(signal);
    await checkout.expireAbandoned(signal);
  });
  await queue.work('subscriptions.send-notices', async ({ signal }) => {
    await notices.sendDue(signal);
  });
  await queue.work('recommendations.train', async ({ signal }) => {
    await recommendations.trainer.train(signal);
  });
  const analytics = createAnalyticsJobs({
    db: deps.database.db,
    clock: deps.clock,
    config,
    concurrentViewers: concurrentStreamCounter({
      db: deps.database.db,
      heartbeatLapseSeconds: config.playback.heartbeatLapseSeconds,
    }),
  });
  await queue.work('analytics.maintain-partitions', async ({ signal }) => {
    await analytics.maintainPartitions(signal);
  });
  await queue.work('analytics.roll-up', async ({ signal }) => {
    // Every minute: this minute's open streams, then the rollups (peak concurrency reads both).
    await analytics.sampleViewers();
    await analytics.rollUp({ signal });
  });
  // With ANALYTICS_SINK=nats, events reach the raw table through this consumer of the stream.
  const streamConsumer = await startStreamConsumer({
    db: deps.database.db,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'analytics' }),
    config,
  });
  return {
    close: async () => {
      await streamConsumer.close();
      await playable.close();
    },
  };
}
