import type { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import type { PlanPriceRow, PlanRow, PlansRepository } from './plans.repository.ts';
import { PlanExists, PlanInUse, PlanNotFound } from './subscriptions.errors.ts';
import type { planCreate, planPatch, planSchema } from './subscriptions.schemas.ts';

export type Plan = z.output<typeof planSchema>;

const toPlan = (row: PlanRow, prices: readonly PlanPriceRow[]): Plan => ({
  id: row.id,
  name: row.name,
  tier: row.tier,
  trialDays: row.trialDays,
  hasAds: row.hasAds,
  active: row.active,
  maxHeight: row.maxHeight,
  maxStreams: row.maxStreams,
  maxDevices: row.maxDevices,
  maxDownloads: row.maxDownloads,
  maxDownloadDevices: row.maxDownloadDevices,
  adPreroll: row.adPreroll,
  adMidrollIntervalMinutes: Math.round(row.adMidrollIntervalSeconds / 60),
  adPodMax: row.adPodMax,
  prices: prices
    .filter((price) => price.planId === row.id)
    .map((price) => ({
      currency: price.currency,
      interval: price.billingInterval as 'month' | 'year',
      amountMinor: price.amountMinor,
    })),
});

/** Plans: what each allows and costs. Read by everyone; changed by `plans:manage`, audited. */
export class PlansService {
  readonly #plans: PlansRepository;
  readonly #transactor: Transactor;
  readonly #audit: AuditLog;
  readonly #clock: Clock;

  constructor(deps: { plans: PlansRepository; transactor: Transactor; audit: AuditLog; clock: Clock }) {
    this.#plans = deps.plans;
    this.#transactor = deps.transactor;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
  }

  async list(options: { includeInactive: boolean }): Promise<Plan[]> {
    const rows = (await this.#plans.list()).filter((row) => options.includeInactive || row.active);
    const prices = await this.#plans.prices(rows.map((row) => row.id));
    return rows.map((row) => toPlan(row, prices));
  }

  /** A plan's row (limits), for the features that enforce them. */
  find(planId: string): Promise<PlanRow | undefined> {
    return this.#plans.find(planId);
  }

  async get(planId: string): Promise<Plan> {
    const row = await this.#plans.find(planId);
    if (!row) throw PlanNotFound(`No plan "${planId}"`);
    return toPlan(row, await this.#plans.prices([row.id]));
  }

  async create(context: RequestContext, input: z.output<typeof planCreate>): Promise<Plan> {
    const { prices, adMidrollIntervalMinutes, ...fields } = input;
    const plan = { ...fields, adMidrollIntervalSeconds: adMidrollIntervalMinutes * 60 };
    await this.#transactor.run(async (trx) => {
      if (await this.#plans.tierTaken(plan.tier, null, trx)) throw PlanExists(`Tier ${plan.tier} is taken`);
      const inserted = await this.#plans.insert(plan, trx);
      if (!inserted) throw PlanExists(`A plan "${plan.id}" exists`);
      await this.#plans.replacePrices(plan.id, prices, trx);
      await this.#audit.record(trx, context, {
        action: 'plan.created',
        targetType: 'plan',
        targetId: plan.id,
        after: input,
      });
    });
    return this.get(plan.id);
  }

  async update(context: RequestContext, planId: string, patch: z.output<typeof planPatch>): Promise<Plan> {
    const before = await this.get(planId);
    const { prices, adMidrollIntervalMinutes, ...fields } = patch;
    await this.#transactor.run(async (trx) => {
      if (fields.tier !== undefined && (await this.#plans.tierTaken(fields.tier, planId, trx))) {
        throw PlanExists(`Tier ${fields.tier} is taken`);
      }
      await this.#plans.update(
        planId,
        {
          ...fields,
          ...(adMidrollIntervalMinutes !== undefined && {
            adMidrollIntervalSeconds: adMidrollIntervalMinutes * 60,
          }),
          updatedAt: this.#clock.now(),
        },
        trx,
      );
      if (prices) await this.#plans.replacePrices(planId, prices, trx);
      await this.#audit.record(trx, context, {
        action: 'plan.updated',
        targetType: 'plan',
        targetId: planId,
        before,
        after: patch,
      });
    });
    return this.get(planId);
  }

  /** Only a plan nobody is or was on can go; others are retired with `active: false`. */
  async delete(context: RequestContext, planId: string): Promise<void> {
    const before = await this.get(planId);
    if (planId === 'free') throw PlanInUse('The Free plan is where lapsed accounts go');
    await this.#transactor.run(async (trx) => {
      try {
        await this.#plans.delete(planId, trx);
      } catch (error) {
        if ((error as { code?: string }).code === '23503') {
          throw PlanInUse('Accounts or subscriptions use this plan: set active to false instead');
        }
        throw error;
      }
      await this.#audit.record(trx, context, {
        action: 'plan.deleted',
        targetType: 'plan',
        targetId: planId,
        before,
      });
    });
  }
}
