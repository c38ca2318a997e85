import type { ReactNode } from 'react';

/**
 * The admin console's list pages (titles, campaigns, plans, users, coupons…) are all a table of
 * rows with a few columns and, often, buttons acting on a row. One component draws them so they
 * read, scroll and announce the same way: a labelled table, the first column a row header, a
 * horizontal scroll on narrow screens, and a line of text when there is nothing to show.
 */

export interface Column<Row> {
  header: string;
  cell(row: Row): ReactNode;
}

export interface DataTableProps<Row> {
  /** The table's accessible name (and the region's). */
  label: string;
  rows: readonly Row[];
  columns: ReadonlyArray<Column<Row> | false | null | undefined>;
  rowKey(row: Row): string;
  /** data-* attributes of a row, so pages and tests find a row by what it is. */
  rowData?(row: Row): Record<`data-${string}`, string>;
  /** Buttons acting on one row, in a last "Actions" column. */
  actions?(row: Row): ReactNode;
  empty?: ReactNode;
}

export function DataTable<Row>(props: DataTableProps<Row>) {
  const columns = props.columns.filter((c): c is Column<Row> => Boolean(c));
  if (props.rows.length === 0) return <p className="ui-muted">{props.empty ?? 'Nothing here yet.'}</p>;
  return (
    <div className="ui-table-scroll">
      <table className="ui-table" aria-label={props.label}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column.header}>
                {column.header}
              </th>
            ))}
            {props.actions && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)} {...props.rowData?.(row)}>
              {columns.map((column, index) =>
                index === 0 ? (
                  <th scope="row" key={column.header}>
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.header}>{column.cell(row)}</td>
                ),
              )}
              {props.actions && (
                <td>
                  <div className="ui-row-actions">{props.actions(row)}</div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Whole currency units from minor ones, in the given currency (or plain, with two decimals). */
export function money(amountMinor: number, currency?: string): string {
  return currency
    ? (amountMinor / 100).toLocaleString('en', { style: 'currency', currency })
    : (amountMinor / 100).toLocaleString('en', { minimumFractionDigits: 2 });
}
