import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type {
  AdAdvertisersTable,
  AdCampaignsTable,
  AdCreativesTable,
  AdCuePointDetectionsTable,
  DB,
} from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type AdvertiserRow = Selectable<AdAdvertisersTable>;
export type CampaignRow = Selectable<AdCampaignsTable>;
export type CreativeRow = Selectable<AdCreativesTable>;
export type CueDetectionRow = Selectable<AdCuePointDetectionsTable>;

/** Advertisers, campaigns, creatives and cue points: what admins set up. */
export class CampaignsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  insertAdvertiser(name: string, executor: Executor = this.#db): Promise<AdvertiserRow | undefined> {
    return executor
      .insertInto('adAdvertisers')
      .values({ name })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  listAdvertisers(executor: Executor = this.#db): Promise<AdvertiserRow[]> {
    return executor.selectFrom('adAdvertisers').selectAll().orderBy('name').execute();
  }

  findAdvertiser(id: string, executor: Executor = this.#db): Promise<AdvertiserRow | undefined> {
    return executor.selectFrom('adAdvertisers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  insertCampaign(row: Insertable<AdCampaignsTable>, executor: Executor = this.#db): Promise<CampaignRow> {
    return executor.insertInto('adCampaigns').values(row).returningAll().executeTakeFirstOrThrow();
  }

  updateCampaign(
    id: string,
    patch: Updateable<AdCampaignsTable>,
    executor: Executor = this.#db,
  ): Promise<CampaignRow | undefined> {
    return executor
      .updateTable('adCampaigns')
      .set(patch)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  findCampaign(id: string, executor: Executor = this.#db): Promise<CampaignRow | undefined> {
    return executor.selectFrom('adCampaigns').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listCampaigns(executor: Executor = this.#db): Promise<CampaignRow[]> {
    return executor.selectFrom('adCampaigns').selectAll().orderBy('createdAt', 'desc').limit(1000).execute();
  }

  /** Active campaigns whose flight has not ended, with their advertiser's name. */
  runnable(now: Date, executor: Executor = this.#db) {
    return executor
      .selectFrom('adCampaigns')
      .innerJoin('adAdvertisers', 'adAdvertisers.id', 'adCampaigns.advertiserId')
      .selectAll('adCampaigns')
      .select('adAdvertisers.name as advertiserName')
      .where('adCampaigns.status', '=', 'active')
      .where('adCampaigns.endsAt', '>', now)
      .execute();
  }

  readyCreatives(campaignIds: readonly string[], executor: Executor = this.#db): Promise<CreativeRow[]> {
    if (campaignIds.length === 0) return Promise.resolve([]);
    return executor
      .selectFrom('adCreatives')
      .selectAll()
      .where('campaignId', 'in', campaignIds)
      .where('status', '=', 'ready')
      .orderBy('createdAt')
      .execute();
  }

  insertCreative(row: Insertable<AdCreativesTable>, executor: Executor = this.#db): Promise<CreativeRow> {
    return executor.insertInto('adCreatives').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findCreative(id: string, executor: Executor = this.#db): Promise<CreativeRow | undefined> {
    return executor.selectFrom('adCreatives').selectAll().where('id', '=', id).executeTakeFirst();
  }

  creativesOf(campaignId: string, executor: Executor = this.#db): Promise<CreativeRow[]> {
    return executor
      .selectFrom('adCreatives')
      .selectAll()
      .where('campaignId', '=', campaignId)
      .orderBy('createdAt')
      .execute();
  }

  updateCreative(
    id: string,
    patch: Updateable<AdCreativesTable>,
    executor: Executor = this.#db,
  ): Promise<CreativeRow | undefined> {
    return executor
      .updateTable('adCreatives')
      .set(patch)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  cuePoints(itemId: string, executor: Executor = this.#db): Promise<number[]> {
    return executor
      .selectFrom('adCuePoints')
      .select('seconds')
      .where('itemId', '=', itemId)
      .orderBy('seconds')
      .execute()
      .then((rows) => rows.map((row) => row.seconds));
  }

  async replaceCuePoints(itemId: string, seconds: readonly number[], executor: Executor = this.#db) {
    await executor.deleteFrom('adCuePoints').where('itemId', '=', itemId).execute();
    if (seconds.length === 0) return;
    await executor
      .insertInto('adCuePoints')
      .values([...new Set(seconds)].map((at) => ({ itemId, seconds: at })))
      .execute();
  }

  /** Starts (or starts over) an item's detection: `detecting`, nothing proposed yet. */
  startCueDetection(row: { itemId: string; threshold: number; requestedAt: Date }): Promise<CueDetectionRow> {
    const values = { ...row, status: 'detecting', proposed: '[]', failure: null, finishedAt: null };
    return this.#db
      .insertInto('adCuePointDetections')
      .values(values)
      .onConflict((conflict) => conflict.column('itemId').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  finishCueDetection(
    itemId: string,
    outcome: { status: 'ready'; proposed: readonly number[] } | { status: 'failed'; failure: string },
    finishedAt: Date,
  ): Promise<CueDetectionRow | undefined> {
    return this.#db
      .updateTable('adCuePointDetections')
      .set(
        outcome.status === 'ready'
          ? { status: 'ready', proposed: JSON.stringify(outcome.proposed), finishedAt }
          : { status: 'failed', failure: outcome.failure, finishedAt },
      )
      .where('itemId', '=', itemId)
      .returningAll()
      .executeTakeFirst();
  }

  findCueDetection(itemId: string): Promise<CueDetectionRow | undefined> {
    return this.#db
      .selectFrom('adCuePointDetections')
      .selectAll()
      .where('itemId', '=', itemId)
      .executeTakeFirst();
  }

  /** Takes the row lock of a campaign: concurrent edits of one campaign apply one after another. */
  async lockCampaign(id: string, executor: Executor): Promise<void> {
    await sql`select 1 from ad_campaigns where id = ${id} for update`.execute(executor);
  }
}
