import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCursor } from '../../shared/pagination.ts';
import { browseCursorKey, decodeBrowseCursor, type BrowseSort } from './browse-cursor.ts';

const id = '3a505b7c-26b8-4e1d-9058-35ab6f9467da';
const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe('browse cursors', () => {
  it('reads back what a page wrote, for every sort', () => {
    const keys: Array<[BrowseSort, Date | number | string | null]> = [
      ['newest', new Date('2026-03-01T12:00:00.000Z')],
      ['newest', null],
      ['popular', 120],
      ['rating', 4.25],
      ['title', 'the matrix'],
      ['relevance', 0.5],
    ];
    for (const [sort, value] of keys) {
      const cursor = encodeCursor(browseCursorKey(sort, value, id));
      assert.deepEqual(decodeBrowseCursor(cursor, sort), { value, id }, sort);
    }
    assert.equal(decodeBrowseCursor(undefined, 'newest'), undefined);
  });

  it("refuses another sort's cursor", () => {
    const cursor = encodeCursor(browseCursorKey('popular', 3, id));
    assert.throws(() => decodeBrowseCursor(cursor, 'rating'), { code: 'INVALID_CURSOR' });
  });

  it('refuses a key of the wrong type or that PostgreSQL cannot take, as INVALID_CURSOR', () => {
    const forged: Array<[BrowseSort, string]> = [
      ['newest', forge({ s: 'newest', v: 'not-a-date', id })],
      ['newest', forge({ s: 'newest', v: '2026-02-30T00:00:00Z', id })],
      ['newest', forge({ s: 'newest', v: 1_700_000_000_000, id })],
      ['popular', forge({ s: 'popular', v: '12', id })],
      ['popular', forge({ s: 'popular', v: null, id })],
      ['rating', forge({ s: 'rating', v: [], id })],
      ['title', forge({ s: 'title', v: 'a\u0000', id })],
      ['title', forge({ s: 'title', v: 'x'.repeat(1001), id })],
      ['title', forge({ s: 'title', v: 'x', id: "1' or '1'='1" })],
      ['relevance', forge({ s: 'relevance', v: 'high', id })],
      ['newest', forge({ s: 'newest', v: null })],
      ['newest', forge(null)],
      ['newest', 'not base64 json'],
    ];
    for (const [sort, cursor] of forged) {
      assert.throws(() => decodeBrowseCursor(cursor, sort), { code: 'INVALID_CURSOR' }, cursor);
    }
  });
});
