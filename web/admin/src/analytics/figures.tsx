import type { ReactNode } from 'react';
import { BarChart, LineChart } from '../../../ui/charts.tsx';
import type { ApiClient } from '../../../ui/api/client.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { bucketLabel, bucketsOf, perBucket, topTitles } from './figure-math.ts';

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

/** The JSON rows of a figure that can also answer CSV (asked for JSON, a text body is a fault). */
function rowsOf<T>(body: string | { items: T[] }): T[] {
  if (typeof body === 'string') throw new Error('The figure answered CSV where JSON was asked for');
  return body.items;
}

const loadTitles = async (api: ApiClient, range: Range) =>
  rowsOf(await api.call('adminAnalyticsTitles', { query: range }));
const loadQoe = async (api: ApiClient, range: Range) =>
  rowsOf(await api.call('adminAnalyticsQoe', { query: { ...range, by: 'none' } })).sort((a, b) =>
    a.bucket.localeCompare(b.bucket),
  );

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
