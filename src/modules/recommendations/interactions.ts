/**
 * Feedback of every kind as one sparse, weighted profile × title matrix (CSR over typed arrays),
 * the input of every model. Pure: no database, no clock (the caller passes "now").
 */

/** One thing a profile did with a title. */
export type Signal =
  | { kind: 'play'; completion: number }
  | { kind: 'abandon' }
  | { kind: 'finish' }
  | { kind: 'thumb'; up: boolean }
  | { kind: 'rating'; stars: number }
  | { kind: 'myList' }
  | { kind: 'notInterested' };

export interface Interaction {
  user: string;
  item: string;
  signal: Signal;
  /** Milliseconds since the epoch. */
  at: number;
}

/**
 * How much each signal says about taste. A positive sum makes a cell; a sum at or below zero
 * (a thumbs down, a low rating, "not interested") leaves the title out of the profile's taste —
 * the blender excludes "not interested" and finished titles separately.
 */
export interface SignalWeights {
  /** Starting a title, times (0.5 + completion ratio). */
  play: number;
  finish: number;
  abandon: number;
  thumbUp: number;
  thumbDown: number;
  /** Per star above `ratingNeutral` (negative below it). */
  ratingPerStar: number;
  ratingNeutral: number;
  /** Any rating at all says the profile watched it. */
  ratingBase: number;
  myList: number;
  notInterested: number;
  /** Days after which a signal counts half; 0 disables decay. */
  halfLifeDays: number;
}

export const DEFAULT_SIGNAL_WEIGHTS: SignalWeights = Object.freeze({
  play: 1,
  finish: 2,
  abandon: -1,
  thumbUp: 3,
  thumbDown: -4,
  ratingPerStar: 0.5,
  ratingNeutral: 2.5,
  ratingBase: 1,
  myList: 1.5,
  notInterested: -10,
  halfLifeDays: 365,
});

export function signalWeight(signal: Signal, weights: SignalWeights): number {
  switch (signal.kind) {
    case 'play':
      return weights.play * (0.5 + Math.min(1, Math.max(0, signal.completion)));
    case 'abandon':
      return weights.abandon;
    case 'finish':
      return weights.finish;
    case 'thumb':
      return signal.up ? weights.thumbUp : weights.thumbDown;
    case 'rating':
      return weights.ratingBase + weights.ratingPerStar * (signal.stars - weights.ratingNeutral);
    case 'myList':
      return weights.myList;
    case 'notInterested':
      return weights.notInterested;
  }
}

const DAY_MS = 86_400_000;

/** 0.5^(age / half-life): a year-old rating counts half with the default. */
export function decay(ageMs: number, halfLifeDays: number): number {
  if (halfLifeDays <= 0 || ageMs <= 0) return 1;
  return 0.5 ** (ageMs / (halfLifeDays * DAY_MS));
}

/** Compressed sparse rows: row r's columns are `indices[indptr[r] .. indptr[r+1])`. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

export class InteractionMatrix {
  readonly users: readonly string[];
  readonly items: readonly string[];
  readonly userIndex: ReadonlyMap<string, number>;
  readonly itemIndex: ReadonlyMap<string, number>;
  /** Users × items. */
  readonly byUser: Csr;
  /** Items × users (the transpose). */
  readonly byItem: Csr;

  constructor(options: { users: readonly string[]; items: readonly string[]; byUser: Csr }) {
    this.users = options.users;
    this.items = options.items;
    this.userIndex = new Map(options.users.map((id, index) => [id, index]));
    this.itemIndex = new Map(options.items.map((id, index) => [id, index]));
    this.byUser = options.byUser;
    this.byItem = transpose(options.byUser);
  }

  /** The item indices of a user's row, with their weights. */
  row(user: number): { indices: Int32Array; values: Float32Array } {
    const start = this.byUser.indptr[user] ?? 0;
    const end = this.byUser.indptr[user + 1] ?? 0;
    return {
      indices: this.byUser.indices.subarray(start, end),
      values: this.byUser.values.subarray(start, end),
    };
  }

  /** How many users have each item. */
  itemDegrees(): Float32Array {
    const degrees = new Float32Array(this.items.length);
    for (let item = 0; item < this.items.length; item++)
      degrees[item] = (this.byItem.indptr[item + 1] ?? 0) - (this.byItem.indptr[item] ?? 0);
    return degrees;
  }
}

/**
 * Sums every interaction's decayed weight per (user, item) and keeps the positive cells.
 * `items` fixes the column order (so a model's columns match the catalog's); interactions on
 * other items are ignored. Users come in first-seen order.
 */
export function buildInteractionMatrix(options: {
  interactions: Iterable<Interaction>;
  items: readonly string[];
  weights?: SignalWeights;
  /** Decay is measured back from here: one instant, or per user (e.g. each user's latest activity). */
  now: number | ((user: string) => number);
}): InteractionMatrix {
  const weights = options.weights ?? DEFAULT_SIGNAL_WEIGHTS;
  const itemIndex = new Map(options.items.map((id, index) => [id, index]));
  const userIndex = new Map<string, number>();
  const cells: Map<number, number>[] = [];
  for (const interaction of options.interactions) {
    const item = itemIndex.get(interaction.item);
    if (item === undefined) continue;
    let user = userIndex.get(interaction.user);
    if (user === undefined) {
      user = userIndex.size;
      userIndex.set(interaction.user, user);
      cells.push(new Map());
    }
    const row = cells[user] as Map<number, number>;
    const now = typeof options.now === 'number' ? options.now : options.now(interaction.user);
    const weight =
      signalWeight(interaction.signal, weights) * decay(now - interaction.at, weights.halfLifeDays);
    row.set(item, (row.get(item) ?? 0) + weight);
  }
  const indptr = new Int32Array(cells.length + 1);
  let nonZero = 0;
  for (const [user, row] of cells.entries()) {
    for (const weight of row.values()) if (weight > 0) nonZero++;
    indptr[user + 1] = nonZero;
  }
  const indices = new Int32Array(nonZero);
  const values = new Float32Array(nonZero);
  let at = 0;
  for (const row of cells) {
    const sorted = [...row.entries()].filter(([, weight]) => weight > 0).sort((a, b) => a[0] - b[0]);
    for (const [item, weight] of sorted) {
      indices[at] = item;
      values[at++] = weight;
    }
  }
  return new InteractionMatrix({
    users: [...userIndex.keys()],
    items: options.items,
    byUser: { rows: cells.length, cols: options.items.length, indptr, indices, values },
  });
}

export function transpose(matrix: Csr): Csr {
  const counts = new Int32Array(matrix.cols + 1);
  for (const column of matrix.indices) counts[column + 1] = (counts[column + 1] ?? 0) + 1;
  for (let column = 0; column < matrix.cols; column++)
    counts[column + 1] = (counts[column + 1] ?? 0) + (counts[column] ?? 0);
  const indptr = counts.slice();
  const next = counts.slice(0, matrix.cols);
  const indices = new Int32Array(matrix.indices.length);
  const values = new Float32Array(matrix.indices.length);
  for (let row = 0; row < matrix.rows; row++) {
    for (let at = matrix.indptr[row] ?? 0; at < (matrix.indptr[row + 1] ?? 0); at++) {
      const column = matrix.indices[at] ?? 0;
      const slot = next[column] ?? 0;
      next[column] = slot + 1;
      indices[slot] = row;
      values[slot] = matrix.values[at] ?? 0;
    }
  }
  return { rows: matrix.cols, cols: matrix.rows, indptr, indices, values };
}

/** The k highest-scoring indices of `scores` (descending, ties by index), skipping `exclude` and non-positive scores. */
export function topK(
  scores: Float32Array | Float64Array,
  k: number,
  exclude?: ReadonlySet<number>,
): number[] {
  if (k <= 0) return [];
  // A min-heap of the best k so far: O(n log k), one pass, no allocation per candidate.
  const heap = new Int32Array(k);
  let size = 0;
  const worse = (a: number, b: number) => {
    const difference = (scores[a] ?? 0) - (scores[b] ?? 0);
    return difference < 0 || (difference === 0 && a > b);
  };
  const siftDown = (from: number) => {
    let at = from;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let smallest = at;
      if (left < size && worse(heap[left] ?? 0, heap[smallest] ?? 0)) smallest = left;
      if (right < size && worse(heap[right] ?? 0, heap[smallest] ?? 0)) smallest = right;
      if (smallest === at) return;
      const swap = heap[at] ?? 0;
      heap[at] = heap[smallest] ?? 0;
      heap[smallest] = swap;
      at = smallest;
    }
  };
  // The heap's weakest score: most candidates are rejected by this one comparison.
  let floor = 0;
  for (let index = 0; index < scores.length; index++) {
    const score = scores[index] ?? 0;
    if (score <= 0 || (size === k && score < floor) || exclude?.has(index)) continue;
    if (size < k) {
      let at = size++;
      heap[at] = index;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(heap[at] ?? 0, heap[parent] ?? 0)) break;
        const swap = heap[at] ?? 0;
        heap[at] = heap[parent] ?? 0;
        heap[parent] = swap;
        at = parent;
      }
      if (size === k) floor = scores[heap[0] ?? 0] ?? 0;
    } else if (worse(heap[0] ?? 0, index)) {
      heap[0] = index;
      siftDown(0);
      floor = scores[heap[0] ?? 0] ?? 0;
    }
  }
  return Array.from(heap.subarray(0, size)).sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}
