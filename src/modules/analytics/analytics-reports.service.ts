import { AnalyticsRangeInvalid } from './analytics.errors.ts';
import type { Dimension, Granularity, RollupsRepository, RollupTotals } from './rollups.repository.ts';

const DAY_MS = 86_400_000;
const longestRangeDays: Record<Granularity, number> = { hour: 31, day: 400 };

export interface ReportRange {
  granularity: Granularity;
  from: Date;
  to: Date;
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** Dashboard figures: read from the rollups only, never from the raw events. */
export class AnalyticsReports {
  readonly #rollups: RollupsRepository;
  constructor(rollups: RollupsRepository) {
    this.#rollups = rollups;
  }

  /** Plays, finishes, watch time and completion rate per title per bucket. */
  async titles(range: ReportRange) {
    const rows = await this.#totals(range, 'title');
    return rows
      .filter((row) => row.key !== '')
      .map((row) => ({
        bucket: row.bucket.toISOString(),
        titleId: row.key,
        plays: row.plays,
        finishes: row.finishes,
        watchHours: row.watchMs / 3_600_000,
        completionRate: ratio(row.finishes, row.plays),
      }));
  }

  /** Start time, rebuffering ratio and error rate per bucket, grouped by one dimension. */
  async qoe(range: ReportRange & { by: Exclude<Dimension, 'title'> }) {
    const rows = await this.#totals(range, range.by);
    return rows.map((row) => ({
      bucket: row.bucket.toISOString(),
      group: range.by === 'none' ? null : row.key,
      plays: row.plays,
      averageStartupMs: ratio(row.startupMsSum, row.startupCount),
      rebufferCount: row.rebufferCount,
      rebufferRatio: ratio(row.rebufferMs, row.watchMs + row.rebufferMs),
      bitrateSwitches: row.bitrateSwitches,
      errorRate: ratio(row.errors, row.plays),
    }));
  }

  async #totals(range: ReportRange, by: Dimension): Promise<RollupTotals[]> {
    const span = range.to.getTime() - range.from.getTime();
    if (span <= 0 || span > longestRangeDays[range.granularity] * DAY_MS) {
      throw AnalyticsRangeInvalid(
        `From must be before to, at most ${longestRangeDays[range.granularity]} days apart for ${range.granularity}`,
      );
    }
    return this.#rollups.totals({ ...range, by });
  }
}
