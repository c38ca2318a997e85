import type { ReactNode } from 'react';
import { BarChart, LineChart, type Series } from '../../../ui/charts.tsx';
import type { ApiClient } from '../../../ui/api/client.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';

/**
 * The dashboard's figures: each names the query it needs and draws its chart from the answer.
 * A new analytics endpoint plugs in as one more entry here (its operation is already typed in
 * the generated client); the dashboard lays them out and shares the time range between them.
 */

export interface Range {
  from: string;
  to: string;
  granularity: 'hour' | 'day';
}

export interface FigureContext {
  granularity: Range['granularity'];
  titleName(id: string): string;
}

export interface Figure<Data = unknown> {
  id: string;
  title: string;
  /** Figures with the same source share one request (TanStack Query's cache key). */
  source: string;
  load(api: ApiClient, range: Range): Promise<Data>;
  render(data: Data, context: FigureContext): ReactNode;
}

type TitleRows = Array<Schemas['AnalyticsTitleFigures']>;
type QoeRows = Array<Schemas['AnalyticsQoeFigures']>;

const loadTitles = async (api: ApiClient, range: Range) =>
  (await api.call('adminAnalyticsTitles', { query: range })).items;
const loadQoe = async (api: ApiClient, range: Range) =>
  (await api.call('adminAnalyticsQoe', { query: { ...range, by: 'none' } })).items.sort((a, b) =>
    a.bucket.localeCompare(b.bucket),
  );

/** The buckets of a set of rows, in order, as short labels ("11-28" for days, "14:00" for hours). */
export function bucketsOf(rows: Array<{ bucket: string }>): string[] {
  return [...new Set(rows.map((r) => r.bucket))].sort();
}

export function bucketLabel(bucket: string, granularity: Range['granularity']): string {
  return granularity === 'day' ? bucket.slice(5, 10) : `${bucket.slice(5, 10)} ${bucket.slice(11, 16)}`;
}

/** Sums a figure per bucket over every title. */
export function perBucket(rows: TitleRows, pick: (row: TitleRows[number]) => number): Series['values'] {
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

const labels = (rows: Array<{ bucket: string }>, context: FigureContext) =>
  bucketsOf(rows).map((b) => bucketLabel(b, context.granularity));

const playsFigure: Figure<TitleRows> = {
  id: 'plays',
  title: 'Plays and finishes',
  source: 'titles',
  load: loadTitles,
  render: (rows, context) => (
    <LineChart
      id="plays"
      title="Plays and finishes"
      labels={labels(rows, context)}
      series={[
        { name: 'Plays', values: perBucket(rows, (r) => r.plays) },
        { name: 'Finishes', values: perBucket(rows, (r) => r.finishes) },
      ]}
    />
  ),
};

const watchHoursFigure: Figure<TitleRows> = {
  id: 'watch-hours',
  title: 'Watch hours',
  source: 'titles',
  load: loadTitles,
  render: (rows, context) => (
    <LineChart
      id="watch-hours"
      title="Watch hours"
      labels={labels(rows, context)}
      series={[{ name: 'Watch hours', values: perBucket(rows, (r) => r.watchHours) }]}
    />
  ),
};

const topTitlesFigure: Figure<TitleRows> = {
  id: 'top-titles',
  title: 'Top titles by watch hours',
  source: 'titles',
  load: loadTitles,
  render: (rows, context) => (
    <BarChart
      id="top-titles"
      title="Top titles by watch hours"
      bars={topTitles(rows, 8).map((t) => ({ label: context.titleName(t.titleId), value: t.watchHours }))}
    />
  ),
};

const startupFigure: Figure<QoeRows> = {
  id: 'startup',
  title: 'Average video start time (ms)',
  source: 'qoe',
  load: loadQoe,
  render: (rows, context) => (
    <LineChart
      id="startup"
      title="Average video start time (ms)"
      labels={labels(rows, context)}
      series={[{ name: 'Start time (ms)', values: rows.map((r) => r.averageStartupMs) }]}
    />
  ),
};

const rebufferFigure: Figure<QoeRows> = {
  id: 'rebuffering',
  title: 'Rebuffering ratio and error rate (%)',
  source: 'qoe',
  load: loadQoe,
  render: (rows, context) => (
    <LineChart
      id="rebuffering"
      title="Rebuffering ratio and error rate (%)"
      labels={labels(rows, context)}
      series={[
        {
          name: 'Rebuffering %',
          values: rows.map((r) => (r.rebufferRatio == null ? null : r.rebufferRatio * 100)),
        },
        { name: 'Errors %', values: rows.map((r) => (r.errorRate == null ? null : r.errorRate * 100)) },
      ]}
    />
  ),
};

export const figures: Array<Figure<TitleRows> | Figure<QoeRows>> = [
  playsFigure,
  watchHoursFigure,
  topTitlesFigure,
  startupFigure,
  rebufferFigure,
];
