import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { CatalogFacts } from '../catalog/index.ts';
import {
  decay,
  DEFAULT_SIGNAL_WEIGHTS,
  signalWeight,
  type Interaction,
  type SignalWeights,
} from './interactions.ts';
import { trending } from './popularity.ts';
import type { RecommendationsRepository, SignalKind } from './recommendations.repository.ts';
import { toSignal } from './recommendations.service.ts';
import type { ServingVersions } from './serving-versions.ts';
import { POPULAR_SUBJECT, TRENDING_SUBJECT, trendingSubject } from './stored-rows.ts';
import { computeSubjectRows, sharedRow, type HistoryEntry, type SubjectRows } from './rows.ts';
import type { TitleDirectory } from './title-directory.ts';
import { trainModels } from './training.ts';

const BATCH = 500;
const DAY_MS = 86_400_000;
/** Trending counts plays and ratings of the last two weeks, a play three days old counting half. */
const TRENDING_WINDOW_DAYS = 14;
const TRENDING_HALF_LIFE_DAYS = 3;
/** Plays from one region within the window before it gets a trending row of its own. */
const REGION_MIN_PLAYS = 5;
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const regionName = (country: string): string => {
  try {
    return regionNames.of(country) ?? country;
  } catch {
    return country;
  }
};

export interface TrainingReport {
  titles: number;
  subjects: number;
  interactions: number;
  seconds: number;
}

/**
 * The scheduled full training (job `recommendations.train`): every model on every profile's
 * history, each title's neighbours stored, the shared popular and trending rows, and every
 * profile's rows recomputed. Idempotent: a rerun overwrites the same rows.
 */
export class RecommendationsTrainer {
  readonly #repository: RecommendationsRepository;
  readonly #directory: TitleDirectory;
  readonly #facts: CatalogFacts;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #weights: SignalWeights;
  readonly #versions: ServingVersions;

  constructor(options: {
    repository: RecommendationsRepository;
    directory: TitleDirectory;
    facts: CatalogFacts;
    clock: Clock;
    logger: Logger;
    weights?: SignalWeights;
    /** Moved once every row is written, so every instance serves the new rows on its next read. */
    versions: ServingVersions;
  }) {
    this.#versions = options.versions;
    this.#repository = options.repository;
    this.#directory = options.directory;
    this.#facts = options.facts;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#weights = options.weights ?? DEFAULT_SIGNAL_WEIGHTS;
  }

  async train(signal?: AbortSignal): Promise<TrainingReport> {
    const started = this.#clock.now();
    const now = started.getTime();
    this.#directory.invalidate();
    const directory = await this.#directory.get();
    const [ratings, signals, refused, recent] = await Promise.all([
      this.#facts.ratings(),
      this.#repository.signals(),
      this.#repository.notInterested(),
      this.#repository.recentPlays(new Date(now - TRENDING_WINDOW_DAYS * DAY_MS)),
    ]);
    signal?.throwIfAborted();
    const interactions: Interaction[] = [
      ...ratings.map((rating) => ({
        user: rating.profileId,
        item: rating.titleId,
        signal: { kind: 'rating' as const, stars: rating.score },
        at: rating.ratedAt.getTime(),
      })),
      ...signals.map((row) => ({
        user: row.subject,
        item: row.titleId,
        signal: toSignal(row.kind as SignalKind, row.value),
        at: row.at.getTime(),
      })),
    ];
    const titles = directory.catalog.entries.map((entry) => {
      const facts = directory.titles.get(entry.id);
      return {
        id: entry.id,
        genres: entry.genres,
        tags: facts?.tags ?? [],
        people: facts?.people ?? [],
        text: [entry.name, facts?.synopsis ?? ''],
      };
    });
    const models = trainModels({ titles, interactions, now, weights: this.#weights });
    signal?.throwIfAborted();
    const neighbourEntries = [...models.neighbours];
    for (let at = 0; at < neighbourEntries.length; at += BATCH) {
      await this.#repository.saveNeighbours(neighbourEntries.slice(at, at + BATCH), started);
      signal?.throwIfAborted();
    }

    const { catalog } = directory;
    const popularRows = computeSubjectRows({
      catalog,
      history: [],
      excluded: new Set(),
      neighbours: () => undefined,
      popularity: models.popularity,
    });
    const popular: SubjectRows = {
      rows: [
        sharedRow({
          catalog,
          scores: models.popularity,
          kind: 'popular',
          title: 'Popular on Marquee',
          reason: 'Popular on Marquee',
        }),
        ...popularRows.rows,
      ],
      excluded: [],
    };
    const recentRatings = ratings.filter(
      (rating) => now - rating.ratedAt.getTime() <= TRENDING_WINDOW_DAYS * DAY_MS,
    );
    const trendingRow = (plays: ReadonlyArray<{ titleId: string; at: Date }>, title: string): SubjectRows => {
      const scores = trending({
        plays: plays.flatMap((play) => {
          const item = catalog.index.get(play.titleId);
          return item === undefined ? [] : [{ item, at: play.at.getTime() }];
        }),
        itemCount: catalog.entries.length,
        now,
        halfLifeDays: TRENDING_HALF_LIFE_DAYS,
      });
      return {
        rows: scores.some((score) => score > 0)
          ? [sharedRow({ catalog, scores, kind: 'trending', title, reason: title })]
          : [],
        excluded: [],
      };
    };
    // Everywhere: plays and recent ratings. Per region: the plays watched from there, for a region
    // with enough of them to say something (else its viewers get the rows from everywhere).
    const everywhere = trendingRow(
      [...recent, ...recentRatings.map((rating) => ({ titleId: rating.titleId, at: rating.ratedAt }))],
      'Trending now',
    );
    const byRegion = Map.groupBy(
      recent.filter((play) => play.country !== null),
      (play) => play.country as string,
    );
    const regional = [...byRegion]
      .filter(([, plays]) => plays.length >= REGION_MIN_PLAYS)
      .map(([country, plays]) => ({
        subject: trendingSubject(country),
        rows: trendingRow(plays, `Trending in ${regionName(country)}`),
      }));
    await this.#repository.saveRows(
      [
        { subject: POPULAR_SUBJECT, rows: popular },
        { subject: TRENDING_SUBJECT, rows: everywhere },
        ...regional,
      ],
      started,
    );
    // A region that no longer has enough recent plays falls back to the rows from everywhere.
    await this.#repository.deleteSharedRowsBefore(`${TRENDING_SUBJECT}:`, started);

    // Every subject's history, from the same interactions, weighted and decayed as the matrix was.
    const histories = new Map<string, { entries: Map<string, HistoryEntry>; excluded: Set<string> }>();
    const historyOf = (subject: string) => {
      let history = histories.get(subject);
      if (!history) histories.set(subject, (history = { entries: new Map(), excluded: new Set() }));
      return history;
    };
    for (const interaction of interactions) {
      const history = historyOf(interaction.user);
      const entry = history.entries.get(interaction.item) ?? { titleId: interaction.item, weight: 0, at: 0 };
      entry.weight +=
        signalWeight(interaction.signal, this.#weights) *
        decay(now - interaction.at, this.#weights.halfLifeDays);
      entry.at = Math.max(entry.at, interaction.at);
      history.entries.set(interaction.item, entry);
      if (interaction.signal.kind === 'finish') history.excluded.add(interaction.item);
    }
    for (const row of refused) historyOf(row.subject).excluded.add(row.titleId);
    let batch: { subject: string; rows: SubjectRows }[] = [];
    for (const [subject, history] of histories) {
      batch.push({
        subject,
        rows: computeSubjectRows({
          catalog,
          history: [...history.entries.values()],
          excluded: history.excluded,
          neighbours: (titleId) => models.neighbours.get(titleId),
          popularity: models.popularity,
        }),
      });
      if (batch.length >= BATCH) {
        await this.#repository.saveRows(batch, started);
        batch = [];
        signal?.throwIfAborted();
      }
    }
    await this.#repository.saveRows(batch, started);
    await this.#versions.bumpGlobal();
    const report = {
      titles: catalog.entries.length,
      subjects: histories.size,
      interactions: interactions.length,
      seconds: (this.#clock.now().getTime() - now) / 1000,
    };
    this.#logger.info({ ...report, models: models.seconds }, 'recommendations trained');
    return report;
  }
}
