import { blendScores, DEFAULT_BLEND_WEIGHTS, diversify, type BlendWeights, type ItemFacts } from './blend.ts';
import { franchiseKey } from './franchise.ts';
import { topK } from './interactions.ts';

/**
 * A profile's rows from its own history and the titles' stored neighbours: the same computation
 * for the nightly training (neighbours in memory) and for the refresh after one of the profile's
 * events (neighbours of its history read from the database). Pure.
 */

export type RowKind = 'top_picks' | 'because' | 'trending' | 'genre' | 'popular';

export interface RowItem {
  titleId: string;
  reason: string;
  /** The title of the profile's history that brought this one, if any ("why"). */
  becauseOf?: string;
  score: number;
}

export interface StoredRow {
  kind: RowKind;
  title: string;
  /** The genre of a genre row, the source title of a "because you watched" row. */
  key?: string;
  items: RowItem[];
}

export interface SubjectRows {
  rows: StoredRow[];
  /** Titles never to show this subject (its history, finished, "not interested"), applied to shared rows too. */
  excluded: string[];
}

export interface Neighbour {
  titleId: string;
  score: number;
}

export interface TitleNeighbours {
  collaborative: readonly Neighbour[];
  content: readonly Neighbour[];
}

export interface CatalogEntry {
  id: string;
  name: string;
  genres: readonly string[];
}

export interface HistoryEntry {
  titleId: string;
  weight: number;
  /** Milliseconds since the epoch of the latest signal. */
  at: number;
}

/** How many titles each stored row keeps: more than a screen shows, so filtering at read time leaves enough. */
export const STORED_ROW_LENGTH = 40;
const GENRE_ROWS = 3;
const BECAUSE_ROWS = 2;

export class CatalogIndex {
  readonly entries: readonly CatalogEntry[];
  readonly index: ReadonlyMap<string, number>;
  readonly facts: ItemFacts;
  /** Genre → the indices of its titles. */
  readonly byGenre: ReadonlyMap<string, readonly number[]>;

  constructor(entries: readonly CatalogEntry[]) {
    this.entries = entries;
    this.index = new Map(entries.map((entry, at) => [entry.id, at]));
    const byGenre = new Map<string, number[]>();
    for (const [at, entry] of entries.entries())
      for (const genre of entry.genres) byGenre.set(genre, [...(byGenre.get(genre) ?? []), at]);
    this.byGenre = byGenre;
    const franchises = entries.map((entry) => franchiseKey(entry.name));
    this.facts = {
      franchise: (item) => franchises[item] ?? '',
      primaryGenre: (item) => entries[item]?.genres[0],
    };
  }

  nameOf(titleId: string): string {
    const at = this.index.get(titleId);
    return at === undefined ? 'a title' : (this.entries[at]?.name ?? 'a title');
  }
}

export function computeSubjectRows(options: {
  catalog: CatalogIndex;
  history: readonly HistoryEntry[];
  excluded: ReadonlySet<string>;
  neighbours: (titleId: string) => TitleNeighbours | undefined;
  popularity: Float32Array;
  weights?: BlendWeights;
}): SubjectRows {
  const { catalog } = options;
  const size = catalog.entries.length;
  const exclude = new Set<number>();
  for (const titleId of options.excluded) {
    const at = catalog.index.get(titleId);
    if (at !== undefined) exclude.add(at);
  }
  for (const entry of options.history) {
    const at = catalog.index.get(entry.titleId);
    if (at !== undefined) exclude.add(at);
  }
  const collaborative = new Float32Array(size);
  const content = new Float32Array(size);
  const bestContribution = new Float32Array(size);
  const bestSource = new Int32Array(size).fill(-1);
  for (const entry of options.history) {
    const source = catalog.index.get(entry.titleId);
    const lists = options.neighbours(entry.titleId);
    if (source === undefined || !lists || entry.weight <= 0) continue;
    const add = (list: readonly Neighbour[], into: Float32Array) => {
      for (const neighbour of list) {
        const target = catalog.index.get(neighbour.titleId);
        if (target === undefined) continue;
        const contribution = entry.weight * neighbour.score;
        into[target] = (into[target] ?? 0) + contribution;
        if (contribution > (bestContribution[target] ?? 0)) {
          bestContribution[target] = contribution;
          bestSource[target] = source;
        }
      }
    };
    add(lists.collaborative, collaborative);
    add(lists.content, content);
  }
  const weights = options.weights ?? DEFAULT_BLEND_WEIGHTS;
  const blended = blendScores(
    { ease: collaborative, content, popularity: options.popularity },
    { ...weights, ease: weights.ease + weights.neighbours, neighbours: 0 },
  );
  const itemOf = (item: number, fallback: string): RowItem => {
    const source = bestSource[item] ?? -1;
    const sourceId = source >= 0 ? catalog.entries[source]?.id : undefined;
    return {
      titleId: catalog.entries[item]?.id ?? '',
      reason: sourceId ? `Because you watched ${catalog.nameOf(sourceId)}` : fallback,
      ...(sourceId && { becauseOf: sourceId }),
      score: round(blended[item] ?? 0),
    };
  };
  const rows: StoredRow[] = [];
  const top = diversify({ scores: blended, k: STORED_ROW_LENGTH, exclude, facts: catalog.facts });
  if (options.history.length > 0)
    rows.push({
      kind: 'top_picks',
      title: 'Top picks for you',
      items: top.map((item) => itemOf(item, 'Popular on Marquee')),
    });

  // "Because you watched X" for the profile's latest strongest titles.
  const sources = [...options.history]
    .filter((entry) => entry.weight > 0 && options.neighbours(entry.titleId))
    .sort((a, b) => b.at - a.at || b.weight - a.weight)
    .slice(0, BECAUSE_ROWS);
  for (const source of sources) {
    const lists = options.neighbours(source.titleId) as TitleNeighbours;
    const seen = new Set<string>();
    const items: RowItem[] = [];
    for (const neighbour of [...lists.collaborative, ...lists.content]) {
      const at = catalog.index.get(neighbour.titleId);
      if (at === undefined || exclude.has(at) || seen.has(neighbour.titleId)) continue;
      seen.add(neighbour.titleId);
      items.push({
        titleId: neighbour.titleId,
        reason: `Because you watched ${catalog.nameOf(source.titleId)}`,
        becauseOf: source.titleId,
        score: round(neighbour.score),
      });
    }
    if (items.length > 0)
      rows.push({
        kind: 'because',
        title: `Because you watched ${catalog.nameOf(source.titleId)}`,
        key: source.titleId,
        items: items.slice(0, STORED_ROW_LENGTH),
      });
  }

  // Genre rows: the profile's favourite genres (or the catalog's biggest), ranked for it.
  for (const genre of favouriteGenres(catalog, options.history, options.popularity)) {
    const inGenre = new Float32Array(size);
    for (const item of catalog.byGenre.get(genre) ?? []) inGenre[item] = blended[item] ?? 0;
    const picked = topK(inGenre, STORED_ROW_LENGTH, exclude);
    if (picked.length > 0)
      rows.push({
        kind: 'genre',
        title: options.history.length > 0 ? `${genre} for you` : `Popular in ${genre}`,
        key: genre,
        items: picked.map((item) => itemOf(item, `Popular in ${genre}`)),
      });
  }
  // Shared rows (popular, trending) are filtered by this at read time: nothing the profile has seen.
  return {
    rows,
    excluded: [...new Set([...options.excluded, ...options.history.map((entry) => entry.titleId)])],
  };
}

function favouriteGenres(
  catalog: CatalogIndex,
  history: readonly HistoryEntry[],
  popularity: Float32Array,
): string[] {
  const weights = new Map<string, number>();
  if (history.length > 0) {
    for (const entry of history) {
      const at = catalog.index.get(entry.titleId);
      for (const genre of at === undefined ? [] : (catalog.entries[at]?.genres ?? []))
        weights.set(genre, (weights.get(genre) ?? 0) + Math.max(0, entry.weight));
    }
  } else {
    for (const [item, entry] of catalog.entries.entries())
      for (const genre of entry.genres)
        weights.set(genre, (weights.get(genre) ?? 0) + (popularity[item] ?? 0) + 1);
  }
  return [...weights]
    .filter(([, weight]) => weight > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, GENRE_ROWS)
    .map(([genre]) => genre);
}

/** A shared row from a score per title (popular, trending), ranked and diversified. */
export function sharedRow(options: {
  catalog: CatalogIndex;
  scores: Float32Array;
  kind: RowKind;
  title: string;
  reason: string;
}): StoredRow {
  const picked = diversify({
    scores: options.scores,
    k: STORED_ROW_LENGTH * 2,
    exclude: new Set(),
    facts: options.catalog.facts,
  });
  return {
    kind: options.kind,
    title: options.title,
    items: picked.map((item) => ({
      titleId: options.catalog.entries[item]?.id ?? '',
      reason: options.reason,
      score: round(options.scores[item] ?? 0),
    })),
  };
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
