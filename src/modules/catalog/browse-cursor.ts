import { z } from 'zod';
import { decodeCursor, InvalidCursor } from '../../shared/pagination.ts';
import type { BrowseQuery } from './catalog.schemas.ts';

export type BrowseSort = NonNullable<BrowseQuery['sort']>;

/**
 * A browse cursor is the last row's sort key and id, and the sort it belongs to:
 * `{ s: 'title', v: 'the matrix', id }` (base64url JSON). Each sort's key has its own type, so a
 * forged cursor — a date that isn't one, a word where a number goes, a NUL PostgreSQL can't
 * take — is refused as INVALID_CURSOR by the decoder every list uses, before any query.
 */
const id = z.uuid();
const browseCursor = z.discriminatedUnion('s', [
  z.object({
    s: z.literal('newest'),
    v: z.iso
      .datetime({ offset: true })
      .transform((value) => new Date(value))
      .nullable(),
    id,
  }),
  z.object({ s: z.literal('popular'), v: z.number(), id }),
  z.object({ s: z.literal('rating'), v: z.number(), id }),
  // A lower-cased title: any text PostgreSQL can store.
  z.object({
    s: z.literal('title'),
    v: z
      .string()
      .max(1000)
      .refine((value) => !value.includes('\u0000')),
    id,
  }),
  z.object({ s: z.literal('relevance'), v: z.number(), id }),
]);

/** Where a page starts: strictly after this (key, id). */
export interface BrowseKey {
  value: Date | number | string | null;
  id: string;
}

/** The key a page starts after, or undefined for the first page; refuses another sort's cursor. */
export function decodeBrowseCursor(cursor: string | undefined, sort: BrowseSort): BrowseKey | undefined {
  const after = decodeCursor(cursor, browseCursor);
  if (!after) return undefined;
  if (after.s !== sort) throw InvalidCursor('The cursor belongs to another sort order');
  return { value: after.v, id: after.id };
}

/** What a page's last row leaves in `nextCursor`. */
export const browseCursorKey = (sort: BrowseSort, value: Date | number | string | null, rowId: string) => ({
  s: sort,
  v: value instanceof Date ? value.toISOString() : value,
  id: rowId,
});
