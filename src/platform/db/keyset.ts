import { sql, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { decodeCursor, toPage, type Page } from '../../shared/pagination.ts';

/**
 * The one keyset page most lists use: newest first, by (created_at, id) descending. A page ends at
 * a row's key, and the next starts strictly after it, so rows inserted meanwhile never shift or
 * repeat a page. Lists with other orders (the catalog's sorts) build their keys the same way.
 */
const newestFirstCursor = z.object({ createdAt: z.iso.datetime({ offset: true }), id: z.uuid() });

export interface NewestFirstOptions<R, T> {
  cursor: string | undefined;
  limit: number;
  /** The table (or alias) whose created_at and id order the list: `users`, `audit_log`… */
  table: string;
  map: (row: R) => T;
}

export async function newestFirstPage<DB, TB extends keyof DB, R extends { createdAt: Date; id: string }, T>(
  select: SelectQueryBuilder<DB, TB, R>,
  options: NewestFirstOptions<R, T>,
): Promise<Page<T>> {
  const after = decodeCursor(options.cursor, newestFirstCursor);
  const createdAt = sql.ref(`${options.table}.created_at`);
  const id = sql.ref(`${options.table}.id`);
  let query = select;
  if (after) {
    query = query.where(
      () => sql<boolean>`(${createdAt}, ${id}) < (${new Date(after.createdAt)}, ${after.id})`,
    );
  }
  const rows = await query
    .orderBy(createdAt, 'desc')
    .orderBy(id, 'desc')
    .limit(options.limit + 1)
    .execute();
  return toPage(rows as R[], options.limit, {
    key: (row) => ({ createdAt: row.createdAt.toISOString(), id: row.id }),
    map: options.map,
  });
}
