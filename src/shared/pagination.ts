import { z } from 'zod';
import { defineError } from './errors.ts';
import { opaqueToken } from './schemas.ts';

/**
 * Keyset ("cursor") pagination: a page ends at a row's sort key, and the next page starts after
 * it. Unlike offsets, rows inserted meanwhile never shift a page or repeat a row.
 * Cursors are opaque to clients (base64url JSON of the last row's key).
 */
export const InvalidCursor = defineError(
  'INVALID_CURSOR',
  'invalid',
  'The cursor is not valid for this list',
);

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Items per page (1–100)'),
  cursor: opaqueToken(500).optional().describe('`nextCursor` from the previous page'),
});

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('null on the last page') });

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(key: Record<string, string | number | null>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(
  cursor: string | undefined,
  shape: T,
): z.output<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw InvalidCursor();
}

/** Fetch `limit + 1` rows; this turns them into a page and the cursor after its last row. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  options: { key: (row: R) => Record<string, string | number | null>; map: (row: R) => T },
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(options.map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(options.key(last)) : null,
  };
}
