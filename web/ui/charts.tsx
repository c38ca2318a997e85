import { useId } from 'react';
import { height, niceCeiling, pad, width, xPositions } from './chart-scale.ts';

/**
 * Small SVG charts for the admin console's dashboard. No charting library is installed (the
 * issue asks for one; see docs/ARCHITECTURE.md, "Web apps"): these draw lines and bars from
 * plain series, scale to their container, take colours from the tokens, and carry their numbers
 * in a table under a disclosure so a screen reader (and a test) reads the same figures.
 */

export interface Series {
  name: string;
  /** One value per label; null is a gap (no data in that bucket). */
  values: Array<number | null>;
}

/** Series colours, in order: CSS custom properties from tokens.css. */
const palette = ['--chart-1', '--chart-2', '--chart-3', '--chart-4'];
const colour = (index: number) => `var(${palette[index % palette.length]})`;

const format = (value: number) =>
  Math.abs(value) >= 1000
    ? value.toLocaleString('en', { maximumFractionDigits: 0 })
    : String(+value.toFixed(2));

function DataTable(props: { labels: string[]; series: Series[]; caption: string }) {
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
            <tr key={label}>
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
          <svg width="12" height="12" aria-hidden="true">
            <rect width="12" height="12" fill={colour(i)} />
          </svg>
          {s.name}
        </li>
      ))}
    </ul>
  );
}

function YAxis({ top }: { top: number }) {
  const plotHeight = height - pad.top - pad.bottom;
  return (
    <g className="ui-chart-axis">
      {[0, 0.5, 1].map((f) => {
        const y = pad.top + plotHeight * (1 - f);
        return (
          <g key={f}>
            <line x1={pad.left} x2={width - pad.right} y1={y} y2={y} />
            <text x={pad.left - 6} y={y + 4} textAnchor="end">
              {format(top * f)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function XLabels({ labels, xs }: { labels: string[]; xs: number[] }) {
  // At most ~6 labels, evenly picked, so they never overlap.
  const every = Math.max(1, Math.ceil(labels.length / 6));
  return (
    <g className="ui-chart-axis">
      {labels.map((label, i) =>
        i % every === 0 ? (
          <text
            key={label}
            x={xs[i]}
            y={height - 8}
            // The first and last labels stay inside the chart.
            textAnchor={
              labels.length > 1 && i === 0 ? 'start' : i === labels.length - 1 && i > 0 ? 'end' : 'middle'
            }
          >
            {label}
          </text>
        ) : null,
      )}
    </g>
  );
}

/** Lines over time buckets (e.g. plays per day), one per series. */
export function LineChart(props: { title: string; labels: string[]; series: Series[]; id?: string }) {
  const titleId = useId();
  const max = Math.max(0, ...props.series.flatMap((s) => s.values.filter((v): v is number => v != null)));
  const top = niceCeiling(max);
  const xs = xPositions(props.labels.length);
  const plotHeight = height - pad.top - pad.bottom;
  const y = (value: number) => pad.top + plotHeight * (1 - value / top);
  return (
    <figure className="ui-chart" data-chart={props.id ?? props.title}>
      <figcaption id={titleId}>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={titleId}>
        <YAxis top={top} />
        <XLabels labels={props.labels} xs={xs} />
        {props.series.map((s, index) => {
          const points = s.values
            .map((v, i) => (v == null ? null : `${xs[i]?.toFixed(1)},${y(v).toFixed(1)}`))
            .filter((p): p is string => p !== null);
          return (
            <g key={s.name} data-series={s.name}>
              <polyline points={points.join(' ')} fill="none" stroke={colour(index)} strokeWidth={2.5} />
              {s.values.map((v, i) =>
                v == null ? null : <circle key={i} cx={xs[i]} cy={y(v)} r={3} fill={colour(index)} />,
              )}
            </g>
          );
        })}
      </svg>
      <Legend series={props.series} />
      <DataTable labels={props.labels} series={props.series} caption={props.title} />
    </figure>
  );
}

/** Horizontal bars (e.g. watch hours of the top titles), largest first as given. */
export function BarChart(props: {
  title: string;
  bars: Array<{ label: string; value: number }>;
  id?: string;
}) {
  const titleId = useId();
  const top = niceCeiling(Math.max(0, ...props.bars.map((b) => b.value)));
  const rowHeight = 26;
  const labelWidth = 180;
  const barsHeight = Math.max(1, props.bars.length) * rowHeight + 8;
  return (
    <figure className="ui-chart" data-chart={props.id ?? props.title}>
      <figcaption id={titleId}>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${barsHeight}`} role="img" aria-labelledby={titleId}>
        {props.bars.map((bar, i) => {
          const barWidth = ((width - labelWidth - 70) * bar.value) / top;
          const y = 4 + i * rowHeight;
          return (
            <g key={bar.label} className="ui-chart-axis" data-bar={bar.label}>
              <text x={labelWidth - 8} y={y + 16} textAnchor="end">
                {bar.label.length > 24 ? `${bar.label.slice(0, 23)}…` : bar.label}
              </text>
              <rect
                x={labelWidth}
                y={y}
                width={Math.max(1, barWidth)}
                height={rowHeight - 8}
                fill={colour(0)}
              />
              <text x={labelWidth + barWidth + 6} y={y + 16}>
                {format(bar.value)}
              </text>
            </g>
          );
        })}
      </svg>
      <DataTable
        labels={props.bars.map((b) => b.label)}
        series={[{ name: 'Value', values: props.bars.map((b) => b.value) }]}
        caption={props.title}
      />
    </figure>
  );
}
