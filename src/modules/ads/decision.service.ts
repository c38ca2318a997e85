import { randomUUID } from 'node:crypto';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import { AdBreakNotFound, AdSessionNotFound, AdsNotOnPlan } from './ads.errors.ts';
import { signBeacon } from './beacon-signing.ts';
import type { CampaignCache } from './campaign-cache.ts';
import type { CampaignsRepository } from './campaigns.repository.ts';
import {
  breakSchedule,
  ineligibility,
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
  type BeaconEvent,
  type InlineAdTemplate,
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
}

const STREAM_TTL_MS = 6 * 3600_000;
const POLICY_TTL_MS = 30_000;
const FREQUENCY_TTL_MS = 26 * 3600_000;

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

  constructor(deps: DecisionServiceDeps) {
    this.#deps = deps;
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
    const stream = await this.#streamAds(request, { fresh: false });
    const adBreak = stream.breaks[request.breakIndex];
    if (!adBreak) throw AdBreakNotFound(`This stream has ${stream.breaks.length} ad breaks`);
    const now = this.#deps.clock.now();
    const day = now.toISOString().slice(0, 10);
    const context: AdContext = {
      genres: stream.genres,
      maturityLevel: stream.maturityLevel,
      region: request.region,
      deviceType: request.deviceType,
      contentKind: stream.contentKind,
      now,
    };
    const { campaigns } = await this.#deps.campaigns.current();
    // Campaigns are held best-first and a pod is filled greedily from the head of the eligible
    // ones, so eligibility is decided only as far down the list as the pod needs (a widening
    // head), not for all of them (hundreds per decision); so are the profile's frequency counts.
    const eligible: LiveCampaign[] = [];
    let scanned = 0;
    const eligibleHead = (width: number): LiveCampaign[] => {
      while (eligible.length < width && scanned < campaigns.length) {
        const campaign = campaigns[scanned++]!;
        if (ineligibility(campaign, context) === null) eligible.push(campaign);
      }
      return eligible.slice(0, width);
    };
    const frequencyKey = (campaignId: string) => `ads:freq:${day}:${stream.profileKey}:${campaignId}`;
    const servedToday = new Map<string, number>();
    let pod: ReturnType<typeof selectPod>;
    for (let width = adBreak.podSize * 4; ; width *= 4) {
      const head = eligibleHead(width);
      const unread = head.filter((c) => c.frequencyCapPerDay !== null && !servedToday.has(c.id));
      if (unread.length > 0) {
        const counts = await Promise.all(unread.map((c) => this.#deps.cache.get<number>(frequencyKey(c.id))));
        unread.forEach((campaign, index) => servedToday.set(campaign.id, counts[index] ?? 0));
      }
      pod = selectPod({
        eligible: head,
        podSize: adBreak.podSize,
        servedToday,
        pick: (creatives) => creatives[Math.floor(Math.random() * creatives.length)]!,
      });
      const whole = scanned === campaigns.length && head.length === eligible.length;
      if (pod.length >= adBreak.podSize || whole) break;
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
    const adElements = pod.map(({ campaign, creative }, index) => {
      const instanceId = randomUUID();
      const beacon = (event: BeaconEvent) => {
        const signature = signBeacon(this.#deps.secret, {
          instanceId,
          campaignId: campaign.id,
          event,
          expires,
        });
        return `/api/ads/beacons/${event}?i=${instanceId}&c=${campaign.id}&x=${expires}&s=${signature}`;
      };
      const beacons = {
        impression: beacon('impression'),
        start: beacon('start'),
        firstQuartile: beacon('firstQuartile'),
        midpoint: beacon('midpoint'),
        thirdQuartile: beacon('thirdQuartile'),
        complete: beacon('complete'),
        skip: beacon('skip'),
        click: beacon('click'),
        error: `${beacon('error')}&code=[ERRORCODE]`,
      } satisfies Record<BeaconEvent, string>;
      return this.#templateOf(campaign, creative)(instanceId, index + 1, beacons);
    });
    return vastDocument(adElements);
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
  async #streamAds(request: AdRequest, options: { fresh: boolean }): Promise<StreamAds> {
    const key = `ads:stream:${request.sessionId}`;
    let stream = options.fresh ? undefined : await this.#deps.cache.get<StreamAds>(key);
    if (stream && stream.userId !== request.userId) throw AdSessionNotFound();
    const policy = await this.#policy(request.userId);
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
    await this.#deps.cache.set(key, stream, STREAM_TTL_MS);
    return stream;
  }

  async #policy(userId: string): Promise<AdPolicy> {
    const key = `ads:policy:${userId}`;
    const hit = await this.#deps.cache.get<AdPolicy>(key);
    if (hit) return hit;
    const policy = await this.#deps.policyOf(userId);
    await this.#deps.cache.set(key, policy, POLICY_TTL_MS);
    return policy;
  }
}
