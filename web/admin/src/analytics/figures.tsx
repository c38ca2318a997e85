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
  /** The analytics operation behind the figure: its `format=csv` answer is the export. */
  operation: 'adminAnalyticsTitles' | 'adminAnalyticsQoe';
  load(api: ApiClient, range: Range): Promise<Data>;
  render(data: Data, context: FigureContext): ReactNode;
}

type TitleRows = Array<Schemas['AnalyticsTitleFigures']>;
type QoeRows = Array<Schemas['AnalyticsQoeFigures']>;

/** The JSON answer's rows (these routes answer CSV only when asked for it). */
function itemsOf<Row>(answer: { items: Row[] } | string): Row[] {
  if (typeof answer === 'string') throw new Error('expected JSON, got CSV');
  return answer.items;
}

const loadTitles = async (api: ApiClient, range: Range) =>
  itemsOf(await api.call('adminAnalyticsTitles', { query: range }));
const loadQoe = async (api: ApiClient, range: Range) =>
  itemsOf(await api.call('adminAnalyticsQoe', { query: { ...range, by: 'none' } })).sort((a, b) =>
    a.bucket.localeCompare(b.bucket),
  );

const labels = (rows: Array<{ bucket: string }>, context: FigureContext) =>
  bucketsOf(rows).map((b) => bucketLabel(b, context.granularity));
const times = (rows: Array<{ bucket: string }>) => bucketsOf(rows).map((b) => Date.parse(b));

const playsFigure: Figure<TitleRows> = {
  id: 'plays',
  title: 'Plays and finishes',
  source: 'titles',
  operation: 'adminAnalyticsTitles',
  load: loadTitles,
  render: (rows, context) => (
    <LineChart
      id="plays"
      title="Plays and finishes"
      times={times(rows)}
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
  operation: 'adminAnalyticsTitles',
  load: loadTitles,
  render: (rows, context) => (
    <LineChart
      id="watch-hours"
      title="Watch hours"
      times={times(rows)}
      labels={labels(rows, context)}
      series={[{ name: 'Watch hours', values: perBucket(rows, (r) => r.watchHours) }]}
    />
  ),
};

const topTitlesFigure: Figure<TitleRows> = {
  id: 'top-titles',
  title: 'Top titles by watch hours',
  source: 'titles',
  operation: 'adminAnalyticsTitles',
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
  operation: 'adminAnalyticsQoe',
  load: loadQoe,
  render: (rows, context) => (
    <LineChart
      id="startup"
      title="Average video start time (ms)"
      times={times(rows)}
      labels={labels(rows, context)}
      series={[{ name: 'Start time (ms)', values: rows.map((r) => r.averageStartupMs) }]}
    />
  ),
};

const rebufferFigure: Figure<QoeRows> = {
  id: 'rebuffering',
  title: 'Rebuffering ratio and error rate (%)',
  source: 'qoe',
  operation: 'adminAnalyticsQoe',
  load: loadQoe,
  render: (rows, context) => (
    <LineChart
      id="rebuffering"
      title="Rebuffering ratio and error rate (%)"
      times={times(rows)}
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
