import { AnalyticsRangeInvalid } from './analytics.errors.ts';
import { VIEWERS_SAMPLED } from './analytics.events.ts';
import type { CounterTotals, CountersRepository, Unit } from './counters.repository.ts';
import type { RollupsRepository } from './rollups.repository.ts';

const DAY_MS = 86_400_000;
const longestRangeDays: Record<Unit, number> = { hour: 31, day: 400, month: 3660 };

export interface FigureRange {
  group: Unit;
  from: Date;
  to: Date;
}

/** One row of a figure: flat, so it is a CSV line as well as a JSON object. */
export type FigureRow = Record<string, string | number | null>;

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const iso = (date: Date) => date.toISOString();

/** Sums of the counters of one bucket by a key, in the order the rows came. */
function byBucket<K extends string>(
  rows: readonly CounterTotals[],
  keyOf: (row: CounterTotals) => K,
): Map<string, Map<K, CounterTotals[]>> {
  const buckets = new Map<string, Map<K, CounterTotals[]>>();
  for (const row of rows) {
    const bucket = buckets.get(iso(row.bucket)) ?? new Map<K, CounterTotals[]>();
    const key = keyOf(row);
    bucket.set(key, [...(bucket.get(key) ?? []), row]);
    buckets.set(iso(row.bucket), bucket);
  }
  return buckets;
}

const sum = (
  rows: readonly CounterTotals[] | undefined,
  type: string,
  field: keyof CounterTotals = 'count',
) => (rows ?? []).filter((row) => row.type === type).reduce((total, row) => total + Number(row[field]), 0);

/**
 * The business figures of the admin dashboard, each over a range grouped by hour, day or month:
 * read from the rollups (`analytics_counters`, `analytics_active_profiles`, `analytics_rollups`),
 * never from the raw events.
 */
export class AnalyticsFigures {
  readonly #counters: CountersRepository;
  readonly #rollups: RollupsRepository;
  readonly #concurrentViewers: () => Promise<number>;
  readonly #genresOf: (titleIds: readonly string[]) => Promise<Map<string, string[]>>;

  constructor(options: {
    counters: CountersRepository;
    rollups: RollupsRepository;
    /** Playback's count of streams open now. */
    concurrentViewers: () => Promise<number>;
    /** The catalog's genre names of some titles. */
    genresOf: (titleIds: readonly string[]) => Promise<Map<string, string[]>>;
  }) {
    this.#counters = options.counters;
    this.#rollups = options.rollups;
    this.#concurrentViewers = options.concurrentViewers;
    this.#genresOf = options.genresOf;
  }

  /** Distinct profiles (and accounts) with any event, per day or month. */
  async activeProfiles(range: FigureRange): Promise<FigureRow[]> {
    checkRange(range);
    const unit = range.group === 'month' ? 'month' : 'day';
    const rows = await this.#counters.activeProfiles({ unit, from: range.from, to: range.to });
    return rows.map((row) => ({
      bucket: iso(row.bucket),
      activeProfiles: row.profiles,
      activeAccounts: row.accounts,
    }));
  }

  /** New accounts, sign-ins, and how many became paying subscribers (free → paid). */
  async signUps(range: FigureRange): Promise<FigureRow[]> {
    const rows = await this.#totals(range, ['UserRegistered', 'UserSignedIn', 'SubscriptionActivated']);
    return [...byBucket(rows, () => 'all')].map(([bucket, groups]) => {
      const all = groups.get('all');
      const signUps = sum(all, 'UserRegistered');
      const paid = sum(all, 'SubscriptionActivated');
      return {
        bucket,
        signUps,
        signIns: sum(all, 'UserSignedIn'),
        newPaying: paid,
        conversion: ratio(paid, signUps),
      };
    });
  }

  /**
   * MRR and ARR at the end of each bucket, by plan and currency: what was recurring before the
   * range plus every change up to the bucket's end (list prices; a yearly price counts a twelfth).
   * A plan switch moves MRR and the subscriber from one plan to the other (switchedOut, switchedIn).
   */
  async revenue(range: FigureRange): Promise<FigureRow[]> {
    checkRange(range);
    const start = await this.#counters.recurringBefore(range.from);
    const rows = await this.#totals(range, [
      'SubscriptionActivated',
      'SubscriptionCancelled',
      'SubscriptionRenewed',
      'SubscriptionRefunded',
      'SubscriptionPlanLeft',
      'SubscriptionPlanChanged',
    ]);
    const running = new Map(start.map((row) => [`${row.planId}|${row.currency}`, { ...row }]));
    const out: FigureRow[] = [];
    for (const [bucket, groups] of byBucket(rows, (row) => `${row.key1}|${row.key2}`)) {
      for (const [key, group] of groups) {
        const [planId = '', currency = ''] = key.split('|');
        const state = running.get(key) ?? { planId, currency, mrrMinor: 0, paying: 0 };
        state.mrrMinor += group.reduce((total, row) => total + row.mrrDelta, 0);
        state.paying += group.reduce((total, row) => total + row.payingDelta, 0);
        running.set(key, state);
      }
      const plans = [...running.values()].sort(
        (x, y) => x.planId.localeCompare(y.planId) || x.currency.localeCompare(y.currency),
      );
      for (const state of plans) {
        const group = groups.get(`${state.planId}|${state.currency}`);
        out.push({
          bucket,
          planId: state.planId,
          currency: state.currency,
          mrrMinor: state.mrrMinor,
          arrMinor: state.mrrMinor * 12,
          payingSubscribers: state.paying,
          newPaying: sum(group, 'SubscriptionActivated'),
          renewals: sum(group, 'SubscriptionRenewed'),
          switchedIn: sum(group, 'SubscriptionPlanChanged'),
          switchedOut: sum(group, 'SubscriptionPlanLeft'),
          collectedMinor:
            sum(group, 'SubscriptionActivated', 'amount') + sum(group, 'SubscriptionRenewed', 'amount'),
          refundedMinor: sum(group, 'SubscriptionRefunded', 'amount'),
        });
      }
    }
    return out;
  }

  /** Paying subscribers lost per bucket over those paying at its start (trials that end aren't churn). */
  async churn(range: FigureRange): Promise<FigureRow[]> {
    checkRange(range);
    const start = await this.#counters.recurringBefore(range.from);
    let paying = start.reduce((total, row) => total + row.paying, 0);
    const rows = await this.#totals(range, ['SubscriptionActivated', 'SubscriptionCancelled']);
    return [...byBucket(rows, () => 'all')].map(([bucket, groups]) => {
      const all = groups.get('all');
      const atStart = paying;
      const lost = -sum(all, 'SubscriptionCancelled', 'payingDelta');
      const gained = sum(all, 'SubscriptionActivated');
      paying = atStart + gained - lost;
      return {
        bucket,
        payingAtStart: atStart,
        newPaying: gained,
        churned: lost,
        churnRate: ratio(lost, atStart),
      };
    });
  }

  /** Trials started and trials that became paid, per bucket (by when each happened, not by cohort). */
  async trials(range: FigureRange): Promise<FigureRow[]> {
    const rows = await this.#totals(range, ['SubscriptionTrialStarted', 'SubscriptionTrialConverted']);
    return [...byBucket(rows, () => 'all')].map(([bucket, groups]) => {
      const all = groups.get('all');
      const started = sum(all, 'SubscriptionTrialStarted');
      const converted = sum(all, 'SubscriptionTrialConverted');
      return {
        bucket,
        trialsStarted: started,
        trialsConverted: converted,
        trialConversion: ratio(converted, started),
      };
    });
  }

  /** Refunds per bucket and currency. */
  async refunds(range: FigureRange): Promise<FigureRow[]> {
    const rows = await this.#totals(range, ['SubscriptionRefunded']);
    return [...byBucket(rows, (row) => row.key2)].flatMap(([bucket, groups]) =>
      [...groups].map(([currency, group]) => ({
        bucket,
        currency,
        refunds: sum(group, 'SubscriptionRefunded'),
        refundedMinor: sum(group, 'SubscriptionRefunded', 'amount'),
      })),
    );
  }

  /** Ad impressions, completion, fill rate and revenue per bucket. */
  async ads(range: FigureRange): Promise<FigureRow[]> {
    const rows = await this.#totals(range, ['AdBeaconCounted', 'AdSlotsCounted']);
    return [...byBucket(rows, () => 'all')].map(([bucket, groups]) => {
      const all = groups.get('all') ?? [];
      const beacons = (event: string) =>
        all
          .filter((row) => row.type === 'AdBeaconCounted' && row.key1 === event)
          .reduce((t, r) => t + r.count, 0);
      const impressions = beacons('impression');
      const requested = sum(all, 'AdSlotsCounted');
      const filled = sum(all, 'AdSlotsCounted', 'amount');
      return {
        bucket,
        impressions,
        firstQuartiles: beacons('firstQuartile'),
        midpoints: beacons('midpoint'),
        thirdQuartiles: beacons('thirdQuartile'),
        completes: beacons('complete'),
        completionRate: ratio(beacons('complete'), impressions),
        slotsRequested: requested,
        slotsFilled: filled,
        fillRate: ratio(filled, requested),
        revenueMinor: sum(all, 'AdBeaconCounted', 'amount') / 1000,
      };
    });
  }

  /** Impressions, clicks and click-through per recommendation row. */
  async recommendations(range: FigureRange): Promise<FigureRow[]> {
    const rows = await this.#totals(range, ['RecommendationsImpressed', 'RecommendationsClicked']);
    return [...byBucket(rows, (row) => row.key1)].flatMap(([bucket, groups]) =>
      [...groups].map(([row, group]) => {
        const impressions = sum(group, 'RecommendationsImpressed');
        const clicks = sum(group, 'RecommendationsClicked');
        return { bucket, row, impressions, clicks, clickThrough: ratio(clicks, impressions) };
      }),
    );
  }

  /** Per live event: joins, peak viewers, chat messages and messages per minute. */
  async live(range: FigureRange): Promise<FigureRow[]> {
    const rows = await this.#totals(range, [
      'LiveViewerJoined',
      'LiveChatMessagePosted',
      'LiveViewersCounted',
    ]);
    const minutes = { hour: 60, day: 1440, month: 0 }[range.group];
    return [...byBucket(rows, (row) => row.key1)].flatMap(([bucket, groups]) =>
      [...groups].map(([liveEventId, group]) => {
        const messages = sum(group, 'LiveChatMessagePosted');
        const bucketMinutes = minutes || daysInMonth(new Date(bucket)) * 1440;
        return {
          bucket,
          liveEventId,
          joins: sum(group, 'LiveViewerJoined'),
          peakViewers: Math.max(
            0,
            ...group.filter((row) => row.type === 'LiveViewersCounted').map((row) => row.peak),
          ),
          chatMessages: messages,
          chatMessagesPerMinute: messages / bucketMinutes,
        };
      }),
    );
  }

  /** Streams the server started per bucket and plan, and the viewers watching now. */
  async viewers(range: FigureRange): Promise<FigureRow[]> {
    const [rows, now] = await Promise.all([
      this.#totals(range, ['PlaybackSessionStarted']),
      this.#concurrentViewers(),
    ]);
    return [
      { bucket: 'now', planId: null, streamsStarted: null, concurrentViewers: now },
      ...rows.map((row) => ({
        bucket: iso(row.bucket),
        planId: row.key1,
        streamsStarted: row.count,
        concurrentViewers: null,
      })),
    ];
  }

  /** The most streams open at once in each bucket (on-demand and live; the worker samples every minute). */
  async peakViewers(range: FigureRange): Promise<FigureRow[]> {
    const rows = await this.#totals(range, [VIEWERS_SAMPLED]);
    return rows.map((row) => ({ bucket: iso(row.bucket), peakViewers: row.peak }));
  }

  /** The titles with the most plays over the whole range, with watch hours and completion. */
  async topTitles(range: FigureRange & { limit: number }): Promise<FigureRow[]> {
    const titles = await this.#playsByTitle(range);
    return titles.map((title) => ({
      titleId: title.titleId,
      plays: title.plays,
      watchHours: title.watchMs / 3_600_000,
      completionRate: ratio(title.finishes, title.plays),
    }));
  }

  /**
   * Genres by plays over the whole range, with watch hours and completion: a title counts toward
   * each of its genres (the catalog's), so the rows add up to more than the plays.
   */
  async topGenres(range: FigureRange): Promise<FigureRow[]> {
    const titles = await this.#playsByTitle(range);
    const genresOf = await this.#genresOf(titles.map((title) => title.titleId));
    const genres = new Map<string, Plays & { titles: number }>();
    for (const title of titles) {
      for (const name of genresOf.get(title.titleId) ?? []) {
        const genre = genres.get(name) ?? { plays: 0, finishes: 0, watchMs: 0, titles: 0 };
        genre.plays += title.plays;
        genre.finishes += title.finishes;
        genre.watchMs += title.watchMs;
        genre.titles += 1;
        genres.set(name, genre);
      }
    }
    return [...genres]
      .sort((a, b) => b[1].plays - a[1].plays || b[1].watchMs - a[1].watchMs || a[0].localeCompare(b[0]))
      .map(([genre, totals]) => ({
        genre,
        plays: totals.plays,
        titles: totals.titles,
        watchHours: totals.watchMs / 3_600_000,
        completionRate: ratio(totals.finishes, totals.plays),
      }));
  }

  #playsByTitle(range: FigureRange & { limit?: number }) {
    checkRange(range);
    const granularity = range.group === 'hour' ? 'hour' : 'day';
    return this.#rollups.byTitle({ granularity, from: range.from, to: range.to, limit: range.limit });
  }

  async #totals(range: FigureRange, types: readonly string[]) {
    checkRange(range);
    return this.#counters.totals({ unit: range.group, from: range.from, to: range.to, types });
  }
}

interface Plays {
  plays: number;
  finishes: number;
  watchMs: number;
}

const daysInMonth = (start: Date) =>
  (Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) -
    Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)) /
  DAY_MS;

function checkRange(range: FigureRange): void {
  const span = range.to.getTime() - range.from.getTime();
  if (span <= 0 || span > longestRangeDays[range.group] * DAY_MS) {
    throw AnalyticsRangeInvalid(
      `From must be before to, at most ${longestRangeDays[range.group]} days apart for ${range.group}`,
    );
  }
}
