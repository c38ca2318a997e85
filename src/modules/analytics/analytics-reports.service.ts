import { AnalyticsRangeInvalid } from './analytics.errors.ts';
import { startupQuantile } from './qoe-bins.ts';
import type { QoeDimension, QoeRollupsRepository } from './qoe-rollups.repository.ts';
import type { Granularity, RollupsRepository } from './rollups.repository.ts';

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
  readonly #qoe: QoeRollupsRepository;
  constructor(options: { rollups: RollupsRepository; qoe: QoeRollupsRepository }) {
    this.#rollups = options.rollups;
    this.#qoe = options.qoe;
  }

  /** Plays, finishes, watch time and completion rate per title per bucket. */
  async titles(range: ReportRange) {
    checkRange(range);
    const rows = await this.#rollups.titlesByBucket(range);
    return rows.map((row) => ({
      bucket: row.bucket.toISOString(),
      titleId: row.titleId,
      plays: row.plays,
      finishes: row.finishes,
      watchHours: row.watchMs / 3_600_000,
      completionRate: ratio(row.finishes, row.plays),
    }));
  }

  /**
   * Start time (mean, p50, p95 from the start-time histogram), rebuffering ratio and error rate
   * per bucket, grouped by one dimension (rendition: the height playing; 0 when unknown).
   */
  async qoe(range: ReportRange & { by: QoeDimension }) {
    checkRange(range);
    const rows = await this.#qoe.totals(range);
    return rows.map((row) => ({
      bucket: row.bucket.toISOString(),
      group: range.by === 'none' ? null : row.key,
      plays: row.plays,
      averageStartupMs: ratio(row.startupMsSum, row.plays),
      startupP50Ms: startupQuantile(row.startupBins, 0.5),
      startupP95Ms: startupQuantile(row.startupBins, 0.95),
      rebufferCount: row.rebufferCount,
      rebufferRatio: ratio(row.rebufferMs, row.watchMs + row.rebufferMs),
      bitrateSwitches: row.bitrateSwitches,
      errorRate: ratio(row.errors, row.plays),
    }));
  }
}

function checkRange(range: ReportRange): void {
  const span = range.to.getTime() - range.from.getTime();
  if (span <= 0 || span > longestRangeDays[range.granularity] * DAY_MS) {
    throw AnalyticsRangeInvalid(
      `From must be before to, at most ${longestRangeDays[range.granularity]} days apart for ${range.granularity}`,
    );
  }
}
