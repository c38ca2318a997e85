/**
 * The start-time histogram of `analytics_qoe_rollups`: fixed bins, so hours add up to days and
 * any grouping, and percentiles come from the summed counts (like Prometheus histograms). The
 * bounds are the migration's; changing them needs a new one.
 */
export const STARTUP_BIN_UPPER_MS = [
  250, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000, 10_000, 20_000,
] as const;
/** Bins: one per upper bound, and the last for everything above the highest. */
export const STARTUP_BIN_COUNT = STARTUP_BIN_UPPER_MS.length + 1;

/** The bin a start time falls in (upper bounds inclusive). */
export function startupBin(startupMs: number): number {
  const index = STARTUP_BIN_UPPER_MS.findIndex((upper) => startupMs <= upper);
  return index === -1 ? STARTUP_BIN_UPPER_MS.length : index;
}

/**
 * The q-quantile (0 < q ≤ 1) of the start times counted in `bins`, interpolated linearly inside
 * its bin; null without plays. A quantile in the open last bin answers its lower bound (it is at
 * least that). The error is at most one bin's width.
 */
export function startupQuantile(bins: readonly number[], q: number): number | null {
  const total = bins.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let index = 0; index < bins.length; index++) {
    const count = bins[index] ?? 0;
    if (count > 0 && below + count >= rank) {
      const lower = index === 0 ? 0 : (STARTUP_BIN_UPPER_MS[index - 1] ?? 0);
      const upper = STARTUP_BIN_UPPER_MS[index];
      if (upper === undefined) return lower;
      return Math.round(lower + ((upper - lower) * (rank - below)) / count);
    }
    below += count;
  }
  return STARTUP_BIN_UPPER_MS.at(-1) ?? null;
}
