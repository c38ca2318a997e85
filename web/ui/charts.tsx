import { useEffect, useId, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * The dashboard's charts, drawn by uPlot (https://github.com/leeoniya/uPlot): ~50 KB, canvas,
 * made for time series, and fast enough for a month of hourly buckets on a phone (why uPlot and
 * not Chart.js: docs/ARCHITECTURE.md, "Web apps"). This file wraps it for React — one chart per
 * element, resized with its container, destroyed on unmount — takes its colours from the tokens,
 * and puts each chart's numbers in a table under a disclosure: a canvas says nothing to a screen
 * reader, the table does (and a test reads the same figures from it).
 */

export interface Series {
  name: string;
  /** One value per bucket; null is a gap (no data in that bucket). */
  values: Array<number | null>;
}

const HEIGHT = 220;
const palette = ['--chart-1', '--chart-2', '--chart-3', '--chart-4'];

const format = (value: number) =>
  Math.abs(value) >= 1000
    ? value.toLocaleString('en', { maximumFractionDigits: 0 })
    : String(+value.toFixed(2));

/** A token's value: a canvas cannot read CSS custom properties itself. */
const token = (element: Element, name: string) => getComputedStyle(element).getPropertyValue(name).trim();

function axis(element: Element, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: token(element, '--color-text-muted'),
    grid: { stroke: token(element, '--chart-grid'), width: 1 },
    ticks: { show: false },
    ...extra,
  };
}

type ChartOptions = (element: HTMLElement) => Omit<uPlot.Options, 'width'>;

/**
 * One uPlot chart in a div, sized to the div's width. It is rebuilt only when what it draws
 * changes (`signature`), not on every render of the page around it.
 */
function UPlot(props: { options: ChartOptions; data: uPlot.AlignedData; labels: string[] }) {
  const target = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;
  // The labels too: a bar chart's names may arrive after its numbers (the titles are asked apart).
  const signature = JSON.stringify([props.data, props.labels]);
  useEffect(() => {
    const element = target.current;
    if (!element) return;
    const { options, data } = latest.current;
    const chart = new uPlot({ ...options(element), width: element.clientWidth || 320 }, data, element);
    const resize = new ResizeObserver(() => {
      if (element.clientWidth > 0) chart.setSize({ width: element.clientWidth, height: HEIGHT });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [signature]);
  return <div ref={target} className="ui-chart-canvas" />;
}

function ChartData(props: { labels: string[]; series: Series[]; caption: string }) {
  return (
    <details className="ui-chart-data">
      <summary>Data</summary>
      <table className="ui-table">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Bucket</th>
            {props.series.map((s) => (
              <th scope="col" key={s.name}>
                {s.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.labels.map((label, i) => (
            <tr key={label} data-bucket={label}>
              <th scope="row">{label}</th>
              {props.series.map((s) => (
                <td key={s.name}>{s.values[i] == null ? '—' : format(s.values[i])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Legend({ series }: { series: Series[] }) {
  if (series.length < 2) return null;
  return (
    <ul className="ui-chart-legend" aria-hidden="true">
      {series.map((s, i) => (
        <li key={s.name}>
          <span className="ui-chart-swatch" data-series-index={i % palette.length} />
          {s.name}
        </li>
      ))}
    </ul>
  );
}

function Figure(props: {
  id: string;
  title: string;
  summary: string;
  children: ReactNode;
  labels: string[];
  series: Series[];
}) {
  const titleId = useId();
  return (
    <figure className="ui-chart" data-chart={props.id}>
      <figcaption id={titleId}>{props.title}</figcaption>
      {/* The canvas is a picture of the table below; its name says what it shows. */}
      <div role="img" aria-labelledby={titleId} aria-describedby={`${titleId}-summary`}>
        {props.children}
      </div>
      <p id={`${titleId}-summary`} className="ui-visually-hidden">
        {props.summary}
      </p>
      <Legend series={props.series} />
      <ChartData labels={props.labels} series={props.series} caption={props.title} />
    </figure>
  );
}

/** Lines over time buckets (e.g. plays per day), one per series. `times` are epoch milliseconds. */
export function LineChart(props: {
  id: string;
  title: string;
  times: number[];
  labels: string[];
  series: Series[];
}) {
  const { times, series } = props;
  const data: uPlot.AlignedData = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
  const options: ChartOptions = (element) => ({
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [axis(element), axis(element, { values: (_u, splits) => splits.map(format), size: 56 })],
    series: [
      {},
      ...series.map((s, index) => ({
        label: s.name,
        stroke: token(element, palette[index % palette.length]!),
        width: 2.5,
        spanGaps: false,
        points: { size: 6 },
      })),
    ],
  });
  return (
    <Figure
      id={props.id}
      title={props.title}
      labels={props.labels}
      series={series}
      summary={`${series.map((s) => s.name).join(' and ')} over ${times.length} buckets; the numbers are in the data table.`}
    >
      <UPlot options={options} data={data} labels={props.labels} />
    </Figure>
  );
}

/** Vertical bars, one per category (e.g. watch hours of the top titles), largest first as given. */
export function BarChart(props: {
  id: string;
  title: string;
  bars: Array<{ label: string; value: number }>;
}) {
  const { bars } = props;
  const data: uPlot.AlignedData = [bars.map((_, i) => i), bars.map((b) => b.value)];
  const short = (label: string) => (label.length > 14 ? `${label.slice(0, 13)}…` : label);
  const options: ChartOptions = (element) => ({
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, range: [-0.5, Math.max(0.5, bars.length - 0.5)] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      axis(element, {
        grid: { show: false },
        splits: () => bars.map((_, i) => i),
        values: (_u, splits) => splits.map((i) => short(bars[i]?.label ?? '')),
      }),
      axis(element, { values: (_u, splits) => splits.map(format), size: 56 }),
    ],
    series: [
      {},
      {
        label: props.title,
        fill: token(element, palette[0]!),
        stroke: token(element, palette[0]!),
        paths: uPlot.paths.bars!({ size: [0.6, 64] }),
        points: { show: false },
      },
    ],
  });
  const series = [{ name: 'Value', values: bars.map((b) => b.value) }];
  const labels = bars.map((b) => b.label);
  return (
    <Figure
      id={props.id}
      title={props.title}
      labels={labels}
      series={series}
      summary={`${bars.length} bars, largest first: ${bars.map((b) => `${b.label} ${format(b.value)}`).join(', ')}.`}
    >
      <UPlot options={options} data={data} labels={labels} />
    </Figure>
  );
}
