import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import { AdBreakNotFound, AdSessionNotFound, AdsNotOnPlan } from './ads.errors.ts';
import { instanceMac, TAG_BYTES, tagOffsets } from './beacon-signing.ts';
import { contentKeyOf, EligibleCampaigns } from './eligible-campaigns.ts';
import type { CampaignCache } from './campaign-cache.ts';
import type { CampaignsRepository } from './campaigns.repository.ts';
import {
  breakSchedule,
  selectPod,
  type AdBreak,
  type AdContext,
  type AdPolicy,
  type ContentKind,
  type LiveCampaign,
  type ReadyCreative,
} from './decisioning.ts';
import type { TrackingService } from './tracking.service.ts';
import {
  buildVmap,
  inlineAdTemplate,
  vastDocument,
  beaconEvents,
  type BeaconEvent,
  type InlineAdTemplate,
  VastOutput,
} from './vast-xml.ts';

/** A playback stream as the ad server needs it (playback's answer, for the caller's account only). */
export interface AdStream {
  id: string;
  itemId: string;
  profileId: string | null;
  endedAt: Date | null;
  durationSeconds: number | null;
}

export interface DecisionServiceDeps {
  campaigns: CampaignCache;
  repository: CampaignsRepository;
  tracking: TrackingService;
  cache: Cache;
  clock: Clock;
  secret: Buffer;
  /** Playback's stream of this account; undefined for an unknown one or another account's. */
  streamOf: (userId: string, streamId: string) => Promise<AdStream | undefined>;
  /** The account's plan's ad policy (subscriptions' plan row). */
  policyOf: (userId: string) => Promise<AdPolicy>;
  /** The item's title facts targeting reads (catalog's answer). */
  itemFacts: (itemId: string) => Promise<{ genres: string[]; maturityLevel: number }>;
  beaconTtlSeconds: number;
}

/** Who asks, from where, on what. */
export interface AdRequest {
  userId: string;
  sessionId: string;
  deviceType: string;
  region: string | null;
}

/** What one stream's breaks are decided on: kept in the shared cache for its VAST requests. */
interface StreamAds {
  userId: string;
  profileKey: string;
  breaks: AdBreak[];
  genres: string[];
  maturityLevel: number;
  contentKind: ContentKind;
  /** The title's part of the eligibility memo's key (eligible-campaigns.ts). */
  contentKey?: string;
}

const STREAM_TTL_MS = 6 * 3600_000;
const POLICY_TTL_MS = 30_000;
const FREQUENCY_TTL_MS = 26 * 3600_000;
const BEACON_PATHS = Object.fromEntries(
  beaconEvents.map((event) => [event, Buffer.from(`/api/ads/beacons/${event}`, 'latin1')]),
) as Record<BeaconEvent, Buffer>;
const ERROR_CODE_MACRO = Buffer.from('&code=[ERRORCODE]', 'latin1');
/** How long one context's eligible campaigns are reused (eligible-campaigns.ts says what may go stale). */
const ELIGIBLE_TTL_MS = 1000;

/**
 * The ad server's answers for a playback stream: its VMAP schedule and each break's VAST pod.
 * Refuses streams of plans without ads, and another account's or unknown streams (404).
 */
export class DecisionService {
  readonly #deps: DecisionServiceDeps;
  /**
   * Keyed by the creative object of the campaign cache's snapshot: a reload (any change to a
   * campaign, its advertiser or creatives) makes new objects, so a template never outlives what
   * it was rendered from.
   */
  readonly #templates = new WeakMap<ReadyCreative, InlineAdTemplate>();

  /** Written into by one decision at a time (synchronously), then read out as the answer. */
  readonly #output = new VastOutput();
  readonly #eligible = new EligibleCampaigns({ ttlMs: ELIGIBLE_TTL_MS, maxContexts: 4096 });
  /** Imported once: `createHmac` with a Buffer imports the key on every call. */
  readonly #secret: KeyObject;
  #day = { number: -1, text: '' };

  constructor(deps: DecisionServiceDeps) {
    this.#deps = deps;
    this.#secret = createSecretKey(deps.secret);
  }

  async vmap(request: AdRequest): Promise<string> {
    const stream = await this.#streamAds(request, { fresh: true });
    return buildVmap({
      breaks: stream.breaks,
      vastUrl: (index) =>
        `/api/ads/vast?session=${request.sessionId}&break=${index}&device=${encodeURIComponent(request.deviceType)}`,
    });
  }

  async vast(request: AdRequest & { breakIndex: number }): Promise<string> {
    const streamAds = this.#cachedStreamAds(request);
    const stream = streamAds instanceof Promise ? await streamAds : streamAds;
    const adBreak = stream.breaks[request.breakIndex];
    if (!adBreak) throw AdBreakNotFound(`This stream has ${stream.breaks.length} ad breaks`);
    const now = this.#deps.clock.now();
    const day = this.#utcDay(now);
    const context: AdContext = {
      genres: stream.genres,
      maturityLevel: stream.maturityLevel,
      region: request.region,
      deviceType: request.deviceType,
      contentKind: stream.contentKind,
      now,
    };
    const snapshot = this.#deps.campaigns.peek() ?? (await this.#deps.campaigns.current());
    const eligible = this.#eligible.of({
      campaigns: snapshot.campaigns,
      context,
      contentKey: stream.contentKey ?? contentKeyOf(stream),
    });
    // The eligible campaigns are best first and a pod is filled greedily from their head, so the
    // profile's frequency counts are read only as far down as the pod needs (a widening head).
    const frequencyKey = (campaignId: string) => `ads:freq:${day}:${stream.profileKey}:${campaignId}`;
    const servedToday = new Map<string, number>();
    let pod: ReturnType<typeof selectPod>;
    for (let width = adBreak.podSize * 4; ; width *= 4) {
      const head = eligible.length > width ? eligible.slice(0, width) : eligible;
      const unread = head.filter((c) => c.frequencyCapPerDay !== null && !servedToday.has(c.id));
      if (unread.length > 0) {
        const counts = await this.#frequencyCounts(unread.map((campaign) => frequencyKey(campaign.id)));
        unread.forEach((campaign, index) => servedToday.set(campaign.id, counts[index] ?? 0));
      }
      pod = selectPod({
        eligible: head,
        podSize: adBreak.podSize,
        servedToday,
        sorted: true,
        pick: (creatives) => creatives[Math.floor(Math.random() * creatives.length)]!,
      });
      if (pod.length >= adBreak.podSize || head === eligible) break;
    }
    const capped = pod.filter(({ campaign }) => campaign.frequencyCapPerDay !== null);
    if (capped.length > 0)
      await Promise.all(
        capped.map(({ campaign }) =>
          this.#deps.cache.increment(frequencyKey(campaign.id), { ttlMs: FREQUENCY_TTL_MS }),
        ),
      );
    this.#deps.tracking.countSlots(day, adBreak.podSize, pod.length);
    const expires = Math.floor(now.getTime() / 1000) + this.#deps.beaconTtlSeconds;
    return vastDocument((out) => {
      pod.forEach(({ campaign, creative }, index) => {
        const instanceId = randomUUID();
        const mac = instanceMac(this.#secret, { instanceId, campaignId: campaign.id, expires });
        // Written into CDATA sections as they are: every byte comes from a path of ours, two
        // UUIDs, an integer and base64url tags (and the error URL's `[ERRORCODE]`), so no `]]>`.
        const query = Buffer.from(`?i=${instanceId}&c=${campaign.id}&x=${expires}&s=`, 'latin1');
        const id = query.subarray(3, 3 + instanceId.length);
        this.#templateOf(campaign, creative)(out, id, index + 1, (writer, event) => {
          writer.bytes(BEACON_PATHS[event]);
          writer.bytes(query);
          writer.base64url(mac, tagOffsets[event], tagOffsets[event] + TAG_BYTES);
          if (event === 'error') writer.bytes(ERROR_CODE_MACRO);
        });
      });
    }, this.#output);
  }

  /** The UTC date (YYYY-MM-DD) frequency caps and delivery are counted by; formatted once a day. */
  #utcDay(at: Date): string {
    const number = Math.floor(at.getTime() / 86_400_000);
    if (number !== this.#day.number) this.#day = { number, text: at.toISOString().slice(0, 10) };
    return this.#day.text;
  }

  /** The profile's counts today, without a promise each when the cache holds them in process. */
  #frequencyCounts(keys: string[]): Promise<Array<number | undefined>> | Array<number | undefined> {
    const { cache } = this.#deps;
    if (cache.peek) return keys.map((key) => cache.peek!<number>(key));
    return Promise.all(keys.map((key) => cache.get<number>(key)));
  }

  /** The creative's `<Ad>` template, made once per creative of the campaigns in memory. */
  #templateOf(campaign: LiveCampaign, creative: ReadyCreative): InlineAdTemplate {
    let template = this.#templates.get(creative);
    if (!template) {
      template = inlineAdTemplate({
        campaignId: campaign.id,
        campaignName: campaign.name,
        advertiserName: campaign.advertiserName,
        creativeId: creative.id,
        creativeName: creative.name,
        durationSeconds: creative.durationSeconds,
        clickThroughUrl: creative.clickThroughUrl,
        companionImageUrl: creative.companionImageUrl,
        mediaFiles: creative.renditions.map((rendition) => ({
          url: `/api/ads/media/${creative.id}/${rendition.height}p.mp4`,
          width: rendition.width,
          height: rendition.height,
          bitrateKbps: rendition.bitrateKbps,
        })),
      });
      this.#templates.set(creative, template);
    }
    return template;
  }

  /**
   * The stream's ad facts: computed when its VMAP is asked for, then read from the shared cache
   * by its VAST requests (on any instance). The plan is checked on every request (cached for
   * 30 s), so a viewer who upgrades stops getting ads within that.
   */
  #cachedStreamAds(request: AdRequest): StreamAds | Promise<StreamAds> {
    const { cache } = this.#deps;
    const stream = cache.peek?.<StreamAds>(`ads:stream:${request.sessionId}`);
    const policy = stream && cache.peek?.<AdPolicy>(`ads:policy:${request.userId}`);
    // Both in this process: the same checks as below, without a promise.
    if (!stream || !policy) return this.#streamAds(request, { fresh: false });
    if (stream.userId !== request.userId) throw AdSessionNotFound();
    if (!policy.hasAds) throw AdsNotOnPlan();
    return stream;
  }

  async #streamAds(request: AdRequest, options: { fresh: boolean }): Promise<StreamAds> {
    const key = `ads:stream:${request.sessionId}`;
    let stream = options.fresh ? undefined : await this.#deps.cache.get<StreamAds>(key);
    if (stream && stream.userId !== request.userId) throw AdSessionNotFound();
    const policy = await this.#policy(request.userId, options);
    if (!policy.hasAds) throw AdsNotOnPlan();
    if (stream) return stream;
    const found = await this.#deps.streamOf(request.userId, request.sessionId);
    if (!found) throw AdSessionNotFound();
    const [facts, cuePoints] = await Promise.all([
      this.#deps.itemFacts(found.itemId),
      this.#deps.repository.cuePoints(found.itemId),
    ]);
    stream = {
      userId: request.userId,
      profileKey: found.profileId ?? `account-${request.userId}`,
      breaks: breakSchedule({ policy, durationSeconds: found.durationSeconds, cuePoints }),
      genres: facts.genres,
      maturityLevel: facts.maturityLevel,
      contentKind: 'vod',
    };
    stream.contentKey = contentKeyOf(stream);
    await this.#deps.cache.set(key, stream, STREAM_TTL_MS);
    return stream;
  }

  /**
   * The account's plan's ad policy, cached 30 s for VAST requests; a schedule (`fresh`, once per
   * stream) reads it anew, so a policy an admin changed applies from the next stream on.
   */
  async #policy(userId: string, options: { fresh: boolean }): Promise<AdPolicy> {
    const key = `ads:policy:${userId}`;
    const hit = options.fresh ? undefined : await this.#deps.cache.get<AdPolicy>(key);
    if (hit) return hit;
    const policy = await this.#deps.policyOf(userId);
    await this.#deps.cache.set(key, policy, POLICY_TTL_MS);
    return policy;
  }
}
