import { topK } from './interactions.ts';

/**
 * The blender: each model's scores scaled to [0, 1] for this profile and summed with weights,
 * then a diversity pass over the ranked list (no more than `maxPerFranchise` titles of one
 * franchise, no more than `maxGenreRun` in a row with the same primary genre), never a title the
 * profile finished, said "not interested" to, or an admin excluded.
 */
/** How much each model counts in the blend (each scaled to [0, 1] per profile first). */
export interface BlendWeights {
  /** EASE over the most popular titles. */
  ease: number;
  /** RP3beta item neighbours: reaches the long tail EASE leaves out. */
  neighbours: number;
  content: number;
  popularity: number;
}

export const DEFAULT_BLEND_WEIGHTS: BlendWeights = Object.freeze({
  ease: 1,
  neighbours: 0.2,
  content: 0.2,
  popularity: 0.05,
});

export interface DiversityRules {
  maxPerFranchise: number;
  maxGenreRun: number;
}

export const DEFAULT_DIVERSITY: DiversityRules = Object.freeze({ maxPerFranchise: 2, maxGenreRun: 3 });

export interface ItemFacts {
  franchise: (item: number) => string;
  primaryGenre: (item: number) => string | undefined;
}

export function blendScores(
  parts: Partial<Record<keyof BlendWeights, Float32Array>>,
  weights: BlendWeights = DEFAULT_BLEND_WEIGHTS,
): Float32Array {
  const present = Object.values(parts).filter((scores) => scores !== undefined);
  const length = present[0]?.length ?? 0;
  const blended = new Float32Array(length);
  for (const name of Object.keys(parts) as (keyof BlendWeights)[]) {
    const scores = parts[name];
    const weight = weights[name];
    if (!scores || weight === 0) continue;
    let max = 0;
    for (const score of scores) if (score > max) max = score;
    if (max <= 0) continue;
    const scale = weight / max;
    for (let item = 0; item < length; item++)
      blended[item] = (blended[item] ?? 0) + Math.max(0, scores[item] ?? 0) * scale;
  }
  return blended;
}

/**
 * The top `k` of `scores` after exclusions and the diversity rules. A candidate that breaks a rule
 * waits; when only rule-breakers are left the list is filled with them rather than cut short.
 */
export function diversify(options: {
  scores: Float32Array;
  k: number;
  exclude: ReadonlySet<number>;
  facts: ItemFacts;
  rules?: DiversityRules;
  /** How deep to look past k for diverse candidates. */
  pool?: number;
}): number[] {
  const rules = options.rules ?? DEFAULT_DIVERSITY;
  const poolSize = options.pool ?? options.k * 5;
  const pool = topK(options.scores, poolSize, options.exclude);
  const picked: number[] = [];
  const perFranchise = new Map<string, number>();
  const waiting: number[] = [];
  for (const item of pool) {
    if (picked.length >= options.k) break;
    if (breaksRules(item, picked, perFranchise, options.facts, rules)) {
      waiting.push(item);
      continue;
    }
    take(item, picked, perFranchise, options.facts);
    // A pick may have ended a genre run: waiting items that fit now go first.
    for (let at = 0; at < waiting.length && picked.length < options.k; at++) {
      const next = waiting[at] ?? 0;
      if (!breaksRules(next, picked, perFranchise, options.facts, rules)) {
        take(next, picked, perFranchise, options.facts);
        waiting.splice(at, 1);
        at = -1;
      }
    }
  }
  for (const item of waiting) if (picked.length < options.k) picked.push(item);
  return picked;
}

function breaksRules(
  item: number,
  picked: readonly number[],
  perFranchise: ReadonlyMap<string, number>,
  facts: ItemFacts,
  rules: DiversityRules,
): boolean {
  if ((perFranchise.get(facts.franchise(item)) ?? 0) >= rules.maxPerFranchise) return true;
  const genre = facts.primaryGenre(item);
  if (genre === undefined || picked.length < rules.maxGenreRun) return false;
  return picked.slice(-rules.maxGenreRun).every((earlier) => facts.primaryGenre(earlier) === genre);
}

function take(item: number, picked: number[], perFranchise: Map<string, number>, facts: ItemFacts): void {
  picked.push(item);
  const franchise = facts.franchise(item);
  perFranchise.set(franchise, (perFranchise.get(franchise) ?? 0) + 1);
}
