import type { FigureRow } from './analytics-figures.service.ts';

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
const field = (value: string | number | null): string => {
  if (value === null) return '';
  const text = String(value);
  // A leading =, +, - or @ would be a formula in a spreadsheet (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** `?format=csv`, or no format and an Accept header asking for text/csv. */
export const wantsCsv = (format: string | undefined, accept: string | undefined) =>
  format === 'csv' || (format === undefined && /\btext\/csv\b/.test(accept ?? ''));

/** A figure's rows as CSV with a header line; the columns are given, so an empty figure still has them. */
export function toCsv(columns: readonly string[], rows: readonly FigureRow[]): string {
  const lines = [columns.map(field).join(',')];
  for (const row of rows) lines.push(columns.map((column) => field(row[column] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
