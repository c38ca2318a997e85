import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { RateLimits } from '../../platform/ratelimit/ratelimit.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { loadOrCreateSecret } from '../../shared/secret-file.ts';
import type { AuditLog } from '../audit/index.ts';
import type { PlayableItems } from '../catalog/index.ts';
import type { ProgressRecorderPort } from '../engagement/index.ts';
import { loadSigningKeys } from '../identity/index.ts';
import type { MediaKeys, MediaPackages } from '../media/index.ts';
import { DeliveryService, readStoredText } from './delivery.service.ts';
import type { LiveSources } from './live-playback.ts';
import { DownloadDevicesRepository } from './download-devices.repository.ts';
import { DownloadDevicesService } from './download-devices.service.ts';
import { DownloadsRepository } from './downloads.repository.ts';
import { downloadsRoutes } from './downloads.routes.ts';
import { adminDownloadsRoutes } from './admin-downloads.routes.ts';
import { AdminDownloadsService, type StaffAccessCheck } from './admin-downloads.service.ts';
import { DownloadsService } from './downloads.service.ts';
import type { LicenceSigner } from './offline-licence.ts';
import { PlaybackRepository } from './playback.repository.ts';
import { playbackRoutes } from './playback.routes.ts';
import { PlaybackService } from './playback.service.ts';
import type { PlanLookup } from './plan-lookup.ts';
import { StreamStates } from './stream-states.ts';
import { PLAYBACK_EVENTS_CHANNEL, type PlaybackEvent } from './playback.events.ts';
import { domainEventPublisher } from '../../platform/pubsub/domain-events.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import { playerRoutes } from './player.routes.ts';

export interface PlaybackDeps {
  db: Kysely<DB>;
  cache: Cache;
  clock: Clock;
  storage: Storage;
  rateLimits: RateLimits;
  logger: Logger;
  items: PlayableItems;
  /** Media's packages and content keys: playback reads neither table itself. */
  packages: MediaPackages;
  keys: MediaKeys;
  isSignedIn: (authSessionId: string) => Promise<boolean>;
  /** The plan an account is on (identity owns the accounts). */
  planIdOf: (userId: string) => Promise<string>;
  /** The name a sign-in session's device goes by (identity owns the sessions). */
  deviceNameOf: (authSessionId: string) => Promise<string | undefined>;
  /** A plan's limits (subscriptions owns the plans). */
  plans: PlanLookup;
  audit: AuditLog;
  /** Engagement's progress recorder: heartbeats feed it, starts ask it where to resume. */
  progress: ProgressRecorderPort;
  /** Live events (the live module's answer): they play through the same streams. */
  live: LiveSources;
  /** Where a live event's HLS is in storage (the live module's layout). */
  livePrefix: (eventId: string) => string;
  /** Where playback's domain events (streams started) go. */
  pubsub: PubSub;
  /** Identity's rule for staff reading or changing an account (the admin view of its downloads). */
  checkStaffAccess: StaffAccessCheck;
  config: Pick<Config, 'playback' | 'catalog'> & { auth: Pick<Config['auth'], 'signingKeysFile'> };
}

/** Builds playback from the ports it uses; the app registers `plugin`. */
export async function createPlayback(deps: PlaybackDeps): Promise<{
  plugin: FastifyPluginAsync;
  playback: PlaybackService;
  delivery: DeliveryService;
  downloads: DownloadsService;
  devices: DownloadDevicesService;
}> {
  const { config } = deps;
  const secret = await loadOrCreateSecret({
    fromEnvironment:
      config.playback.secret === undefined ? undefined : Buffer.from(config.playback.secret, 'utf8'),
    file: config.playback.secretFile,
    bytes: 32,
  });
  const transactor = transactorFor(deps.db);
  const repository = new PlaybackRepository(deps.db);
  const streams = new StreamStates({
    cache: deps.cache,
    repository,
    clock: deps.clock,
    heartbeatLapseSeconds: config.playback.heartbeatLapseSeconds,
  });
  const playback = new PlaybackService({
    repository,
    streams,
    plans: deps.plans,
    transactor,
    planIdOf: deps.planIdOf,
    deviceNameOf: deps.deviceNameOf,
    clock: deps.clock,
    items: deps.items,
    packages: deps.packages,
    logger: deps.logger,
    secrets: secret,
    tokenTtlSeconds: config.playback.tokenTtlSeconds,
    heartbeatLapseSeconds: config.playback.heartbeatLapseSeconds,
    progress: deps.progress,
    live: deps.live,
    liveMaster: (prefix) => readStoredText(deps.storage, `${prefix}master.m3u8`),
    publish: domainEventPublisher<PlaybackEvent>({
      pubsub: deps.pubsub,
      channel: PLAYBACK_EVENTS_CHANNEL,
      logger: deps.logger,
    }),
  });
  const delivery = new DeliveryService({
    isSignedIn: deps.isSignedIn,
    storage: deps.storage,
    clock: deps.clock,
    logger: deps.logger,
    rateLimits: deps.rateLimits,
    playback,
    streams,
    secrets: secret,
    keys: deps.keys,
    livePrefix: deps.livePrefix,
    config: config.playback,
    cloudFrontPrivateKey:
      config.playback.delivery.mode === 'cloudfront'
        ? await readFile(config.playback.delivery.privateKeyFile, 'utf8')
        : undefined,
  });
  const devices = new DownloadDevicesService({
    repository: new DownloadDevicesRepository(deps.db),
    transactor,
    entitlements: playback,
    clock: deps.clock,
    logger: deps.logger,
    audit: deps.audit,
  });
  const downloads = new DownloadsService({
    repository: new DownloadsRepository(deps.db),
    transactor,
    entitlements: playback,
    devices,
    clock: deps.clock,
    logger: deps.logger,
    audit: deps.audit,
    items: deps.items,
    delivery,
    keys: deps.keys,
    signer: await licenceSigner(config.auth.signingKeysFile, deps.clock),
    licenceDays: config.playback.offlineLicenceDays,
    playWindowHours: config.playback.offlinePlayWindowHours,
  });
  const plugin = fp(
    async (app) => {
      await app.register(playbackRoutes, {
        playback,
        delivery,
        clock: deps.clock,
        countryHeader: config.catalog.countryHeader,
      });
      await app.register(downloadsRoutes, {
        downloads,
        devices,
        clock: deps.clock,
        countryHeader: config.catalog.countryHeader,
      });
      await app.register(adminDownloadsRoutes, {
        adminDownloads: new AdminDownloadsService({
          devices,
          downloads,
          checkStaffAccess: deps.checkStaffAccess,
        }),
      });
      await app.register(playerRoutes);
    },
    { name: 'marquee-playback' },
  );
  return { plugin, playback, delivery, downloads, devices };
}

/**
 * Offline licences are signed with the JWT signing key (Ed25519, the first of the file), so a
 * player runtime verifies them with the keys it already fetches from /.well-known/jwks.json, and
 * a key rotation covers both.
 */
async function licenceSigner(signingKeysFile: string, clock: Clock): Promise<LicenceSigner> {
  const [first] = await loadSigningKeys(signingKeysFile, clock);
  const { kid, kty, crv, x, d } = first!;
  return { kid, privateKey: createPrivateKey({ key: { kty, crv, x, d }, format: 'jwk' }) };
}
