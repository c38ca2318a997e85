import { topK, type Csr, type InteractionMatrix } from './interactions.ts';

/**
 * RP3beta (Paudel et al., "Updatable, Accurate, Diverse, and Scalable Recommendations for
 * Interactive Applications", ACM TiiS 2016): the probability of a 3-step random walk
 * item → user → item, each transition probability raised to `alpha`, divided by the target's
 * popularity^`beta` so that blockbusters do not win every walk. Only the `neighbours` strongest
 * targets of each item are kept: a sparse item × item matrix, built in O(Σ users' degree²) with
 * one dense accumulator — never an items² dense matrix.
 */
export interface Rp3betaOptions {
  alpha: number;
  beta: number;
  neighbours: number;
}

export const DEFAULT_RP3BETA: Rp3betaOptions = Object.freeze({ alpha: 0.5, beta: 0.5, neighbours: 200 });

export interface ItemNeighbours {
  /** Item × item, each row sorted by descending weight. */
  similarity: Csr;
}

export function trainRp3beta(
  matrix: InteractionMatrix,
  options: Rp3betaOptions = DEFAULT_RP3BETA,
): ItemNeighbours {
  const { byUser, byItem } = matrix;
  const itemCount = matrix.items.length;
  const userCount = matrix.users.length;
  // Transition probabilities user → item and item → user (rows normalised to 1), raised to alpha.
  const userToItem = new Float32Array(byUser.values.length);
  for (let user = 0; user < userCount; user++) normaliseRow(byUser, user, options.alpha, userToItem);
  const itemToUser = new Float32Array(byItem.values.length);
  for (let item = 0; item < itemCount; item++) normaliseRow(byItem, item, options.alpha, itemToUser);
  const degrees = matrix.itemDegrees();
  const penalty = new Float32Array(itemCount);
  for (let item = 0; item < itemCount; item++) {
    const degree = degrees[item] ?? 0;
    penalty[item] = degree > 0 ? degree ** -options.beta : 0;
  }

  const rows: { indices: number[]; values: number[] }[] = [];
  const accumulator = new Float64Array(itemCount);
  const touched = new Int32Array(itemCount);
  const seen = new Uint8Array(itemCount);
  for (let item = 0; item < itemCount; item++) {
    let touchedCount = 0;
    for (let at = byItem.indptr[item] ?? 0; at < (byItem.indptr[item + 1] ?? 0); at++) {
      const user = byItem.indices[at] ?? 0;
      const toUser = itemToUser[at] ?? 0;
      for (let next = byUser.indptr[user] ?? 0; next < (byUser.indptr[user + 1] ?? 0); next++) {
        const target = byUser.indices[next] ?? 0;
        if (target === item) continue;
        if (!seen[target]) {
          seen[target] = 1;
          touched[touchedCount++] = target;
        }
        accumulator[target] = (accumulator[target] ?? 0) + toUser * (userToItem[next] ?? 0);
      }
    }
    const candidates = new Float64Array(touchedCount);
    for (let at = 0; at < touchedCount; at++) {
      const target = touched[at] ?? 0;
      candidates[at] = (accumulator[target] ?? 0) * (penalty[target] ?? 0);
      accumulator[target] = 0;
      seen[target] = 0;
    }
    const best = topK(candidates, options.neighbours);
    rows.push({ indices: best.map((at) => touched[at] ?? 0), values: best.map((at) => candidates[at] ?? 0) });
  }
  return { similarity: toCsr(rows, itemCount) };
}

function normaliseRow(matrix: Csr, row: number, alpha: number, into: Float32Array): void {
  const start = matrix.indptr[row] ?? 0;
  const end = matrix.indptr[row + 1] ?? 0;
  let sum = 0;
  for (let at = start; at < end; at++) sum += matrix.values[at] ?? 0;
  if (sum <= 0) return;
  for (let at = start; at < end; at++) into[at] = ((matrix.values[at] ?? 0) / sum) ** alpha;
}

export function toCsr(
  rows: readonly { indices: readonly number[]; values: readonly number[] }[],
  cols: number,
): Csr {
  const indptr = new Int32Array(rows.length + 1);
  for (const [row, { indices }] of rows.entries()) indptr[row + 1] = (indptr[row] ?? 0) + indices.length;
  const indices = new Int32Array(indptr[rows.length] ?? 0);
  const values = new Float32Array(indices.length);
  for (const [row, entry] of rows.entries()) {
    indices.set(entry.indices, indptr[row] ?? 0);
    values.set(entry.values, indptr[row] ?? 0);
  }
  return { rows: rows.length, cols, indptr, indices, values };
}

/**
 * A user's score for every item: Σ over the items they interacted with of weight × similarity.
 * `history` are (item index, weight) pairs, so a profile unseen at training time is scored too.
 */
export function scoreWithNeighbours(
  neighbours: ItemNeighbours,
  history: readonly { item: number; weight: number }[],
): Float32Array {
  const { similarity } = neighbours;
  const scores = new Float32Array(similarity.cols);
  for (const { item, weight } of history) {
    if (item < 0 || item >= similarity.rows) continue;
    for (let at = similarity.indptr[item] ?? 0; at < (similarity.indptr[item + 1] ?? 0); at++) {
      const target = similarity.indices[at] ?? 0;
      scores[target] = (scores[target] ?? 0) + weight * (similarity.values[at] ?? 0);
    }
  }
  return scores;
}

/** The `k` most similar items to one item, strongest first. */
export function neighboursOf(
  neighbours: ItemNeighbours,
  item: number,
  k: number,
): { item: number; score: number }[] {
  const { similarity } = neighbours;
  const result: { item: number; score: number }[] = [];
  for (
    let at = similarity.indptr[item] ?? 0;
    at < (similarity.indptr[item + 1] ?? 0) && result.length < k;
    at++
  )
    result.push({ item: similarity.indices[at] ?? 0, score: similarity.values[at] ?? 0 });
  return result;
}
