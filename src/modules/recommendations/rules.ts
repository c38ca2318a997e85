import type { Clock } from '../../platform/clock.ts';
import type { RecommendationsRepository, RuleAction } from './recommendations.repository.ts';
import type { RowKind } from './rows.ts';

export type RuleRow = RowKind | 'similar' | 'all';

export interface RuleSet {
  pinned(row: RuleRow): readonly string[];
  excluded(titleId: string, row: RuleRow): boolean;
  on(titleId: string): { row: string; action: RuleAction }[];
}

/** How long a process trusts its copy of the rules without a version to compare (the worker, `why`). */
const RELOAD_MS = 10_000;

/**
 * Admins' pins and excludes, read at every request from an in-memory copy: reloaded when the
 * recommendations' global version moves (a rule change on any instance bumps it), or after a few
 * seconds when the caller has no version to give.
 */
export class RecommendationRules {
  readonly #repository: RecommendationsRepository;
  readonly #clock: Clock;
  #set: RuleSet | undefined;
  #loadedAt = 0;
  #version: number | undefined;

  constructor(options: { repository: RecommendationsRepository; clock: Clock }) {
    this.#repository = options.repository;
    this.#clock = options.clock;
  }

  async get(version?: number): Promise<RuleSet> {
    const now = this.#clock.now().getTime();
    if (this.#set && (version === undefined ? now - this.#loadedAt < RELOAD_MS : version === this.#version))
      return this.#set;
    const rules = await this.#repository.rules();
    const pins = new Map<string, string[]>();
    const excludes = new Map<string, Set<string>>();
    for (const rule of rules) {
      if (rule.action === 'pin') pins.set(rule.rowKind, [...(pins.get(rule.rowKind) ?? []), rule.titleId]);
      else excludes.set(rule.rowKind, new Set([...(excludes.get(rule.rowKind) ?? []), rule.titleId]));
    }
    const everywhere = excludes.get('all');
    const none: readonly string[] = [];
    // Asked for every title of every row of every request: no allocation, and nothing at all without rules.
    this.#set = {
      pinned: (row) => (pins.size === 0 ? none : [...(pins.get(row) ?? []), ...(pins.get('all') ?? [])]),
      excluded: (titleId, row) =>
        excludes.size > 0 && (everywhere?.has(titleId) === true || excludes.get(row)?.has(titleId) === true),
      on: (titleId) =>
        rules
          .filter((rule) => rule.titleId === titleId)
          .map((rule) => ({ row: rule.rowKind, action: rule.action as RuleAction })),
    };
    this.#loadedAt = now;
    this.#version = version;
    return this.#set;
  }

  async set(rule: { titleId: string; row: RuleRow; action: RuleAction; by: string }): Promise<void> {
    await this.#repository.saveRule({
      titleId: rule.titleId,
      rowKind: rule.row,
      action: rule.action,
      createdBy: rule.by,
      createdAt: this.#clock.now(),
    });
    this.#set = undefined;
  }

  async remove(rule: { titleId: string; row: RuleRow }): Promise<boolean> {
    const removed = await this.#repository.deleteRule({ titleId: rule.titleId, rowKind: rule.row });
    this.#set = undefined;
    return removed;
  }
}
