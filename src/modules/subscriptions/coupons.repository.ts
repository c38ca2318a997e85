import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { CouponsTable, DB } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type CouponRow = Selectable<CouponsTable>;

/** Coupons and their redemptions. */
export class CouponsRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  findByCode(code: string, executor: Executor = this.#db): Promise<CouponRow | undefined> {
    return executor.selectFrom('coupons').selectAll().where('code', '=', code).executeTakeFirst();
  }

  find(id: string, executor: Executor = this.#db): Promise<CouponRow | undefined> {
    return executor.selectFrom('coupons').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(executor: Executor = this.#db): Promise<CouponRow[]> {
    return executor.selectFrom('coupons').selectAll().orderBy('createdAt', 'desc').orderBy('id').execute();
  }

  /** Coupons on offer now: active, inside their window, not used up. */
  current(now: Date, executor: Executor = this.#db): Promise<CouponRow[]> {
    return executor
      .selectFrom('coupons')
      .selectAll()
      .where('active', '=', true)
      .where((eb) => eb.or([eb('validFrom', 'is', null), eb('validFrom', '<=', now)]))
      .where((eb) => eb.or([eb('validUntil', 'is', null), eb('validUntil', '>', now)]))
      .where((eb) =>
        eb.or([eb('maxRedemptions', 'is', null), eb('redemptionCount', '<', eb.ref('maxRedemptions'))]),
      )
      .orderBy('createdAt', 'desc')
      .execute();
  }

  insert(row: Insertable<CouponsTable>, executor: Executor = this.#db) {
    return executor
      .insertInto('coupons')
      .values(row)
      .onConflict((conflict) => conflict.column('code').doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  update(id: string, patch: Updateable<CouponsTable>, executor: Executor = this.#db) {
    return executor.updateTable('coupons').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  delete(id: string, executor: Executor = this.#db) {
    return executor.deleteFrom('coupons').where('id', '=', id).executeTakeFirst();
  }

  /**
   * Takes one redemption if any is left: a single conditional UPDATE, so the database settles the
   * race (the row lock it takes also serialises the per-user count that follows in the transaction).
   */
  async take(id: string, executor: Executor): Promise<boolean> {
    const row = await executor
      .updateTable('coupons')
      .set((eb) => ({ redemptionCount: eb('redemptionCount', '+', 1) }))
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('maxRedemptions', 'is', null), eb('redemptionCount', '<', eb.ref('maxRedemptions'))]),
      )
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async redemptionsBy(couponId: string, userId: string, executor: Executor): Promise<number> {
    const row = await executor
      .selectFrom('couponRedemptions')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('couponId', '=', couponId)
      .where('userId', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async recordRedemption(
    row: { couponId: string; userId: string; subscriptionId: string | null; redeemedAt: Date },
    executor: Executor,
  ): Promise<void> {
    await executor.insertInto('couponRedemptions').values(row).execute();
  }

  /**
   * Gives back the redemption a subscription took (its checkout was never paid): true when one
   * was there. Deleting the redemption row first makes a second release find nothing.
   */
  async release(redemption: { couponId: string; subscriptionId: string }, executor: Executor) {
    const released = await executor
      .deleteFrom('couponRedemptions')
      .where('couponId', '=', redemption.couponId)
      .where('subscriptionId', '=', redemption.subscriptionId)
      .returning('id')
      .execute();
    if (released.length === 0) return false;
    await executor
      .updateTable('coupons')
      .set((eb) => ({ redemptionCount: eb('redemptionCount', '-', released.length) }))
      .where('id', '=', redemption.couponId)
      .execute();
    return true;
  }
}
