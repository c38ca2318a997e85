import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { PublishPlaybackEvent } from './playback.events.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PlayableItem, PlayableItems, Viewer, WhyHidden } from '../catalog/index.ts';
import { TitleNotFound } from '../catalog/index.ts';
import type { ProgressRecorderPort } from '../engagement/index.ts';
import type { MediaPackage, MediaPackages } from '../media/index.ts';
import { type HmacSecrets } from './hmac-secrets.ts';
import { issuePlaybackToken } from './playback-token.ts';
import {
  PlaybackMaturityBlocked,
  PlaybackNotAvailable,
  PlaybackNotReady,
  PlaybackPlanRequired,
  PlaybackRegionBlocked,
  PlaybackSessionEnded,
  PlaybackStreamLimit,
} from './playback.errors.ts';
import type { PlaybackRepository, StreamRow } from './playback.repository.ts';
import type { PlanLookup } from './plan-lookup.ts';
import { liveVariantsFitting, type LiveSource, type LiveSources } from './live-playback.ts';
import { maxBitrateFor } from './playlist-rewrite.ts';
import { renditionsFor, type DeclarableCodec } from './renditions.ts';
import { planQuality, type PlanQuality } from './quality.ts';
import { decideStreamStart, isSessionLive } from './stream-limits.ts';
import { streamStateOf, type StreamStates } from './stream-states.ts';

/** Who asks to watch: a signed-in person on one device, as one profile, from one place. */
export interface Watcher {
  userId: string;
  /** The sign-in session (device) the request came from. */
  authSessionId: string;
  deviceName: string;
  profileId: string | null;
  viewer: Viewer;
  ip: string | null;
}

/** A plan as playback and downloads apply it: its caps, its name for messages, its tier. */
export type Plan = PlanQuality & { name: string; tier: number; hasAds: boolean };

export interface Entitlement {
  item: PlayableItem;
  plan: Plan;
  /** The package the item plays now (media's answer). */
  video: MediaPackage;
}

/**
 * What offline downloads ask of playback: the same entitlement rules as a stream, the account's
 * plan, and the package of an asset.
 */
export interface Entitlements {
  entitle(watcher: Watcher, itemId: string): Promise<Entitlement>;
  planOf(userId: string): Promise<Plan>;
  packageOf(assetId: string): Promise<MediaPackage | undefined>;
  plansAllowing(accept: (plan: { tier: number; maxDownloads: number }) => boolean): Promise<string[]>;
}

export interface PlaybackServiceDeps {
  repository: PlaybackRepository;
  plans: PlanLookup;
  transactor: Transactor;
  /** The plan an account is on: identity's answer (it owns the accounts). */
  planIdOf: (userId: string) => Promise<string>;
  /** The name the sign-in session's device goes by (identity's device list), for the stream list. */
  deviceNameOf: (authSessionId: string) => Promise<string | undefined>;
  streams: StreamStates;
  clock: Clock;
  items: PlayableItems;
  packages: MediaPackages;
  logger: Logger;
  secrets: HmacSecrets;
  tokenTtlSeconds: number;
  heartbeatLapseSeconds: number;
  /** Engagement's progress: heartbeats record positions there, starts ask where to resume. */
  progress: ProgressRecorderPort;
  /** Live events by id (the live module's answer): `POST /api/playback/:id` plays them too. */
  live: LiveSources;
  /** A live event's current master playlist (from storage), or undefined before it is written. */
  liveMaster: (prefix: string) => Promise<string | undefined>;
  /** Tells listeners (analytics) of started streams, after the commit. */
  publish: PublishPlaybackEvent;
}

/** What a stream plays: a title's package, or a live event's HLS as it grows. */
type StreamTarget =
  { kind: 'vod'; entitlement: Entitlement } | { kind: 'live'; event: LiveSource; master: string; plan: Plan };

const HEARTBEAT_INTERVAL_SECONDS = 30;

const hiddenErrors: Record<WhyHidden, () => Error> = {
  not_published: () => PlaybackNotAvailable('This title is not available'),
  not_yet_available: () => PlaybackNotAvailable('This title is not available yet'),
  no_longer_available: () => PlaybackNotAvailable('This title is no longer available'),
  region: () => PlaybackRegionBlocked('This title is not available in your region'),
  maturity: () => PlaybackMaturityBlocked("This title is above this profile's maturity limit"),
};

/**
 * Starting, keeping alive and ending streams; the entitlement rules (plan, window, region,
 * maturity, stream limit) in one place, shared with offline downloads.
 */
export class PlaybackService implements Entitlements {
  readonly #repository: PlaybackRepository;
  readonly #deps: PlaybackServiceDeps;

  constructor(deps: PlaybackServiceDeps) {
    this.#deps = deps;
    this.#repository = deps.repository;
  }

  /** A ready package by asset id: media's (parsed, cached there). */
  packageOf(assetId: string): Promise<MediaPackage | undefined> {
    return this.#deps.packages.byAsset(assetId);
  }

  /** The plan this account is on now. */
  async planOf(userId: string): Promise<Plan> {
    const planId = await this.#deps.planIdOf(userId);
    const row = await this.#deps.plans.find(planId);
    if (!row) throw new Error(`account ${userId} is on plan ${planId}, which does not exist`);
    return { ...planQuality(row), name: row.name, tier: row.tier, hasAds: row.hasAds };
  }

  /** The ids of the plans on offer that pass `accept` (the 402 answers name them). */
  async plansAllowing(accept: (plan: { tier: number; maxDownloads: number }) => boolean): Promise<string[]> {
    return (await this.#deps.plans.list({ includeInactive: false })).filter(accept).map((plan) => plan.id);
  }

  /** May this watcher play this item? The item, their plan and the package, or a precise refusal. */
  async entitle(watcher: Watcher, itemId: string): Promise<Entitlement> {
    const item = await this.#deps.items.find(itemId);
    if (!item) throw TitleNotFound(`No movie or episode ${itemId}`);
    const hidden = this.#deps.items.whyHidden(item, watcher.viewer);
    if (hidden) throw hiddenErrors[hidden]();
    const plan = await this.#planCovering(watcher.userId, item.minPlanTier, 'this title');
    const video = await this.#deps.packages.currentOf(item.id);
    if (!video) throw PlaybackNotReady('This title has no video yet');
    return { item, video, plan };
  }

  async #planCovering(userId: string, requiredTier: number, what: string): Promise<Plan> {
    const plan = await this.planOf(userId);
    if (requiredTier > plan.tier) {
      throw PlaybackPlanRequired(`Your ${plan.name} plan does not include ${what}`, {
        plan: plan.id,
        requiredTier,
        plans: await this.plansAllowing((candidate) => candidate.tier >= requiredTier),
      });
    }
    return plan;
  }

  /**
   * A movie or episode, else a live event: the same rules (window, region, maturity, plan), and
   * a live event must be on air with its ladder written.
   */
  async #target(watcher: Watcher, id: string): Promise<StreamTarget> {
    if (await this.#deps.items.find(id)) return { kind: 'vod', entitlement: await this.entitle(watcher, id) };
    const found = await this.#deps.live(id, watcher.viewer);
    if (!found) throw TitleNotFound(`No movie, episode or live event ${id}`);
    const { event, hidden } = found;
    if (hidden) throw hiddenErrors[hidden]();
    const plan = await this.#planCovering(watcher.userId, event.minPlanTier, 'this live event');
    if (event.state === 'ended') throw PlaybackNotAvailable('This live event has ended');
    const master = event.state === 'live' ? await this.#deps.liveMaster(event.prefix) : undefined;
    if (master === undefined) throw PlaybackNotReady('This live event has not started yet');
    if (liveVariantsFitting(master, plan.maxHeight).length === 0)
      throw PlaybackPlanRequired(`No rendition of this event fits your plan's ${plan.maxHeight}p`);
    return { kind: 'live', event, master, plan };
  }

  /**
   * Starts a stream: checks everything, counts it against the plan, issues its token. Starts of
   * one account run one at a time (an account lock in the transaction), so the plan's limit holds
   * however many arrive at once; the streams a start ends stop working at once, on every instance.
   */
  /** Streams open with a recent heartbeat, across every account: the viewers watching now. */
  concurrentViewers(): Promise<number> {
    const since = new Date(this.#deps.clock.now().getTime() - this.#deps.heartbeatLapseSeconds * 1000);
    return this.#repository.concurrentStreams(since);
  }

  /**
   * `codecs`: what the client says it decodes beyond H.264; the stream's master playlist lists
   * the HEVC copies only when it names 'hevc' (the token carries it, so it can't be changed later).
   */
  async start(watcher: Watcher, itemId: string, capabilities: { codecs?: readonly DeclarableCodec[] } = {}) {
    const codecs = [...new Set(capabilities.codecs ?? [])].sort();
    const [target, signedInAs] = await Promise.all([
      this.#target(watcher, itemId),
      this.#deps.deviceNameOf(watcher.authSessionId),
    ]);
    // The device's own name ("Living room TV"), so a viewer at their stream limit can tell which
    // screen to end; the request's user agent only when the session has none.
    const deviceName = signedInAs ?? watcher.deviceName;
    const { plan } = target.kind === 'vod' ? target.entitlement : target;
    const playing =
      target.kind === 'vod'
        ? { id: target.entitlement.item.id, name: target.entitlement.item.name }
        : { id: target.event.id, name: target.event.title };
    const now = this.#deps.clock.now();
    const repository = this.#repository;
    const { stream, ended } = await this.#deps.transactor.run(async (trx) => {
      await repository.lockAccount(watcher.userId, trx);
      const open = await repository.openStreams(watcher.userId, trx);
      const decision = decideStreamStart({
        sessions: open.map((row) => ({ ...row, deviceId: row.authSessionId })),
        request: { deviceId: watcher.authSessionId },
        now,
        maxStreams: plan.maxStreams,
        heartbeatLapseSeconds: this.#deps.heartbeatLapseSeconds,
      });
      const lapsed = await repository.endStreams(
        { ids: decision.lapsed.map((s) => s.id), reason: 'lapsed', now },
        trx,
      );
      if (!decision.allowed) {
        throw PlaybackStreamLimit(
          `Your ${plan.name} plan allows ${plan.maxStreams} stream${plan.maxStreams === 1 ? '' : 's'} at once`,
          {
            maxStreams: plan.maxStreams,
            activeStreams: decision.active.map((s) => ({
              id: s.id,
              deviceName: s.deviceName,
              itemName: s.itemName,
              startedAt: s.startedAt.toISOString(),
              lastHeartbeatAt: s.lastHeartbeatAt.toISOString(),
            })),
          },
        );
      }
      const replaced = await repository.endStreams(
        { ids: decision.replaced.map((s) => s.id), reason: 'replaced', now },
        trx,
      );
      const inserted = await repository.insertStream(
        {
          userId: watcher.userId,
          profileId: watcher.profileId,
          authSessionId: watcher.authSessionId,
          deviceName,
          itemId: playing.id,
          itemName: playing.name,
          assetId: target.kind === 'vod' ? target.entitlement.video.assetId : null,
          liveEventId: target.kind === 'live' ? target.event.id : null,
          maxHeight: plan.maxHeight,
          ip: watcher.ip,
          startedAt: now,
          lastHeartbeatAt: now,
        },
        trx,
      );
      return { stream: inserted, ended: [...lapsed, ...replaced] };
    });
    await this.#deps.streams.ended(ended);
    await this.#deps.streams.live(stream.id, streamStateOf(stream));
    const { token, expiresAt } = issuePlaybackToken({
      secret: this.#deps.secrets,
      claims: {
        sid: stream.id,
        sub: watcher.userId,
        dev: watcher.authSessionId,
        item: playing.id,
        // A live stream's "asset" is its event: the key server matches keys to it.
        asset: target.kind === 'vod' ? target.entitlement.video.assetId : target.event.id,
        maxH: plan.maxHeight,
        cod: codecs,
      },
      ttlSeconds: this.#deps.tokenTtlSeconds,
      now,
    });
    this.#deps.logger.info(
      { streamId: stream.id, userId: watcher.userId, itemId: playing.id, maxHeight: plan.maxHeight },
      target.kind === 'live' ? 'live playback started' : 'playback started',
    );
    await this.#deps.publish({
      type: 'PlaybackSessionStarted',
      at: now.toISOString(),
      userId: watcher.userId,
      sessionId: stream.id,
      itemId: playing.id,
      // A live stream's title is its event.
      titleId: target.kind === 'vod' ? target.entitlement.item.titleId : target.event.id,
      planId: plan.id,
      deviceName,
    });
    const session = { sessionId: stream.id, itemId: playing.id, itemName: playing.name, token, expiresAt };
    if (target.kind === 'live') {
      const renditions = liveVariantsFitting(target.master, plan.maxHeight);
      return {
        ...session,
        live: true,
        maxHeight: plan.maxHeight,
        maxBitrate: maxBitrateFor(renditions, plan.maxHeight) ?? null,
        renditions: renditions.map((r) => ({ width: r.width, height: r.height, bandwidth: r.bandwidth })),
        durationSeconds: null,
        resumePositionSeconds: 0,
        audioTracks: [],
        subtitleTracks: [],
        heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
        assetPrefix: target.event.prefix,
        thumbnails: null,
      };
    }
    const { item, video } = target.entitlement;
    const { manifest } = video;
    const renditions = renditionsFor(manifest.renditions, codecs);
    return {
      ...session,
      live: false,
      maxHeight: plan.maxHeight,
      maxBitrate: maxBitrateFor(renditions, plan.maxHeight) ?? null,
      renditions: renditions
        .filter((r) => r.height <= plan.maxHeight || r.width <= plan.maxHeight)
        .map((r) => ({ width: r.width, height: r.height, bandwidth: r.bandwidth })),
      durationSeconds: video.durationSeconds,
      resumePositionSeconds: await this.#deps.progress.resumePosition({
        userId: watcher.userId,
        profileId: watcher.profileId,
        itemId: item.id,
      }),
      audioTracks: manifest.audioTracks.map((t) => ({
        language: t.language,
        label: t.label,
        isDefault: t.isDefault,
      })),
      subtitleTracks: manifest.subtitleTracks.map((t) => ({
        language: t.language,
        label: t.label,
        isDefault: t.isDefault,
        forced: t.forced,
      })),
      heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
      assetPrefix: video.prefix,
      thumbnails: manifest.thumbnails.track,
      // Only a plan that carries ads gets ad data: a paid plan's session has none at all.
      ...(plan.hasAds && {
        ads: { vmapUrl: `/api/ads/vmap?session=${encodeURIComponent(stream.id)}` },
      }),
    };
  }

  /** A stream's heartbeat: it keeps counting, and its position feeds "continue watching". */
  async heartbeat(userId: string, streamId: string, positionSeconds: number) {
    const stream = await this.#owned(userId, streamId);
    const now = this.#deps.clock.now();
    if (
      stream.endedAt ||
      !isSessionLive({ session: stream, now, heartbeatLapseSeconds: this.#deps.heartbeatLapseSeconds })
    ) {
      throw PlaybackSessionEnded(
        stream.endedAt ? 'This stream has ended' : 'This stream lapsed: start playback again',
      );
    }
    const duration = stream.assetId
      ? ((await this.#deps.packages.byAsset(stream.assetId))?.durationSeconds ?? null)
      : null;
    const position = Math.max(0, Math.min(positionSeconds, duration ?? positionSeconds));
    // The plan as it is now: a plan change reaches a playing stream at its next heartbeat (the key
    // server and playlists read the stream's cap, not the token's).
    const { maxHeight } = await this.planOf(userId);
    if (!(await this.#repository.heartbeat({ id: stream.id, positionSeconds: position, now, maxHeight }))) {
      throw PlaybackSessionEnded('This stream has ended');
    }
    // A live event has no "continue watching": its position is only the stream's.
    if (stream.assetId)
      await this.#deps.progress.record({
        userId,
        profileId: stream.profileId,
        itemId: stream.itemId,
        positionSeconds: position,
        durationSeconds: duration,
        at: now,
      });
    await this.#deps.streams.live(stream.id, {
      ...streamStateOf(stream),
      maxHeight,
      lastHeartbeatAt: now.toISOString(),
    });
    return { nextHeartbeatSeconds: HEARTBEAT_INTERVAL_SECONDS, positionSeconds: position };
  }

  /** A stream of this account, ended or not (the ad server asks); another account's is undefined. */
  async ownStream(userId: string, streamId: string) {
    const stream = await this.#repository.findStream(streamId);
    if (!stream || stream.userId !== userId) return undefined;
    const video = stream.assetId ? await this.#deps.packages.byAsset(stream.assetId) : undefined;
    return {
      id: stream.id,
      itemId: stream.itemId,
      profileId: stream.profileId,
      endedAt: stream.endedAt,
      durationSeconds: video?.durationSeconds ?? null,
    };
  }

  /** Ends a stream of this account (this device's, or another one listed by a 409). */
  async end(userId: string, streamId: string): Promise<void> {
    await this.#owned(userId, streamId);
    const ended = await this.#repository.endStreams({
      ids: [streamId],
      reason: 'stopped',
      now: this.#deps.clock.now(),
    });
    await this.#deps.streams.ended(ended);
  }

  /** The account's streams that count now. */
  async active(userId: string) {
    const now = this.#deps.clock.now();
    const open = await this.#repository.openStreams(userId);
    return open
      .filter((session) =>
        isSessionLive({ session, now, heartbeatLapseSeconds: this.#deps.heartbeatLapseSeconds }),
      )
      .map((s) => ({
        id: s.id,
        deviceName: s.deviceName,
        itemId: s.itemId,
        itemName: s.itemName,
        startedAt: s.startedAt,
        lastHeartbeatAt: s.lastHeartbeatAt,
        positionSeconds: s.positionSeconds,
      }));
  }

  async #owned(userId: string, streamId: string): Promise<StreamRow> {
    const stream = await this.#repository.findStream(streamId);
    // Another account's stream is answered like a missing one: ids are not an oracle.
    if (!stream || stream.userId !== userId) throw PlaybackSessionEnded('No such stream on this account');
    return stream;
  }
}
