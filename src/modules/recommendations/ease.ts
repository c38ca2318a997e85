import type { InteractionMatrix } from './interactions.ts';

/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the item × item
 * weights B minimising ‖X − XB‖² + λ‖B‖² with diag(B) = 0 have a closed form,
 * B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹. The inverse is dense, so EASE runs on the
 * `items` most popular titles only (N² doubles: 1,000 titles are 8 MB, inverted in O(N³) on one
 * core, ~2 s; 2,000 took 24 s for no gain on MovieLens); the long tail is left to the other models.
 */
export interface EaseOptions {
  lambda: number;
  items: number;
}

export const DEFAULT_EASE: EaseOptions = Object.freeze({ lambda: 500, items: 1000 });

export interface EaseModel {
  /** Matrix item index of each EASE row/column. */
  items: Int32Array;
  /** Matrix item index → EASE position, −1 when not among them. */
  position: Int32Array;
  /** N × N, row-major: weights[i·N + j] is how much item i speaks for item j. */
  weights: Float64Array;
}

export function trainEase(matrix: InteractionMatrix, options: EaseOptions = DEFAULT_EASE): EaseModel {
  const degrees = matrix.itemDegrees();
  const order = Array.from(degrees.keys())
    .filter((item) => (degrees[item] ?? 0) > 0)
    .sort((a, b) => (degrees[b] ?? 0) - (degrees[a] ?? 0) || a - b)
    .slice(0, options.items);
  const size = order.length;
  const position = new Int32Array(matrix.items.length).fill(-1);
  for (const [at, item] of order.entries()) position[item] = at;

  // Gram matrix XᵀX over the chosen items, from each user's sparse row.
  const gram = new Float64Array(size * size);
  const local: number[] = [];
  const localValues: number[] = [];
  for (let user = 0; user < matrix.users.length; user++) {
    const row = matrix.row(user);
    local.length = 0;
    localValues.length = 0;
    for (let at = 0; at < row.indices.length; at++) {
      const index = position[row.indices[at] ?? 0] ?? -1;
      if (index >= 0) {
        local.push(index);
        localValues.push(row.values[at] ?? 0);
      }
    }
    for (let a = 0; a < local.length; a++) {
      const base = (local[a] ?? 0) * size;
      const value = localValues[a] ?? 0;
      for (let b = 0; b < local.length; b++) {
        const cell = base + (local[b] ?? 0);
        gram[cell] = (gram[cell] ?? 0) + value * (localValues[b] ?? 0);
      }
    }
  }
  for (let item = 0; item < size; item++)
    gram[item * size + item] = (gram[item * size + item] ?? 0) + options.lambda;

  invertSymmetricInPlace(gram, size);
  // B = I − P / diag(P) (column-wise), diagonal zero.
  const diagonal = new Float64Array(size);
  for (let item = 0; item < size; item++) diagonal[item] = gram[item * size + item] ?? 1;
  for (let row = 0; row < size; row++) {
    const base = row * size;
    for (let column = 0; column < size; column++)
      gram[base + column] = row === column ? 0 : -(gram[base + column] ?? 0) / (diagonal[column] ?? 1);
  }
  return { items: Int32Array.from(order), position, weights: gram };
}

/**
 * Gauss–Jordan inversion without pivoting, safe for the symmetric positive-definite XᵀX + λI.
 * Exploits nothing clever: N³ multiply-adds over one contiguous Float64Array.
 */
export function invertSymmetricInPlace(matrix: Float64Array, size: number): void {
  for (let pivot = 0; pivot < size; pivot++) {
    const pivotBase = pivot * size;
    const inverse = 1 / (matrix[pivotBase + pivot] ?? 1);
    matrix[pivotBase + pivot] = 1;
    for (let column = 0; column < size; column++)
      matrix[pivotBase + column] = (matrix[pivotBase + column] ?? 0) * inverse;
    for (let row = 0; row < size; row++) {
      if (row === pivot) continue;
      const base = row * size;
      const factor = matrix[base + pivot] ?? 0;
      if (factor === 0) continue;
      matrix[base + pivot] = 0;
      for (let column = 0; column < size; column++)
        matrix[base + column] = (matrix[base + column] ?? 0) - factor * (matrix[pivotBase + column] ?? 0);
    }
  }
}

/** A profile's EASE score for every matrix item (0 outside the EASE items). */
export function scoreWithEase(
  model: EaseModel,
  itemCount: number,
  history: readonly { item: number; weight: number }[],
): Float32Array {
  const size = model.items.length;
  const local = new Float64Array(size);
  for (const { item, weight } of history) {
    const index = item >= 0 && item < model.position.length ? (model.position[item] ?? -1) : -1;
    if (index < 0 || weight === 0) continue;
    const base = index * size;
    for (let column = 0; column < size; column++)
      local[column] = (local[column] ?? 0) + weight * (model.weights[base + column] ?? 0);
  }
  const scores = new Float32Array(itemCount);
  for (let column = 0; column < size; column++) scores[model.items[column] ?? 0] = local[column] ?? 0;
  return scores;
}
