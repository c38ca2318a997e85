import { ineligibility, type AdContext, type LiveCampaign } from './decisioning.ts';

/**
 * The campaigns eligible in one targeting context (best first, as the snapshot holds them),
 * remembered for a short time per snapshot and context: every viewer of the same kind of title
 * in the same region on the same kind of device asks the same question, and with hundreds of
 * campaigns the answer costs more than the rest of a decision.
 *
 * What can go stale within `ttlMs` is only what moves with the clock alone: a flight starting
 * or ending, and even pacing's allowance growing through the day. Spend, caps and any campaign
 * change make a new snapshot (campaign-cache.ts), which starts with no memo. The UTC hour is part
 * of the key, so hour-of-day targeting is never stale. Frequency caps are per profile and are
 * applied after this (decision.service.ts).
 */
export class EligibleCampaigns {
  readonly #ttlMs: number;
  readonly #maxContexts: number;
  readonly #memo = new WeakMap<readonly LiveCampaign[], Map<string, Remembered>>();

  constructor(options: { ttlMs: number; maxContexts: number }) {
    this.#ttlMs = options.ttlMs;
    this.#maxContexts = options.maxContexts;
  }

  /** `contentKey` names the title's part of the context (genres, maturity, kind), made once per stream. */
  of(options: {
    campaigns: readonly LiveCampaign[];
    context: AdContext;
    contentKey: string;
  }): readonly LiveCampaign[] {
    const { campaigns, context } = options;
    const nowMs = context.now.getTime();
    const key = `${options.contentKey}|${context.region ?? ''}|${context.deviceType}|${context.now.getUTCHours()}`;
    let contexts = this.#memo.get(campaigns);
    if (!contexts) {
      contexts = new Map();
      this.#memo.set(campaigns, contexts);
    }
    const remembered = contexts.get(key);
    if (remembered && remembered.until > nowMs) return remembered.eligible;
    const eligible = campaigns.filter((campaign) => ineligibility(campaign, context) === null);
    // Many regions × devices × titles' genres: a bound, not an LRU; a full memo starts over.
    if (contexts.size >= this.#maxContexts) contexts.clear();
    contexts.set(key, { until: nowMs + this.#ttlMs, eligible });
    return eligible;
  }
}

interface Remembered {
  until: number;
  eligible: readonly LiveCampaign[];
}

/** The title's part of a targeting context, as a memo key (genres in the order catalog gives). */
export const contentKeyOf = (facts: {
  genres: readonly string[];
  maturityLevel: number;
  contentKind: string;
}) => `${facts.contentKind}|${facts.maturityLevel}|${facts.genres.join(',')}`;
