/**
 * Offline ranking metrics with binary relevance, as in Steck's EASE paper and Liang et al.'s
 * VAE-CF (WWW 2018): Recall@k divides the hits by min(k, |relevant|) so a perfect top-k scores 1
 * even when more than k items were held out; NDCG@k uses 1/log2(rank + 1) gains.
 */
export function recallAtK(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  for (const item of ranked.slice(0, k)) if (relevant.has(item)) hits++;
  return hits / Math.min(k, relevant.size);
}

export function ndcgAtK(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let dcg = 0;
  for (const [rank, item] of ranked.slice(0, k).entries())
    if (relevant.has(item)) dcg += 1 / Math.log2(rank + 2);
  let ideal = 0;
  for (let rank = 0; rank < Math.min(k, relevant.size); rank++) ideal += 1 / Math.log2(rank + 2);
  return dcg / ideal;
}

/** The share of the catalog that appears in at least one user's top k. */
export function catalogCoverage(lists: Iterable<readonly number[]>, catalogSize: number, k: number): number {
  if (catalogSize === 0) return 0;
  const seen = new Set<number>();
  for (const list of lists) for (const item of list.slice(0, k)) seen.add(item);
  return seen.size / catalogSize;
}
