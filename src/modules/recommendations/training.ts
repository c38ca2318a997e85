import { ContentIndex, type ContentFeatures } from './content.ts';
import { DEFAULT_EASE, trainEase, type EaseOptions } from './ease.ts';
import { buildInteractionMatrix, topK, type Interaction, type SignalWeights } from './interactions.ts';
import { popularity } from './popularity.ts';
import { DEFAULT_RP3BETA, neighboursOf, trainRp3beta, type Rp3betaOptions } from './rp3beta.ts';
import type { Neighbour, TitleNeighbours } from './rows.ts';

/** How many neighbours of each title are stored, per source. */
export const STORED_NEIGHBOURS = 50;

export interface TrainedModels {
  /** Title id → its stored neighbours. */
  neighbours: Map<string, TitleNeighbours>;
  /** Per title (catalog order): how many profiles interacted with it. */
  popularity: Float32Array;
  /** How much of the catalog each step took, in seconds. */
  seconds: { matrix: number; ease: number; rp3beta: number; content: number };
}

/**
 * Trains every model on the whole history and keeps, for each title, its strongest neighbours:
 * collaborative (EASE's item weights, where EASE covers the title, blended with RP3beta's, both
 * scaled to [0, 1] per title) and content (TF-IDF cosine). Pure: data and "now" come in.
 */
export function trainModels(options: {
  titles: readonly (ContentFeatures & { id: string })[];
  interactions: Iterable<Interaction>;
  now: number;
  weights?: SignalWeights;
  ease?: EaseOptions;
  rp3beta?: Rp3betaOptions;
  /** RP3beta's share beside EASE's in the collaborative neighbours. */
  rp3betaShare?: number;
  onStep?: (step: string) => void;
}): TrainedModels {
  const ids = options.titles.map((title) => title.id);
  const clock = () => performance.now();
  let started = clock();
  const lap = () => {
    const seconds = (clock() - started) / 1000;
    started = clock();
    return seconds;
  };
  const matrix = buildInteractionMatrix({
    interactions: options.interactions,
    items: ids,
    now: options.now,
    ...(options.weights && { weights: options.weights }),
  });
  const matrixSeconds = lap();
  options.onStep?.('ease');
  const ease = trainEase(matrix, options.ease ?? DEFAULT_EASE);
  const easeSeconds = lap();
  options.onStep?.('rp3beta');
  const rp3 = trainRp3beta(matrix, options.rp3beta ?? DEFAULT_RP3BETA);
  const rp3Seconds = lap();
  options.onStep?.('content');
  const content = new ContentIndex(options.titles);
  const share = options.rp3betaShare ?? 0.2;
  const neighbours = new Map<string, TitleNeighbours>();
  const size = ease.items.length;
  const scores = new Float32Array(ids.length);
  for (const [item, id] of ids.entries()) {
    scores.fill(0);
    const position = ease.position[item] ?? -1;
    if (position >= 0) {
      let max = 0;
      for (let column = 0; column < size; column++)
        max = Math.max(max, ease.weights[position * size + column] ?? 0);
      for (let column = 0; column < size; column++) {
        const weight = ease.weights[position * size + column] ?? 0;
        if (weight > 0 && max > 0) scores[ease.items[column] ?? 0] = weight / max;
      }
    }
    const walk = neighboursOf(rp3, item, STORED_NEIGHBOURS * 2);
    const walkMax = walk[0]?.score ?? 0;
    for (const { item: target, score } of walk)
      if (walkMax > 0) scores[target] = (scores[target] ?? 0) + (share * score) / walkMax;
    const collaborative: Neighbour[] = topK(scores, STORED_NEIGHBOURS, new Set([item])).map((target) => ({
      titleId: ids[target] ?? '',
      score: Math.round((scores[target] ?? 0) * 10_000) / 10_000,
    }));
    const similar: Neighbour[] = content.similar(item, STORED_NEIGHBOURS).map((entry) => ({
      titleId: ids[entry.item] ?? '',
      score: Math.round(entry.score * 10_000) / 10_000,
    }));
    neighbours.set(id, { collaborative, content: similar });
  }
  return {
    neighbours,
    popularity: popularity(matrix),
    seconds: { matrix: matrixSeconds, ease: easeSeconds, rp3beta: rp3Seconds, content: lap() },
  };
}
