import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import { TitleNotFound, type CatalogFacts, type TitleFacts } from '../catalog/index.ts';
import type { Viewer } from '../catalog/index.ts';
import type { EngagementEvent } from '../engagement/index.ts';
import {
  decay,
  DEFAULT_SIGNAL_WEIGHTS,
  signalWeight,
  type Signal,
  type SignalWeights,
} from './interactions.ts';
import type { RecommendationsRepository, SignalKind, SignalRow } from './recommendations.repository.ts';
import { computeSubjectRows, type HistoryEntry, type RowKind, type SubjectRows } from './rows.ts';
import type { RecommendationRules } from './rules.ts';
import type { ServingVersions } from './serving-versions.ts';
import type { StoredRows } from './stored-rows.ts';
import type { RecommendationViewer, TitleDirectory } from './title-directory.ts';
import { SweptLRUCache } from '../../shared/swept-lru.ts';

/** Who recommendations are for: a profile id, or the account itself when it has no profiles. */
export const subjectOf = (userId: string, profileId: string | null): string =>
  profileId ?? `account:${userId}`;

/** Titles a row shows (stored rows keep more, for what filtering removes). */
export const SERVED_ROW_LENGTH = 20;
/**
 * How long one viewer's filtered rows are reused while none of their inputs changed. Bounded
 * because the filter reads the clock (availability windows): a window that opens or closes shows
 * within this long.
 */
const SERVED_MEMO_MS = 5_000;
const SERVED_MEMO_ENTRIES = 10_000;

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

/** Whose rows, seen by whom: the plan's tier is asked for only when the rows are built anew. */
export interface RowsRequest {
  subject: string;
  userId: string;
  viewer: Viewer;
  planTier: () => Promise<number | undefined>;
}

/**
 * Serving: a profile's precomputed rows (else the shared popular rows for a profile with no
 * history yet), filtered at read time by what this viewer may see (the catalog's rule), what the
 * profile finished or refused, and admins' rules; and the signals that refresh one profile's
 * rows after its own engagement events.
 *
 * A request is one small read (the account's stamp, `ServingVersions`) and, while nothing changed,
 * the same frozen rows as before (the route keeps their serialised body). Everything a served
 * answer depends on is compared: the account's stamp (its profiles' events, its plan), the global
 * version (training, rules), the catalog (the directory's snapshot) and, through the memo's
 * lifetime, the clock.
 */
export class RecommendationsService {
  readonly #repository: RecommendationsRepository;
  readonly #directory: TitleDirectory;
  readonly #facts: CatalogFacts;
  readonly #rules: RecommendationRules;
  readonly #stored: StoredRows;
  readonly #versions: ServingVersions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #weights: SignalWeights;
  #refreshing: Promise<void> = Promise.resolve();
  readonly #pendingPlays = new Map<string, SignalRow>();
  /** Each viewer's last filtered rows and what they were built from; frozen, so the route serialises them once. */
  readonly #served = new SweptLRUCache<string, ServedMemo>({ max: SERVED_MEMO_ENTRIES, ttl: SERVED_MEMO_MS });

  constructor(options: {
    repository: RecommendationsRepository;
    directory: TitleDirectory;
    facts: CatalogFacts;
    rules: RecommendationRules;
    stored: StoredRows;
    versions: ServingVersions;
    clock: Clock;
    logger: Logger;
    weights?: SignalWeights;
  }) {
    this.#repository = options.repository;
    this.#directory = options.directory;
    this.#facts = options.facts;
    this.#rules = options.rules;
    this.#stored = options.stored;
    this.#versions = options.versions;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#weights = options.weights ?? DEFAULT_SIGNAL_WEIGHTS;
  }

  async rowsFor(request: RowsRequest): Promise<readonly ServedRow[]> {
    const { subject, userId, viewer } = request;
    const [account, global, directory] = await Promise.all([
      this.#versions.account(userId),
      this.#versions.global(),
      this.#directory.get(),
    ]);
    const rules = await this.#rules.get(global);
    const key = `${subject}|${viewer.maturityLimit ?? ''}|${viewer.country ?? ''}`;
    const memo = this.#served.get(key);
    if (
      memo?.account === account &&
      memo.global === global &&
      memo.directory === directory &&
      memo.rules === rules
    )
      return memo.rows;
    const planTier = await request.planTier();
    const [own, popular, trending] = await Promise.all([
      this.#stored.own(subject, { account, global }),
      this.#stored.popular(global),
      this.#stored.trending(viewer.country, global),
    ]);
    const rows = Object.freeze(
      this.#filter({
        own,
        popular,
        trending,
        directory,
        rules,
        viewer: { ...viewer, ...(planTier !== undefined && { planTier }) },
      }),
    );
    this.#served.set(key, { account, global, directory, rules, rows });
    return rows;
  }

  #filter(inputs: {
    own: SubjectRows | undefined;
    popular: SubjectRows | undefined;
    trending: SubjectRows | undefined;
    directory: Directory;
    rules: Rules;
    viewer: RecommendationViewer;
  }): ServedRow[] {
    const { own, popular, trending, directory, rules, viewer } = inputs;
    const excluded = this.#stored.excludedSet(own);
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
  async similar(options: {
    titleId: string;
    subject: string;
    userId: string;
    viewer: RecommendationViewer;
  }): Promise<ServedRow['items']> {
    const { titleId, viewer } = options;
    const [directory, global, own] = await Promise.all([
      this.#directory.get(),
      this.#versions.global(),
      this.#stored.ownNow(options.subject, options.userId),
    ]);
    const rules = await this.#rules.get(global);
    const title = directory.titles.get(titleId);
    if (!this.#directory.visible(title, viewer)) throw TitleNotFound();
    const stored = (await this.#repository.neighbours([titleId])).get(titleId);
    const at = directory.catalog.index.get(titleId) ?? -1;
    const content = directory.content.similar(at, SERVED_ROW_LENGTH * 2);
    const excluded = this.#stored.excludedSet(own);
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
    await this.refresh({ subject: options.subject, userId: options.userId });
  }

  /** The account's plan changed: its rows are filtered anew (titles above the plan's tier) on every instance. */
  async planChanged(userId: string): Promise<void> {
    await this.#versions.bumpAccount(userId);
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
    await this.refresh({ subject, userId: event.userId });
  }

  /** Writes the plays waiting since the last call (every few seconds, and at shutdown). */
  async flushPlays(): Promise<void> {
    if (this.#pendingPlays.size === 0) return;
    const plays = [...this.#pendingPlays.values()];
    this.#pendingPlays.clear();
    for (let at = 0; at < plays.length; at += 1000)
      await this.#repository.saveSignals(plays.slice(at, at + 1000));
  }

  /**
   * Recomputes one subject's rows from its history and its titles' stored neighbours, then moves
   * the account's stamp: every instance's next read of the account's rows reads the new ones.
   */
  refresh(options: { subject: string; userId: string }): Promise<void> {
    const { subject } = options;
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
      await this.#versions.bumpAccount(options.userId);
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
}

type Directory = Awaited<ReturnType<TitleDirectory['get']>>;
type Rules = Awaited<ReturnType<RecommendationRules['get']>>;

interface ServedMemo {
  account: number;
  global: number;
  directory: Directory;
  rules: Rules;
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
