import { LRUCache } from 'lru-cache';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { PublishRecommendationEvent, RecommendationEvent } from './recommendations.events.ts';
import type { Logger } from '../../platform/logger.ts';
import { TitleNotFound, type CatalogFacts, type TitleFacts } from '../catalog/index.ts';
import type { RecommendationViewer } from './title-directory.ts';
import type { EngagementEvent } from '../engagement/index.ts';
import {
  decay,
  DEFAULT_SIGNAL_WEIGHTS,
  signalWeight,
  type Signal,
  type SignalWeights,
} from './interactions.ts';
import type { RecommendationsRepository, SignalKind, SignalRow } from './recommendations.repository.ts';
import {
  computeSubjectRows,
  type HistoryEntry,
  type RowKind,
  type StoredRow,
  type SubjectRows,
} from './rows.ts';
import { RuleNotFound } from './recommendations.errors.ts';
import type { RecommendationRules, RuleRow } from './rules.ts';
import type { TitleDirectory } from './title-directory.ts';

/** Who recommendations are for: a profile id, or the account itself when it has no profiles. */
export const subjectOf = (userId: string, profileId: string | null): string =>
  profileId ?? `account:${userId}`;

/** Titles a row shows (stored rows keep more, for what filtering removes). */
export const SERVED_ROW_LENGTH = 20;
const ROWS_CACHE_MS = 60_000;
const rowsKey = (subject: string) => `recs:rows:${subject}`;
/**
 * How long one viewer's filtered rows are reused while none of their inputs changed. Bounded
 * because the filter reads the clock (availability windows): a window that opens or closes shows
 * within this long.
 */
const SERVED_MEMO_MS = 5_000;
const SERVED_MEMO_ENTRIES = 20_000;
export const POPULAR_SUBJECT = '@popular';
export const TRENDING_SUBJECT = '@trending';
/** The shared trending rows of one region (ISO 3166 alpha-2). */
export const trendingSubject = (country: string) => `${TRENDING_SUBJECT}:${country}`;

export interface ServedRow {
  kind: RowKind;
  title: string;
  key: string | null;
  items: { titleId: string; name: string; reason: string }[];
}

/** One profile's stored signals and ratings, as the models read them. */
export interface SubjectHistory {
  entries: HistoryEntry[];
  finished: Set<string>;
  notInterested: Set<string>;
}

/**
 * Serving: a profile's precomputed rows from the cache (else its stored row, else the shared
 * popular rows for a profile with no history yet), filtered at read time by what this viewer may
 * see (the catalog's rule), what the profile finished or refused, and admins' rules. Refreshes
 * one profile's rows after its own engagement events.
 */
export class RecommendationsService {
  readonly #repository: RecommendationsRepository;
  readonly #directory: TitleDirectory;
  readonly #facts: CatalogFacts;
  readonly #rules: RecommendationRules;
  readonly #cache: Cache;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #weights: SignalWeights;
  readonly #publish: PublishRecommendationEvent;
  #refreshing: Promise<void> = Promise.resolve();
  readonly #pendingPlays = new Map<string, SignalRow>();
  /** The memory cache hands out the same frozen rows until they change: build each one's set once. */
  readonly #excludedSets = new WeakMap<SubjectRows, ReadonlySet<string>>();
  /**
   * Each viewer's last filtered rows, with the inputs they were built from (compared by identity:
   * the memory cache, the directory and the rules hand out the same objects until they change, so
   * a refresh, a retraining, a catalog change or a rule change builds them anew). The answer is
   * frozen, so the route can serialise it once.
   */
  readonly #served = new LRUCache<string, ServedMemo>({ max: SERVED_MEMO_ENTRIES, ttl: SERVED_MEMO_MS });

  constructor(options: {
    repository: RecommendationsRepository;
    directory: TitleDirectory;
    facts: CatalogFacts;
    rules: RecommendationRules;
    cache: Cache;
    clock: Clock;
    logger: Logger;
    weights?: SignalWeights;
    /** Tells listeners (analytics) of recorded impressions and clicks. */
    publish: PublishRecommendationEvent;
  }) {
    this.#publish = options.publish;
    this.#repository = options.repository;
    this.#directory = options.directory;
    this.#facts = options.facts;
    this.#rules = options.rules;
    this.#cache = options.cache;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#weights = options.weights ?? DEFAULT_SIGNAL_WEIGHTS;
  }

  async rowsFor(subject: string, viewer: RecommendationViewer): Promise<readonly ServedRow[]> {
    const inputs = await Promise.all([
      this.#stored(subject),
      this.#stored(POPULAR_SUBJECT),
      this.#trending(viewer.country),
      this.#directory.get(),
      this.#rules.get(),
    ] as const);
    const key = `${subject}|${viewer.maturityLimit ?? ''}|${viewer.country ?? ''}|${viewer.planTier ?? ''}`;
    const memo = this.#served.get(key);
    if (memo && memo.inputs.every((input, index) => input === inputs[index])) return memo.rows;
    const rows = Object.freeze(this.#filter(inputs, viewer));
    this.#served.set(key, { inputs, rows });
    return rows;
  }

  #filter(
    [own, popular, trending, directory, rules]: ServedInputs,
    viewer: RecommendationViewer,
  ): ServedRow[] {
    const excluded = this.#excludedSet(own);
    // A profile without history gets the shared rows: popular overall and per genre.
    const rows = [...(own?.rows ?? popular?.rows ?? [])];
    // Trending (and popular, for a profile with rows of its own) after the personal rows, before genres.
    const shared = [
      ...(trending?.rows ?? []),
      ...(own ? (popular?.rows ?? []).filter((row) => row.kind === 'popular') : []),
    ];
    const at = rows.findIndex((row) => row.kind === 'genre');
    rows.splice(at < 0 ? rows.length : at, 0, ...shared);
    const served: ServedRow[] = [];
    for (const row of rows) {
      const items: ServedRow['items'] = [];
      const seen = new Set<string>();
      const push = (titleId: string, reason: string) => {
        const title = directory.titles.get(titleId);
        if (items.length >= SERVED_ROW_LENGTH || seen.has(titleId) || excluded.has(titleId)) return;
        if (rules.excluded(titleId, row.kind) || !this.#directory.visible(title, viewer)) return;
        seen.add(titleId);
        items.push({ titleId, name: title.name, reason });
      };
      for (const titleId of rules.pinned(row.kind)) push(titleId, 'Featured');
      for (const item of row.items) push(item.titleId, item.reason);
      if (items.length > 0) served.push({ kind: row.kind, title: row.title, key: row.key ?? null, items });
    }
    return served;
  }

  /** Titles like this one: collaborative neighbours, then content (live, so a new title shows at once). */
  async similar(titleId: string, subject: string, viewer: RecommendationViewer): Promise<ServedRow['items']> {
    const [directory, rules, own] = await Promise.all([
      this.#directory.get(),
      this.#rules.get(),
      this.#stored(subject),
    ]);
    const title = directory.titles.get(titleId);
    if (!this.#directory.visible(title, viewer)) throw TitleNotFound();
    const stored = (await this.#repository.neighbours([titleId])).get(titleId);
    const at = directory.catalog.index.get(titleId) ?? -1;
    const content = directory.content.similar(at, SERVED_ROW_LENGTH * 2);
    const excluded = this.#excludedSet(own);
    const items: ServedRow['items'] = [];
    const seen = new Set<string>([titleId]);
    const candidates = [
      ...(stored?.collaborative ?? []).map((entry) => ({
        id: entry.titleId,
        reason: `Viewers of ${title.name} also watched it`,
      })),
      ...content.map((entry) => ({
        id: directory.catalog.entries[entry.item]?.id ?? '',
        reason: `Like ${title.name}`,
      })),
    ];
    for (const candidate of candidates) {
      const other = directory.titles.get(candidate.id);
      if (items.length >= SERVED_ROW_LENGTH || seen.has(candidate.id) || excluded.has(candidate.id)) continue;
      if (rules.excluded(candidate.id, 'similar') || !this.#directory.visible(other, viewer)) continue;
      seen.add(candidate.id);
      items.push({ titleId: candidate.id, name: other.name, reason: candidate.reason });
    }
    return items;
  }

  async notInterested(options: {
    subject: string;
    userId: string;
    titleId: string;
    viewer: RecommendationViewer;
  }): Promise<void> {
    const directory = await this.#directory.get();
    if (!this.#directory.visible(directory.titles.get(options.titleId), options.viewer))
      throw TitleNotFound();
    await this.#repository.addNotInterested({
      subject: options.subject,
      userId: options.userId,
      titleId: options.titleId,
      at: this.#clock.now(),
    });
    await this.refresh(options.subject);
  }

  async recordFeedback(options: {
    subject: string;
    userId: string;
    events: readonly { titleId: string; row: RowKind | 'similar'; kind: 'impression' | 'click' }[];
  }): Promise<number> {
    const directory = await this.#directory.get();
    const at = this.#clock.now();
    const known = options.events.filter((event) => directory.titles.has(event.titleId));
    await this.#repository.recordFeedback(
      known.map((event) => ({
        subject: options.subject,
        userId: options.userId,
        titleId: event.titleId,
        rowKind: event.row,
        kind: event.kind,
        at,
      })),
    );
    const counts = new Map<string, RecommendationEvent>();
    for (const event of known) {
      const type = event.kind === 'click' ? 'RecommendationsClicked' : 'RecommendationsImpressed';
      const key = `${type}|${event.row}`;
      const counted = counts.get(key) ?? {
        type,
        at: at.toISOString(),
        userId: options.userId,
        row: event.row,
        count: 0,
      };
      counted.count += 1;
      counts.set(key, counted);
    }
    for (const event of counts.values()) await this.#publish(event);
    return known.length;
  }

  /** Why each row holds a title for a subject: its reason, the history title behind it, the rules on it. */
  async why(subject: string, titleId: string) {
    const [own, directory, rules] = await Promise.all([
      this.#stored(subject),
      this.#directory.get(),
      this.#rules.get(),
    ]);
    if (!directory.titles.has(titleId)) throw TitleNotFound();
    const rows: StoredRow[] = own?.rows ?? (await this.#stored(POPULAR_SUBJECT))?.rows ?? [];
    return {
      subject,
      titleId,
      personalised: own !== undefined,
      excludedForProfile: own?.excluded.includes(titleId) ?? false,
      rules: rules.on(titleId),
      appearances: rows.flatMap((row) =>
        row.items
          .map((item, position) => ({ item, position }))
          .filter(({ item }) => item.titleId === titleId)
          .map(({ item, position }) => ({
            row: row.kind,
            rowTitle: row.title,
            position,
            score: item.score,
            reason: item.reason,
            becauseOf: item.becauseOf
              ? { titleId: item.becauseOf, name: directory.titles.get(item.becauseOf)?.name ?? '' }
              : null,
          })),
      ),
    };
  }

  /** An admin pins a title to a row kind or excludes it (a title that does not exist is a 404). */
  async setRule(rule: {
    titleId: string;
    row: RuleRow;
    action: 'pin' | 'exclude';
    by: string;
  }): Promise<void> {
    const directory = await this.#directory.get();
    if (!directory.titles.has(rule.titleId)) throw TitleNotFound();
    await this.#rules.set(rule);
  }

  async removeRule(rule: { titleId: string; row: RuleRow }): Promise<void> {
    if (!(await this.#rules.remove(rule))) throw RuleNotFound();
  }

  /** Impressions, clicks and their ratio per row kind over the last `days`. */
  async clickThrough(days: number) {
    const since = new Date(this.#clock.now().getTime() - days * 86_400_000);
    const rows = await this.#repository.clickThrough(since);
    return {
      since: since.toISOString(),
      rows: rows.map((row) => ({
        row: row.rowKind,
        impressions: row.impressions,
        clicks: row.clicks,
        clickThrough: row.impressions > 0 ? row.clicks / row.impressions : 0,
      })),
    };
  }

  /** Records an engagement event as a signal and refreshes the profile's rows (in order, one at a time). */
  async onEngagementEvent(event: EngagementEvent): Promise<void> {
    const subject = event.profileKey === 'account' ? subjectOf(event.userId, null) : event.profileKey;
    const at = new Date(event.at);
    const save = (kind: SignalKind, titleId: string, value: number, country: string | null = null) =>
      this.#repository.saveSignal({ subject, userId: event.userId, titleId, kind, value, at, country });
    switch (event.type) {
      case 'ProgressRecorded':
        // Progress arrives once per stream per flush: plays are batched, not written one by one.
        if (event.durationSeconds)
          this.#pendingPlays.set(`${subject}|${event.titleId}`, {
            subject,
            userId: event.userId,
            titleId: event.titleId,
            kind: 'play',
            value: Math.min(1, event.positionSeconds / event.durationSeconds),
            at,
            country: event.country,
          });
        return;
      case 'TitleFinished':
        await save('finish', event.titleId, 1, event.country);
        break;
      case 'TitleReacted':
        if (event.reaction === null)
          await this.#repository.deleteSignal({ subject, titleId: event.titleId, kind: 'thumb' });
        else await save('thumb', event.titleId, event.reaction === 'up' ? 1 : -1);
        break;
      case 'ListChanged':
        if (!event.titleId || event.change === 'reordered') return;
        if (event.change === 'added') await save('my_list', event.titleId, 1);
        else await this.#repository.deleteSignal({ subject, titleId: event.titleId, kind: 'my_list' });
        break;
      case 'TitleRated':
        break;
      case 'CommentPosted':
      case 'CommentHidden':
      case 'CommentRestored':
        return;
    }
    await this.refresh(subject);
  }

  /** Writes the plays waiting since the last call (every few seconds, and at shutdown). */
  async flushPlays(): Promise<void> {
    if (this.#pendingPlays.size === 0) return;
    const plays = [...this.#pendingPlays.values()];
    this.#pendingPlays.clear();
    for (let at = 0; at < plays.length; at += 1000)
      await this.#repository.saveSignals(plays.slice(at, at + 1000));
  }

  /** Recomputes one subject's rows from its history and its titles' stored neighbours. */
  refresh(subject: string): Promise<void> {
    const run = this.#refreshing.then(async () => {
      const [history, directory] = await Promise.all([this.history(subject), this.#directory.get()]);
      const neighbours = await this.#repository.neighbours(history.entries.map((entry) => entry.titleId));
      const rows = computeSubjectRows({
        catalog: directory.catalog,
        history: history.entries,
        excluded: new Set([...history.finished, ...history.notInterested]),
        neighbours: (titleId) => neighbours.get(titleId),
        popularity: directory.popularity,
      });
      await this.#repository.saveRows([{ subject, rows }], this.#clock.now());
      await this.#cache.delete(rowsKey(subject));
    });
    this.#refreshing = run.catch((error: unknown) =>
      this.#logger.warn({ err: error, subject }, 'could not refresh recommendations'),
    );
    return run;
  }

  /** A subject's history: its signals and (for a profile) its star ratings, weighted and decayed. */
  async history(subject: string): Promise<SubjectHistory> {
    const isProfile = !subject.startsWith('account:') && !subject.startsWith('@');
    const [signals, ratings, refused] = await Promise.all([
      this.#repository.signals(subject),
      isProfile ? this.#facts.ratings({ profileId: subject }) : Promise.resolve([]),
      this.#repository.notInterested(subject),
    ]);
    const now = this.#clock.now().getTime();
    const byTitle = new Map<string, HistoryEntry>();
    const add = (titleId: string, signal: Signal, at: Date) => {
      const weight =
        signalWeight(signal, this.#weights) * decay(now - at.getTime(), this.#weights.halfLifeDays);
      const entry = byTitle.get(titleId) ?? { titleId, weight: 0, at: 0 };
      entry.weight += weight;
      entry.at = Math.max(entry.at, at.getTime());
      byTitle.set(titleId, entry);
    };
    const finished = new Set<string>();
    for (const signal of signals) {
      add(signal.titleId, toSignal(signal.kind as SignalKind, signal.value), signal.at);
      if (signal.kind === 'finish') finished.add(signal.titleId);
    }
    for (const rating of ratings)
      add(rating.titleId, { kind: 'rating', stars: rating.score }, rating.ratedAt);
    return {
      entries: [...byTitle.values()],
      finished,
      notInterested: new Set(refused.map((row) => row.titleId)),
    };
  }

  #excludedSet(rows: SubjectRows | undefined): ReadonlySet<string> {
    if (!rows) return new Set();
    let set = this.#excludedSets.get(rows);
    if (!set) this.#excludedSets.set(rows, (set = new Set(rows.excluded)));
    return set;
  }

  /** The viewer's region's trending rows, else those from everywhere. */
  async #trending(country: string | null): Promise<SubjectRows | undefined> {
    const regional = country ? await this.#stored(trendingSubject(country)) : undefined;
    return regional ?? this.#stored(TRENDING_SUBJECT);
  }

  async #stored(subject: string): Promise<SubjectRows | undefined> {
    const hit = await this.#cache.get<SubjectRows | null>(rowsKey(subject));
    if (hit !== undefined) return hit ?? undefined;
    const rows = await this.#repository.findRows(subject);
    await this.#cache.set(rowsKey(subject), rows ?? null, ROWS_CACHE_MS);
    return rows;
  }
}

type ServedInputs = readonly [
  SubjectRows | undefined,
  SubjectRows | undefined,
  SubjectRows | undefined,
  Awaited<ReturnType<TitleDirectory['get']>>,
  Awaited<ReturnType<RecommendationRules['get']>>,
];

interface ServedMemo {
  inputs: ServedInputs;
  rows: readonly ServedRow[];
}

export function toSignal(kind: SignalKind, value: number): Signal {
  switch (kind) {
    case 'play':
      return { kind: 'play', completion: value };
    case 'finish':
      return { kind: 'finish' };
    case 'thumb':
      return { kind: 'thumb', up: value > 0 };
    case 'my_list':
      return { kind: 'myList' };
  }
}

export type { TitleFacts };
