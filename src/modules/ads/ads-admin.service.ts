import type { z } from 'zod';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import {
  AdvertiserExists,
  AdvertiserNotFound,
  CampaignFlightInvalid,
  CampaignNotFound,
  CueDetectionNoVideo,
  CueDetectionNotFound,
} from './ads.errors.ts';
import type {
  advertiserSchema,
  campaignCreate,
  campaignPatch,
  campaignSchema,
  creativeCreate,
  creativeSchema,
  cueDetectionSchema,
  reportSchema,
} from './ads.schemas.ts';
import { deliveryRates } from './beacon-buffer.ts';
import type { CampaignCache } from './campaign-cache.ts';
import type {
  CampaignRow,
  CampaignsRepository,
  CreativeRow,
  CueDetectionRow,
} from './campaigns.repository.ts';
import type { Targeting } from './decisioning.ts';
import type { DeliveryRepository } from './delivery.repository.ts';

type Campaign = z.output<typeof campaignSchema>;
type Creative = z.output<typeof creativeSchema>;

export const creativeView = (row: CreativeRow): Creative => ({
  id: row.id,
  campaignId: row.campaignId,
  name: row.name,
  clickThroughUrl: row.clickThroughUrl,
  companionImageUrl: row.companionImageUrl,
  status: row.status as Creative['status'],
  durationSeconds: row.durationSeconds,
  renditions: (row.renditions as Creative['renditions']).map(({ width, height, bitrateKbps }) => ({
    width,
    height,
    bitrateKbps,
  })),
  failure: row.failure,
  createdAt: row.createdAt,
});

const campaignView = (row: CampaignRow, creatives: readonly CreativeRow[]): Campaign => ({
  id: row.id,
  advertiserId: row.advertiserId,
  name: row.name,
  status: row.status as Campaign['status'],
  priority: row.priority,
  cpmMinor: Number(row.cpmMinor),
  budgetMinor: Number(row.budgetMinor),
  dailyImpressionCap: row.dailyImpressionCap,
  frequencyCapPerDay: row.frequencyCapPerDay,
  competitiveCategory: row.competitiveCategory,
  startsAt: row.startsAt,
  endsAt: row.endsAt,
  targeting: row.targeting as Targeting as Campaign['targeting'],
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  creatives: creatives.map(creativeView),
});

/** Advertisers, campaigns, creatives, cue points and the delivery report (permission ads:manage). */
export interface AdsAdminServiceDeps {
  repository: CampaignsRepository;
  delivery: DeliveryRepository;
  cache: CampaignCache;
  transactor: Transactor;
  audit: AuditLog;
  clock: Clock;
  queue: AppQueue;
  /** Whether media has a transcoded video of the item (scene detection reads its source). */
  hasVideo: (itemId: string) => Promise<boolean>;
}

type CueDetection = z.output<typeof cueDetectionSchema>;
const cueDetectionView = (row: CueDetectionRow): CueDetection => ({
  itemId: row.itemId,
  status: row.status as CueDetection['status'],
  threshold: row.threshold,
  proposed: row.proposed as number[],
  failure: row.failure,
  requestedAt: row.requestedAt,
  finishedAt: row.finishedAt,
});

export class AdsAdminService {
  readonly #deps: AdsAdminServiceDeps;

  constructor(deps: AdsAdminServiceDeps) {
    this.#deps = deps;
  }

  async createAdvertiser(
    context: RequestContext,
    input: { name: string },
  ): Promise<z.output<typeof advertiserSchema>> {
    return this.#deps.transactor.run(async (trx) => {
      const row = await this.#deps.repository.insertAdvertiser(input.name, trx);
      if (!row) throw AdvertiserExists(`An advertiser is named "${input.name}"`);
      await this.#deps.audit.record(trx, context, {
        action: 'ads.advertiser_created',
        targetType: 'ad_advertiser',
        targetId: row.id,
        after: input,
      });
      return row;
    });
  }

  listAdvertisers() {
    return this.#deps.repository.listAdvertisers();
  }

  async createCampaign(context: RequestContext, input: z.output<typeof campaignCreate>): Promise<Campaign> {
    if (input.endsAt <= input.startsAt) throw CampaignFlightInvalid();
    const row = await this.#deps.transactor.run(async (trx) => {
      if (!(await this.#deps.repository.findAdvertiser(input.advertiserId, trx))) throw AdvertiserNotFound();
      const inserted = await this.#deps.repository.insertCampaign(
        { ...input, targeting: JSON.stringify(input.targeting) },
        trx,
      );
      await this.#deps.audit.record(trx, context, {
        action: 'ads.campaign_created',
        targetType: 'ad_campaign',
        targetId: inserted.id,
        after: input,
      });
      return inserted;
    });
    await this.#deps.cache.changed();
    return campaignView(row, []);
  }

  async updateCampaign(
    context: RequestContext,
    id: string,
    patch: z.output<typeof campaignPatch>,
  ): Promise<Campaign> {
    const { repository } = this.#deps;
    const row = await this.#deps.transactor.run(async (trx) => {
      await repository.lockCampaign(id, trx);
      const before = await repository.findCampaign(id, trx);
      if (!before) throw CampaignNotFound();
      const startsAt = patch.startsAt ?? before.startsAt;
      const endsAt = patch.endsAt ?? before.endsAt;
      if (endsAt <= startsAt) throw CampaignFlightInvalid();
      const { targeting, ...rest } = patch;
      const updated = await repository.updateCampaign(
        id,
        {
          ...rest,
          ...(targeting && { targeting: JSON.stringify(targeting) }),
          updatedAt: this.#deps.clock.now(),
        },
        trx,
      );
      await this.#deps.audit.record(trx, context, {
        action: 'ads.campaign_updated',
        targetType: 'ad_campaign',
        targetId: id,
        before,
        after: patch,
      });
      return updated!;
    });
    await this.#deps.cache.changed();
    return campaignView(row, await repository.creativesOf(id));
  }

  async getCampaign(id: string): Promise<Campaign> {
    const row = await this.#deps.repository.findCampaign(id);
    if (!row) throw CampaignNotFound();
    return campaignView(row, await this.#deps.repository.creativesOf(id));
  }

  async listCampaigns(): Promise<Campaign[]> {
    const rows = await this.#deps.repository.listCampaigns();
    return Promise.all(
      rows.map(async (row) => campaignView(row, await this.#deps.repository.creativesOf(row.id))),
    );
  }

  async createCreative(
    context: RequestContext,
    campaignId: string,
    input: z.output<typeof creativeCreate>,
  ): Promise<Creative> {
    const row = await this.#deps.transactor.run(async (trx) => {
      if (!(await this.#deps.repository.findCampaign(campaignId, trx))) throw CampaignNotFound();
      const inserted = await this.#deps.repository.insertCreative({ campaignId, ...input }, trx);
      await this.#deps.audit.record(trx, context, {
        action: 'ads.creative_created',
        targetType: 'ad_creative',
        targetId: inserted.id,
        after: { campaignId, ...input },
      });
      return inserted;
    });
    return creativeView(row);
  }

  async setCuePoints(itemId: string, seconds: readonly number[]) {
    const sorted = [...new Set(seconds)].sort((a, b) => a - b);
    await this.#deps.transactor.run((trx) => this.#deps.repository.replaceCuePoints(itemId, sorted, trx));
    return { itemId, seconds: sorted };
  }

  async cuePoints(itemId: string) {
    return { itemId, seconds: await this.#deps.repository.cuePoints(itemId) };
  }

  /** Queues scene detection on the item's video; its proposals replace the last ones when done. */
  async detectCuePoints(itemId: string, threshold: number): Promise<CueDetection> {
    if (!(await this.#deps.hasVideo(itemId))) throw CueDetectionNoVideo();
    const row = await this.#deps.repository.startCueDetection({
      itemId,
      threshold,
      requestedAt: this.#deps.clock.now(),
    });
    await this.#deps.queue.send('ads.detect-cue-points', { itemId, threshold });
    return cueDetectionView(row);
  }

  async cueDetection(itemId: string): Promise<CueDetection> {
    const row = await this.#deps.repository.findCueDetection(itemId);
    if (!row) throw CueDetectionNotFound();
    return cueDetectionView(row);
  }

  async report(range: { from: string; to: string }): Promise<z.output<typeof reportSchema>> {
    const [rows, slots] = await Promise.all([
      this.#deps.delivery.report(range),
      this.#deps.delivery.slots(range),
    ]);
    const campaigns = rows.map((row) => {
      const impressions = Number(row.impressions);
      const completes = Number(row.completes);
      const spendMilli = Number(row.spendMilli);
      const rates = deliveryRates({ impressions, completes, spendMilli, requested: 0, filled: 0 });
      return {
        campaignId: row.campaignId,
        name: row.name,
        impressions,
        starts: Number(row.starts),
        completes,
        skips: Number(row.skips),
        clicks: Number(row.clicks),
        errors: Number(row.errors),
        spendMinor: spendMilli / 1000,
        completionRate: rates.completionRate,
        ecpmMinor: rates.ecpmMinor,
      };
    });
    const impressions = campaigns.reduce((sum, c) => sum + c.impressions, 0);
    const completes = campaigns.reduce((sum, c) => sum + c.completes, 0);
    const spendMilli = rows.reduce((sum, row) => sum + Number(row.spendMilli), 0);
    const requested = Number(slots.requested);
    const filled = Number(slots.filled);
    return {
      ...range,
      slotsRequested: requested,
      slotsFilled: filled,
      impressions,
      completes,
      spendMinor: spendMilli / 1000,
      ...deliveryRates({ impressions, completes, spendMilli, requested, filled }),
      campaigns,
    };
  }
}
