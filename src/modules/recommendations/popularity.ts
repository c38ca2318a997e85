import { decay } from './interactions.ts';

/**
 * Popularity: how many distinct profiles interacted with each item (their positive weight
 * counts once per profile), and trending: the same with a short half-life, so last week's plays
 * outweigh last year's. Pure: events and "now" come in.
 */
export function popularity(matrixLike: {
  items: readonly string[];
  itemDegrees(): Float32Array;
}): Float32Array {
  return matrixLike.itemDegrees();
}

export interface RecentPlay {
  item: number;
  /** Milliseconds since the epoch. */
  at: number;
}

export function trending(options: {
  plays: Iterable<RecentPlay>;
  itemCount: number;
  now: number;
  halfLifeDays: number;
}): Float32Array {
  const scores = new Float32Array(options.itemCount);
  for (const play of options.plays) {
    if (play.item < 0 || play.item >= options.itemCount || play.at > options.now) continue;
    scores[play.item] = (scores[play.item] ?? 0) + decay(options.now - play.at, options.halfLifeDays);
  }
  return scores;
}
