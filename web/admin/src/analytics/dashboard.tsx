import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Button, Notice } from '../../../ui/components.tsx';
import type { ApiClient } from '../../../ui/api/client.ts';
import { problemText, useApi } from '../../../ui/api/context.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { topTitles } from './figure-math.ts';
import { figures, type Figure, type Range } from './figures.tsx';

const ranges = {
  '24h': { label: 'Last 24 hours', hours: 24, granularity: 'hour' },
  '7d': { label: 'Last 7 days', hours: 7 * 24, granularity: 'day' },
  '30d': { label: 'Last 30 days', hours: 30 * 24, granularity: 'day' },
} as const;
type RangeKey = keyof typeof ranges;

function rangeOf(key: RangeKey): Range {
  const { hours, granularity } = ranges[key];
  // Whole buckets: from the start of the first hour or day, to now.
  const to = new Date();
  const from = new Date(to.getTime() - hours * 3600_000);
  if (granularity === 'day') from.setUTCHours(0, 0, 0, 0);
  else from.setUTCMinutes(0, 0, 0);
  return { from: from.toISOString(), to: to.toISOString(), granularity };
}

/** Titles' names for the top-titles chart (the analytics rows carry ids). */
function useTitleNames(ids: string[]) {
  const api = useApi();
  const answers = useQueries({
    queries: ids.map((id) => ({
      queryKey: ['admin-title', id],
      queryFn: () => api.call('adminGetTitle', { path: { id } }),
      staleTime: 5 * 60_000,
    })),
  });
  return (id: string) => answers.find((a) => a.data?.id === id)?.data?.title ?? id.slice(0, 8);
}

export default function Dashboard() {
  const api = useApi();
  const [rangeKey, setRangeKey] = useState<RangeKey>('7d');
  // The range is fixed when chosen, so every figure asks for the same window (and caches by it).
  const range = useMemo(() => rangeOf(rangeKey), [rangeKey]);
  const sources = [...new Set(figures.map((f) => f.source))];
  const loaded = useQueries({
    queries: sources.map((source) => {
      const figure = figures.find((f) => f.source === source)!;
      return { queryKey: ['analytics', source, range], queryFn: () => figure.load(api, range) };
    }),
  });
  const dataOf = (source: string) => loaded[sources.indexOf(source)];
  const titleRows = dataOf('titles')?.data as Parameters<typeof topTitles>[0] | undefined;
  const titleName = useTitleNames(topTitles(titleRows ?? [], 8).map((t) => t.titleId));
  const subscriptions = useQuery({
    queryKey: ['subscription-metrics'],
    queryFn: () => api.call('adminGetSubscriptionMetrics'),
    retry: false,
  });
  return (
    <>
      <div className="admin-toolbar">
        <h1>Dashboard</h1>
        <label className="ui-field">
          <span>Time range</span>
          <select value={rangeKey} onChange={(event) => setRangeKey(event.target.value as RangeKey)}>
            {Object.entries(ranges).map(([key, value]) => (
              <option key={key} value={key}>
                {value.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {subscriptions.data && <SubscriptionCards metrics={subscriptions.data} />}
      <div className="admin-charts">
        {figures.map((figure) => {
          const answer = dataOf(figure.source);
          if (!answer || answer.isPending) {
            return (
              <p key={figure.id} className="ui-muted">
                Loading {figure.title.toLowerCase()}…
              </p>
            );
          }
          if (answer.isError) {
            return (
              <Notice key={figure.id} tone="error">
                {figure.title}: {problemText(answer.error)}
              </Notice>
            );
          }
          const rows = answer.data as never;
          return (
            <div key={figure.id} data-figure={figure.id}>
              {(rows as unknown[]).length === 0 ? (
                <p className="ui-muted">{figure.title}: no data in this range.</p>
              ) : (
                figure.render(rows, { granularity: range.granularity, titleName })
              )}
              <CsvExport api={api} figure={figure} range={range} />
            </div>
          );
        })}
      </div>
    </>
  );
}

/** Saves the figure's rows over the chosen range as the API's CSV (`format=csv`). */
function CsvExport(props: {
  api: ApiClient;
  figure: Pick<Figure, 'id' | 'title' | 'operation'>;
  range: Range;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const { api, figure, range } = props;
  async function download() {
    setFailure(null);
    try {
      const csv =
        figure.operation === 'adminAnalyticsQoe'
          ? await api.callText('adminAnalyticsQoe', { query: { ...range, by: 'none', format: 'csv' } })
          : await api.callText('adminAnalyticsTitles', { query: { ...range, format: 'csv' } });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      link.download = `${figure.id}-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      setFailure(problemText(error));
    }
  }
  return (
    <div className="ui-actions">
      <Button onClick={() => void download()} aria-label={`Export CSV of ${figure.title}`}>
        Export CSV
      </Button>
      {failure && <Notice tone="error">{failure}</Notice>}
    </div>
  );
}

/** Headline subscription figures (for roles with subscriptions:read; others do not see them). */
function SubscriptionCards({ metrics }: { metrics: Schemas['SubscriptionMetrics'] }) {
  const active = metrics.activeByPlan.reduce((sum, plan) => sum + plan.count, 0);
  const cards: Array<[string, string]> = [
    ...metrics.mrr.map((m): [string, string] => [
      `MRR (${m.currency})`,
      (m.amountMinor / 100).toLocaleString('en', { style: 'currency', currency: m.currency }),
    ]),
    ['Active subscriptions', active.toLocaleString('en')],
    [`Churn (${metrics.churn.windowDays} days)`, `${(metrics.churn.rate * 100).toFixed(1)} %`],
  ];
  return (
    <ul className="ui-cards admin-metrics" aria-label="Subscriptions">
      {cards.map(([name, value]) => (
        <li key={name} className="ui-card">
          <span className="ui-muted">{name}</span>
          <strong>{value}</strong>
        </li>
      ))}
    </ul>
  );
}
