import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { CampaignsRepository } from './campaigns.repository.ts';
import { byPreference, type LiveCampaign, type ReadyCreative, type Targeting } from './decisioning.ts';
import type { DeliveryRepository } from './delivery.repository.ts';

/** Any instance that changes campaigns or counts delivery says so here; every instance reloads. */
export const ADS_CHANGED_CHANNEL = 'ads.changed';

export interface CampaignSnapshot {
  campaigns: readonly LiveCampaign[];
  byId: ReadonlyMap<string, LiveCampaign>;
}

/**
 * The runnable campaigns, their ready creatives and their delivery so far, held in memory so a
 * decision reads no database. A change (an admin edit, a creative becoming ready, a batch of
 * counted impressions — on any instance, over pub/sub) marks it stale; the next decision reloads
 * it once (concurrent decisions share the reload). A periodic reload covers a lost message.
 */
export interface CampaignCacheDeps {
  campaigns: CampaignsRepository;
  delivery: DeliveryRepository;
  clock: Clock;
  pubsub: PubSub;
  logger: Logger;
  refreshMs: number;
}

export class CampaignCache {
  readonly #deps: CampaignCacheDeps;
  #snapshot: CampaignSnapshot | null = null;
  #loading: Promise<CampaignSnapshot> | null = null;
  #version = 0;
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => Promise<void>) | null = null;

  constructor(deps: CampaignCacheDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#deps.pubsub.subscribe(ADS_CHANGED_CHANNEL, () => this.invalidate());
    this.#timer = setInterval(() => this.invalidate(), this.#deps.refreshMs);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#unsubscribe?.();
  }

  invalidate(): void {
    this.#version += 1;
    this.#snapshot = null;
  }

  /** Marks every instance's copy stale (this one's at once). */
  async changed(): Promise<void> {
    this.invalidate();
    await this.#deps.pubsub.publish(ADS_CHANGED_CHANNEL, { at: this.#deps.clock.now().toISOString() });
  }

  /** The snapshot at once when it is loaded and not stale; null when a decision must wait for `current()`. */
  peek(): CampaignSnapshot | null {
    return this.#snapshot;
  }

  async current(): Promise<CampaignSnapshot> {
    if (this.#snapshot) return this.#snapshot;
    if (!this.#loading) {
      const version = this.#version;
      this.#loading = this.#load().finally(() => {
        this.#loading = null;
      });
      const snapshot = await this.#loading;
      // A change that arrived during the load leaves it stale: the next call loads again.
      if (version === this.#version) this.#snapshot = snapshot;
      return snapshot;
    }
    return this.#loading;
  }

  async #load(): Promise<CampaignSnapshot> {
    const now = this.#deps.clock.now();
    const rows = await this.#deps.campaigns.runnable(now);
    const ids = rows.map((row) => row.id);
    const [creatives, spend] = await Promise.all([
      this.#deps.campaigns.readyCreatives(ids),
      this.#deps.delivery.spend(ids, now.toISOString().slice(0, 10)),
    ]);
    const creativesOf = new Map<string, ReadyCreative[]>();
    for (const row of creatives) {
      const renditions = (row.renditions ?? []) as unknown as ReadyCreative['renditions'];
      if (renditions.length === 0 || row.durationSeconds === null) continue;
      const list = creativesOf.get(row.campaignId) ?? [];
      list.push({
        id: row.id,
        name: row.name,
        clickThroughUrl: row.clickThroughUrl,
        companionImageUrl: row.companionImageUrl,
        durationSeconds: row.durationSeconds,
        renditions,
      });
      creativesOf.set(row.campaignId, list);
    }
    const spendOf = new Map(spend.map((row) => [row.campaignId, row]));
    const campaigns = rows.map((row): LiveCampaign => {
      const delivered = spendOf.get(row.id);
      return {
        id: row.id,
        advertiserId: row.advertiserId,
        advertiserName: row.advertiserName,
        name: row.name,
        priority: row.priority,
        cpmMinor: Number(row.cpmMinor),
        budgetMinor: Number(row.budgetMinor),
        dailyImpressionCap: row.dailyImpressionCap,
        frequencyCapPerDay: row.frequencyCapPerDay,
        competitiveCategory: row.competitiveCategory,
        startsAt: row.startsAt,
        endsAt: row.endsAt,
        targeting: row.targeting as Targeting,
        creatives: creativesOf.get(row.id) ?? [],
        spentMilli: Number(delivered?.spentMilli ?? 0),
        spentTodayMilli: Number(delivered?.spentTodayMilli ?? 0),
        impressionsToday: Number(delivered?.impressionsToday ?? 0),
      };
    });
    // Best first once here, so each decision's sort (selectPod) meets an already-sorted list.
    campaigns.sort(byPreference);
    this.#deps.logger.debug({ campaigns: campaigns.length }, 'ad campaigns loaded');
    return { campaigns, byId: new Map(campaigns.map((campaign) => [campaign.id, campaign])) };
  }
}
