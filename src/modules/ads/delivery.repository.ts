import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';
import type { DeliveryIncrement, PendingBeacon } from './beacon-buffer.ts';

/** Counted beacons, delivery per campaign and day, slots asked for and filled. */
export class DeliveryRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** Records beacons not seen before; returns only those (a replay across batches is skipped here). */
  async insertNewBeacons(beacons: readonly PendingBeacon[], executor: Executor = this.#db) {
    if (beacons.length === 0) return [];
    return executor
      .insertInto('adBeacons')
      .values(beacons.map((b) => ({ ...b })))
      .onConflict((conflict) => conflict.columns(['instanceId', 'event']).doNothing())
      .returning(['instanceId', 'event', 'campaignId', 'receivedAt'])
      .execute();
  }

  /** Adds to a campaign's day; a campaign deleted meanwhile is skipped (its counts go with it). */
  async addDelivery(increment: DeliveryIncrement, executor: Executor = this.#db): Promise<void> {
    const counts = {
      impressions: increment.counts.impressions ?? 0,
      starts: increment.counts.starts ?? 0,
      firstQuartiles: increment.counts.firstQuartiles ?? 0,
      midpoints: increment.counts.midpoints ?? 0,
      thirdQuartiles: increment.counts.thirdQuartiles ?? 0,
      completes: increment.counts.completes ?? 0,
      skips: increment.counts.skips ?? 0,
      clicks: increment.counts.clicks ?? 0,
      errors: increment.counts.errors ?? 0,
      spendMilli: increment.spendMilli,
    };
    await executor
      .insertInto('adDeliveryDaily')
      .columns(['campaignId', 'day', ...(Object.keys(counts) as Array<keyof typeof counts>)])
      .expression((eb) =>
        eb
          .selectFrom('adCampaigns')
          .select([
            'adCampaigns.id',
            sql.lit(increment.day).as('day'),
            ...Object.entries(counts).map(([name, value]) => sql.lit(value).as(name)),
          ])
          .where('adCampaigns.id', '=', increment.campaignId),
      )
      .onConflict((conflict) =>
        conflict
          .columns(['campaignId', 'day'])
          .doUpdateSet((eb) =>
            Object.fromEntries(
              Object.keys(counts).map((name) => [
                name,
                eb(
                  eb.ref(`adDeliveryDaily.${name as keyof typeof counts}`),
                  '+',
                  eb.ref(`excluded.${name as keyof typeof counts}`),
                ),
              ]),
            ),
          ),
      )
      .execute();
  }

  async addSlots(day: string, slots: { requested: number; filled: number }, executor: Executor = this.#db) {
    await executor
      .insertInto('adSlotsDaily')
      .values({ day, ...slots })
      .onConflict((conflict) =>
        conflict.column('day').doUpdateSet((eb) => ({
          requested: eb(eb.ref('adSlotsDaily.requested'), '+', eb.ref('excluded.requested')),
          filled: eb(eb.ref('adSlotsDaily.filled'), '+', eb.ref('excluded.filled')),
        })),
      )
      .execute();
  }

  /** Per campaign: spend since the start, and today's spend and impressions (budgets, pacing). */
  async spend(campaignIds: readonly string[], today: string, executor: Executor = this.#db) {
    if (campaignIds.length === 0) return [];
    return executor
      .selectFrom('adDeliveryDaily')
      .select((eb) => [
        'campaignId',
        eb.fn.sum<number>('spendMilli').as('spentMilli'),
        eb.fn
          .sum<number>(eb.case().when('day', '=', today).then(eb.ref('spendMilli')).else(0).end())
          .as('spentTodayMilli'),
        eb.fn
          .sum<number>(eb.case().when('day', '=', today).then(eb.ref('impressions')).else(0).end())
          .as('impressionsToday'),
      ])
      .where('campaignId', 'in', campaignIds)
      .groupBy('campaignId')
      .execute();
  }

  /** Delivery per campaign over [from, to] (UTC days). */
  report(range: { from: string; to: string }, executor: Executor = this.#db) {
    return executor
      .selectFrom('adDeliveryDaily')
      .innerJoin('adCampaigns', 'adCampaigns.id', 'adDeliveryDaily.campaignId')
      .select((eb) => [
        'adDeliveryDaily.campaignId',
        'adCampaigns.name',
        eb.fn.sum<number>('impressions').as('impressions'),
        eb.fn.sum<number>('starts').as('starts'),
        eb.fn.sum<number>('completes').as('completes'),
        eb.fn.sum<number>('skips').as('skips'),
        eb.fn.sum<number>('clicks').as('clicks'),
        eb.fn.sum<number>('errors').as('errors'),
        eb.fn.sum<number>('spendMilli').as('spendMilli'),
      ])
      .where('day', '>=', range.from)
      .where('day', '<=', range.to)
      .groupBy(['adDeliveryDaily.campaignId', 'adCampaigns.name'])
      .orderBy('adCampaigns.name')
      .execute();
  }

  /**
   * Deletes up to `limit` beacons received before `before`; returns how many. In batches, so a
   * backlog of millions never holds one long transaction (received_at is indexed).
   */
  async deleteBeaconsBefore(before: Date, limit: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('adBeacons')
      .where((eb) =>
        eb(
          eb.refTuple('instanceId', 'event'),
          'in',
          eb
            .selectFrom('adBeacons')
            .select(['instanceId', 'event'])
            .where('receivedAt', '<', before)
            .limit(limit)
            .$asTuple('instanceId', 'event'),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  slots(range: { from: string; to: string }, executor: Executor = this.#db) {
    return executor
      .selectFrom('adSlotsDaily')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('requested'), sql.lit(0)).as('requested'),
        eb.fn.coalesce(eb.fn.sum<number>('filled'), sql.lit(0)).as('filled'),
      ])
      .where('day', '>=', range.from)
      .where('day', '<=', range.to)
      .executeTakeFirstOrThrow();
  }
}
