import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { DB, PlanPricesTable, PlansTable } from '../../platform/db/db.generated.ts';
import type { Executor } from '../../platform/db/transactor.ts';

export type PlanRow = Selectable<PlansTable>;
export type PlanPriceRow = Selectable<PlanPricesTable>;

/** The plans and their prices. */
export class PlansRepository {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  find(id: string, executor: Executor = this.#db): Promise<PlanRow | undefined> {
    return executor.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(executor: Executor = this.#db): Promise<PlanRow[]> {
    return executor.selectFrom('plans').selectAll().orderBy('tier').execute();
  }

  prices(planIds: readonly string[], executor: Executor = this.#db): Promise<PlanPriceRow[]> {
    if (planIds.length === 0) return Promise.resolve([]);
    return executor
      .selectFrom('planPrices')
      .selectAll()
      .where('planId', 'in', planIds)
      .orderBy('currency')
      .orderBy('billingInterval')
      .execute();
  }

  findPrice(
    query: { planId: string; currency: string; interval: 'month' | 'year' },
    executor: Executor = this.#db,
  ): Promise<PlanPriceRow | undefined> {
    return executor
      .selectFrom('planPrices')
      .selectAll()
      .where('planId', '=', query.planId)
      .where('currency', '=', query.currency)
      .where('billingInterval', '=', query.interval)
      .executeTakeFirst();
  }

  findPriceById(id: string, executor: Executor = this.#db): Promise<PlanPriceRow | undefined> {
    return executor.selectFrom('planPrices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insert(plan: Insertable<PlansTable>, executor: Executor = this.#db): Promise<PlanRow | undefined> {
    return executor
      .insertInto('plans')
      .values(plan)
      .onConflict((conflict) => conflict.doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  update(id: string, patch: Updateable<PlansTable>, executor: Executor = this.#db) {
    return executor.updateTable('plans').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  delete(id: string, executor: Executor = this.#db) {
    return executor.deleteFrom('plans').where('id', '=', id).executeTakeFirst();
  }

  tierTaken(tier: number, exceptId: string | null, executor: Executor = this.#db) {
    let query = executor.selectFrom('plans').select('id').where('tier', '=', tier);
    if (exceptId) query = query.where('id', '!=', exceptId);
    return query.executeTakeFirst();
  }

  async replacePrices(
    planId: string,
    prices: ReadonlyArray<{ currency: string; interval: 'month' | 'year'; amountMinor: number }>,
    executor: Executor = this.#db,
  ): Promise<void> {
    const keep = prices.map((price) => `${price.currency}/${price.interval}`);
    const existing = await executor
      .selectFrom('planPrices')
      .selectAll()
      .where('planId', '=', planId)
      .execute();
    const stale = existing.filter((row) => !keep.includes(`${row.currency}/${row.billingInterval}`));
    if (stale.length > 0) {
      await executor
        .deleteFrom('planPrices')
        .where(
          'id',
          'in',
          stale.map((row) => row.id),
        )
        .execute();
    }
    for (const price of prices) {
      await executor
        .insertInto('planPrices')
        .values({
          planId,
          currency: price.currency,
          billingInterval: price.interval,
          amountMinor: price.amountMinor,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['planId', 'currency', 'billingInterval'])
            .doUpdateSet({ amountMinor: price.amountMinor }),
        )
        .execute();
    }
  }
}
