import { topK } from './interactions.ts';

/**
 * Content similarity: each title as a TF-IDF vector over its genres, its viewers' free-text tags,
 * its cast and crew, and the words of its name and synopsis, L2-normalised, so the cosine of two
 * titles is a dot product. Scored through an inverted index (term → titles), never a dense
 * title × title matrix. Works for a title nobody has watched yet.
 */
export interface ContentFeatures {
  genres: readonly string[];
  tags?: readonly string[];
  people?: readonly string[];
  /** Name and synopsis. */
  text?: readonly string[];
}

/** How much a term of each field counts before IDF. */
export const FIELD_WEIGHTS = Object.freeze({ genre: 2, tag: 1.5, person: 1.5, word: 1 });

const STOP_WORDS = new Set(
  'a an and the of in on at to for from with by is it its or as be this that la le les de des du el los las der die das'.split(
    ' ',
  ),
);

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1 && !STOP_WORDS.has(word) && !/^\d+$/.test(word));
}

function terms(features: ContentFeatures): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (term: string, weight: number) => counts.set(term, (counts.get(term) ?? 0) + weight);
  for (const genre of features.genres) add(`g:${genre.toLowerCase()}`, FIELD_WEIGHTS.genre);
  for (const tag of features.tags ?? []) {
    const normalised = tag.trim().toLowerCase();
    if (normalised) add(`t:${normalised}`, FIELD_WEIGHTS.tag);
  }
  for (const person of features.people ?? []) add(`p:${person.toLowerCase()}`, FIELD_WEIGHTS.person);
  for (const text of features.text ?? [])
    for (const word of words(text)) add(`w:${word}`, FIELD_WEIGHTS.word);
  return counts;
}

export class ContentIndex {
  readonly itemCount: number;
  /** term → (item, weight) postings. */
  readonly #postings = new Map<string, { items: number[]; weights: number[] }>();
  /** item → its (term, weight) vector. */
  readonly #vectors: { term: string; weight: number }[][];

  constructor(features: readonly ContentFeatures[]) {
    this.itemCount = features.length;
    const itemTerms = features.map(terms);
    const documentFrequency = new Map<string, number>();
    for (const counts of itemTerms)
      for (const term of counts.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    this.#vectors = itemTerms.map((counts) => {
      const vector = [...counts].map(([term, count]) => ({
        term,
        // Sub-linear tf: a tag given by ten viewers is stronger than by one, not ten times.
        weight: (1 + Math.log(count)) * Math.log(1 + features.length / (documentFrequency.get(term) ?? 1)),
      }));
      const norm = Math.hypot(...vector.map((entry) => entry.weight)) || 1;
      for (const entry of vector) entry.weight /= norm;
      return vector;
    });
    for (const [item, vector] of this.#vectors.entries())
      for (const { term, weight } of vector) {
        let posting = this.#postings.get(term);
        if (!posting) this.#postings.set(term, (posting = { items: [], weights: [] }));
        posting.items.push(item);
        posting.weights.push(weight);
      }
  }

  /** Cosine similarity of every item to a weighted sum of items (a profile's taste, or one title). */
  score(history: readonly { item: number; weight: number }[]): Float32Array {
    const profile = new Map<string, number>();
    for (const { item, weight } of history)
      for (const entry of this.#vectors[item] ?? [])
        profile.set(entry.term, (profile.get(entry.term) ?? 0) + weight * entry.weight);
    const scores = new Float32Array(this.itemCount);
    for (const [term, weight] of profile) {
      const posting = this.#postings.get(term);
      if (!posting) continue;
      for (let at = 0; at < posting.items.length; at++) {
        const item = posting.items[at] ?? 0;
        scores[item] = (scores[item] ?? 0) + weight * (posting.weights[at] ?? 0);
      }
    }
    return scores;
  }

  /** The `k` titles most like one title, strongest first. */
  similar(item: number, k: number): { item: number; score: number }[] {
    const scores = this.score([{ item, weight: 1 }]);
    return topK(scores, k, new Set([item])).map((index) => ({ item: index, score: scores[index] ?? 0 }));
  }
}
