import type { Clock } from '../../platform/clock.ts';
import { TitleNotFound } from '../catalog/index.ts';
import type { PublishRecommendationEvent, RecommendationEvent } from './recommendations.events.ts';
import { RuleNotFound } from './recommendations.errors.ts';
import type { RecommendationsRepository } from './recommendations.repository.ts';
import type { RowKind, StoredRow } from './rows.ts';
import type { RecommendationRules, RuleRow } from './rules.ts';
import type { ServingVersions } from './serving-versions.ts';
import { POPULAR_SUBJECT } from './stored-rows.ts';
import type { TitleDirectory } from './title-directory.ts';

/**
 * What controls and explains the rows rather than serves them: admins' pins and excludes, why a
 * profile was offered a title, and the online feedback loop (impressions and clicks, click-through
 * per row).
 */
export class RecommendationsAdminService {
  readonly #repository: RecommendationsRepository;
  readonly #directory: TitleDirectory;
  readonly #rules: RecommendationRules;
  readonly #versions: ServingVersions;
  readonly #clock: Clock;
  readonly #publish: PublishRecommendationEvent;

  constructor(options: {
    repository: RecommendationsRepository;
    directory: TitleDirectory;
    rules: RecommendationRules;
    versions: ServingVersions;
    clock: Clock;
    /** Tells listeners (analytics) of recorded impressions and clicks. */
    publish: PublishRecommendationEvent;
  }) {
    this.#repository = options.repository;
    this.#directory = options.directory;
    this.#rules = options.rules;
    this.#versions = options.versions;
    this.#clock = options.clock;
    this.#publish = options.publish;
  }

  /** Why each row holds a title for a subject: its reason, the history title behind it, the rules on it. */
  async why(subject: string, titleId: string) {
    // Read from the database: an admin's question is rare, and wants the rows as stored now.
    const [own, directory, rules] = await Promise.all([
      this.#repository.findRows(subject),
      this.#directory.get(),
      this.#rules.get(),
    ]);
    if (!directory.titles.has(titleId)) throw TitleNotFound();
    const rows: StoredRow[] = own?.rows ?? (await this.#repository.findRows(POPULAR_SUBJECT))?.rows ?? [];
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

  /**
   * An admin pins a title to a row kind or excludes it (a title that does not exist is a 404).
   * The global version moves, so every instance reloads the rules and serves them on its next read.
   */
  async setRule(rule: {
    titleId: string;
    row: RuleRow;
    action: 'pin' | 'exclude';
    by: string;
  }): Promise<void> {
    const directory = await this.#directory.get();
    if (!directory.titles.has(rule.titleId)) throw TitleNotFound();
    await this.#rules.set(rule);
    await this.#versions.bumpGlobal();
  }

  async removeRule(rule: { titleId: string; row: RuleRow }): Promise<void> {
    if (!(await this.#rules.remove(rule))) throw RuleNotFound();
    await this.#versions.bumpGlobal();
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

  /** Records impressions and clicks of recommended titles (unknown titles are skipped); returns how many. */
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
}
