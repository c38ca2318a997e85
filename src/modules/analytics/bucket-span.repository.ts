import { sql, type RawBuilder } from 'kysely';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Instants as a SQL list of timestamptz literals (`bucket in (…)`). */
export const instants = (dates: readonly Date[]): RawBuilder<unknown> =>
  sql.join(dates.map((date) => sql`${date.toISOString()}::timestamptz`));

/**
 * The buckets a recount rebuilds: their list, and the span [from, to) that covers them, so the
 * source rows are found by a range an index (or partition pruning) can use before the exact
 * `date_trunc(…) in (list)` filter.
 */
export function bucketSpan(buckets: readonly Date[], sizeMs: number) {
  const times = buckets.map((bucket) => bucket.getTime());
  return {
    list: instants(buckets),
    from: new Date(Math.min(...times)).toISOString(),
    to: new Date(Math.max(...times) + sizeMs).toISOString(),
  };
}
