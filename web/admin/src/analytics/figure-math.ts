import type { Schemas } from '../../../ui/api/openapi.generated.ts';

/** The dashboard's sums and labels: pure, so they are tested without a browser. */

type TitleRows = Array<Schemas['AnalyticsTitleFigures']>;

/** The buckets of a set of rows, in order, as short labels ("11-28" for days, "14:00" for hours). */
export function bucketsOf(rows: Array<{ bucket: string }>): string[] {
  return [...new Set(rows.map((r) => r.bucket))].sort();
}

export function bucketLabel(bucket: string, granularity: 'hour' | 'day'): string {
  return granularity === 'day' ? bucket.slice(5, 10) : `${bucket.slice(5, 10)} ${bucket.slice(11, 16)}`;
}

/** Sums a figure per bucket over every title. */
export function perBucket(rows: TitleRows, pick: (row: TitleRows[number]) => number): number[] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.bucket, (totals.get(row.bucket) ?? 0) + pick(row));
  return bucketsOf(rows).map((bucket) => totals.get(bucket) ?? 0);
}

/** The titles with the most watch hours over the range, largest first. */
export function topTitles(rows: TitleRows, count: number): Array<{ titleId: string; watchHours: number }> {
  const hours = new Map<string, number>();
  for (const row of rows) hours.set(row.titleId, (hours.get(row.titleId) ?? 0) + row.watchHours);
  return [...hours]
    .map(([titleId, watchHours]) => ({ titleId, watchHours }))
    .sort((a, b) => b.watchHours - a.watchHours || a.titleId.localeCompare(b.titleId))
    .slice(0, count);
}
