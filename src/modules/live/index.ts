import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import { domainEventPublisher } from '../../platform/pubsub/domain-events.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { MediaKeys } from '../media/index.ts';
import type { RateLimits } from '../../platform/ratelimit/ratelimit.port.ts';
import type { AuditLog } from '../audit/index.ts';
import type { PlayableItems } from '../catalog/index.ts';
import type { BroadcastFrame } from './chat-protocol.ts';
import { chatGateway } from './chat.gateway.ts';
import { ChatRepository } from './chat.repository.ts';
import { ChatService, chatChannel } from './chat.service.ts';
import { LiveEventsRepository } from './live-events.repository.ts';
import { LiveEventsService, toLiveEvent } from './live-events.service.ts';
import { liveRoutes } from './live.routes.ts';
import { LIVE_EVENTS_CHANNEL, type LiveDomainEvent } from './live.events.ts';
import { Presence, presenceBucket } from './presence.ts';
import { RtmpIngest, type RtmpIngestDeps } from './rtmp-ingest.ts';
import { SrtIngest } from './srt-ingest.ts';
import { tokenHash } from './stream-keys.ts';
import { LiveRecordings, type LiveRecordingsDeps } from './live-recordings.ts';
import { UnattendedLiveEvents, type UnattendedLiveEventsDeps } from './live-unattended.ts';
import { liveRecordingKey } from './live-storage.ts';

export type { LiveEvent } from './live.schemas.ts';
export { LIVE_EVENTS_CHANNEL, type LiveDomainEvent } from './live.events.ts';
export { RtmpIngest } from './rtmp-ingest.ts';
export { SrtIngest } from './srt-ingest.ts';
export { LiveEventsService } from './live-events.service.ts';
export { liveHlsPrefix, liveRecordingKey } from './live-storage.ts';

export interface LiveDeps {
  db: Kysely<DB>;
  cache: Cache;
  pubsub: PubSub;
  rateLimits: RateLimits;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  items: Pick<PlayableItems, 'whyHidden'>;
  planTierOf: (userId: string) => Promise<number>;
  /** Engagement's moderation: comment bans and the word filter apply to chat too. */
  isBanned: (userId: string) => Promise<boolean>;
  blockedWordIn: (text: string) => string | undefined;
  config: Pick<Config, 'live' | 'catalog'>;
}

export interface Live {
  plugin: FastifyPluginAsync;
  events: LiveEventsService;
  close(): void;
}

/** Builds live events and their chat from the ports they use; the app registers `plugin`. */
export function createLive(deps: LiveDeps): Live {
  const chatConfig = deps.config.live.chat;
  const events = new LiveEventsService({
    events: new LiveEventsRepository(deps.db),
    transactor: transactorFor(deps.db),
    audit: deps.audit,
    clock: deps.clock,
    items: deps.items,
    planTierOf: deps.planTierOf,
  });
  const publish = domainEventPublisher<LiveDomainEvent>({
    pubsub: deps.pubsub,
    channel: LIVE_EVENTS_CHANNEL,
    logger: deps.logger,
  });
  const chat = new ChatService({
    messages: new ChatRepository(deps.db),
    events,
    cache: deps.cache,
    pubsub: deps.pubsub,
    clock: deps.clock,
    messageLimiter: deps.rateLimits.limiter({
      name: 'live.chat.message',
      points: chatConfig.messagesPer10s,
      durationSeconds: 10,
    }),
    reactionLimiter: deps.rateLimits.limiter({ name: 'live.chat.reaction', points: 20, durationSeconds: 10 }),
    isBanned: deps.isBanned,
    blockedWordIn: deps.blockedWordIn,
    config: chatConfig,
    publish,
  });
  const presence = new Presence({
    cache: deps.cache,
    clock: deps.clock,
    logger: deps.logger,
    intervalMs: chatConfig.presenceMs,
  });
  presence.onCount((liveEventId, viewers) => {
    // The interval's start, not this instance's clock: every instance publishes the same event.
    const at = new Date(presenceBucket(deps.clock.now(), chatConfig.presenceMs) * chatConfig.presenceMs);
    void publish({ type: 'LiveViewersCounted', at: at.toISOString(), liveEventId, viewers });
  });
  const plugin = fp(
    async (app) => {
      await app.register(liveRoutes, {
        events,
        chat,
        viewersNow: (eventId) => presence.count(eventId),
        clock: deps.clock,
        countryHeader: deps.config.catalog.countryHeader,
      });
      // Encapsulated: the WebSocket plugin's decorations stay inside the chat's context.
      await app.register(chatGateway, {
        chat,
        pubsub: deps.pubsub,
        presence,
        logger: deps.logger,
        config: { ...chatConfig, joinTimeoutMs: 10_000 },
      });
    },
    { name: 'marquee-live' },
  );
  return { plugin, events, close: () => presence.close() };
}

export interface LiveIngestDeps {
  db: Kysely<DB>;
  pubsub: PubSub;
  storage: Storage;
  queue: Pick<AppQueue, 'send'>;
  /** Media's key store (live keys are wrapped and served like a package's). */
  keys: Pick<MediaKeys, 'storeLiveKey'>;
  clock: Clock;
  logger: Logger;
  config: Pick<Config, 'live' | 'dataDir'> & { media: Pick<Config['media'], 'ffmpegPath'> };
}

/**
 * What both ingests share: they read stream key hashes and move events' state themselves, tell
 * chat viewers over pub/sub, and hand the recording to `live.record-vod`.
 */
function ingestDeps(deps: LiveIngestDeps, listen: { host: string; port: number }): RtmpIngestDeps {
  const events = new LiveEventsRepository(deps.db);
  const ingest = deps.config.live.ingest;
  return {
    eventByStreamKey: async (streamKey) => {
      const row = await events.findByStreamKeyHash(tokenHash(streamKey));
      return row && toLiveEvent(row);
    },
    moveState: async (eventId, to) => {
      const from = to === 'live' ? (['scheduled', 'live'] as const) : (['live'] as const);
      if (await events.moveState({ id: eventId, from, to, at: deps.clock.now() }))
        await deps.pubsub.publish(chatChannel(eventId), {
          type: 'state',
          state: to,
        } satisfies BroadcastFrame);
    },
    storeKey: (eventId, key) => deps.keys.storeLiveKey({ eventId, ...key }),
    heartbeat: (eventIds) => events.touchIngest(eventIds, deps.clock.now()),
    storage: deps.storage,
    recorded: async (eventId, file) => {
      const storageKey = liveRecordingKey(eventId);
      const bytes = (await stat(file).catch(() => undefined))?.size ?? 0;
      if (bytes === 0) return deps.logger.warn({ eventId }, 'live ingest: nothing was recorded');
      const body = createReadStream(file);
      try {
        await deps.storage.put(storageKey, body);
      } finally {
        body.destroy();
      }
      await deps.queue.send('live.record-vod', { eventId, storageKey, bytes });
    },
    logger: deps.logger,
    config: {
      ...listen,
      dataDir: deps.config.dataDir,
      rungs: ingest.rungs,
      segmentSeconds: ingest.segmentSeconds,
      dvrSeconds: ingest.dvrSeconds,
      graceSeconds: ingest.graceSeconds,
      keyRotationSeconds: ingest.keyRotationSeconds,
      ffmpegPath: deps.config.media.ffmpegPath,
    },
  };
}

/** The RTMP ingest and its live transcoders, for the worker role (docs/ARCHITECTURE.md). */
export function createLiveIngest(deps: LiveIngestDeps): RtmpIngest {
  const ingest = deps.config.live.ingest;
  return new RtmpIngest(ingestDeps(deps, { host: ingest.host, port: ingest.port }));
}

/** The SRT ingest (`LIVE_SRT`): the same events, keys and ladder over UDP (srt-ingest.ts). */
export function createSrtIngest(deps: LiveIngestDeps): SrtIngest {
  const srt = deps.config.live.ingest.srt;
  return new SrtIngest(ingestDeps(deps, { host: srt.host, port: srt.port }));
}

/** The worker's `live.record-vod` handler: an ended event's recording becomes a draft movie. */
export function createLiveRecordings(
  deps: { db: Kysely<DB> } & Omit<LiveRecordingsDeps, 'events'>,
): LiveRecordings {
  return new LiveRecordings({ ...deps, events: new LiveEventsRepository(deps.db) });
}

/** The worker's `live.end-unattended` handler: ends events whose ingest went away (live-unattended.ts). */
export function createUnattendedLiveEvents(
  deps: { db: Kysely<DB> } & Omit<UnattendedLiveEventsDeps, 'events'>,
): UnattendedLiveEvents {
  return new UnattendedLiveEvents({ ...deps, events: new LiveEventsRepository(deps.db) });
}
