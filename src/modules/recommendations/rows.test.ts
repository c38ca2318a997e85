import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalogIndex, computeSubjectRows, sharedRow, type TitleNeighbours } from './rows.ts';

const catalog = new CatalogIndex([
  { id: 'heat', name: 'Heat', genres: ['Thriller'] },
  { id: 'town', name: 'The Town', genres: ['Thriller'] },
  { id: 'ronin', name: 'Ronin', genres: ['Thriller'] },
  { id: 'thief', name: 'Thief', genres: ['Thriller'] },
  { id: 'up', name: 'Up', genres: ['Animation'] },
]);
const neighbours: Record<string, TitleNeighbours> = {
  heat: {
    collaborative: [
      { titleId: 'town', score: 0.9 },
      { titleId: 'ronin', score: 0.5 },
    ],
    content: [{ titleId: 'thief', score: 0.8 }],
  },
};
const popularity = Float32Array.from([5, 4, 3, 2, 10]);

describe('a profile’s rows', () => {
  it('ranks what its history brings, says why, and leaves out what it saw, finished or refused', () => {
    const { rows, excluded } = computeSubjectRows({
      catalog,
      history: [{ titleId: 'heat', weight: 2, at: 1 }],
      excluded: new Set(['ronin']),
      neighbours: (id) => neighbours[id],
      popularity,
    });
    const top = rows.find((row) => row.kind === 'top_picks');
    assert.equal(top?.items[0]?.titleId, 'town');
    assert.equal(top?.items[0]?.reason, 'Because you watched Heat');
    assert.equal(top?.items[0]?.becauseOf, 'heat');
    assert.equal(top?.items.find((item) => item.titleId === 'up')?.reason, 'Popular on Marquee');
    for (const row of rows)
      assert.ok(!row.items.some((item) => item.titleId === 'heat' || item.titleId === 'ronin'));
    const because = rows.find((row) => row.kind === 'because');
    assert.deepEqual([because?.key, because?.items.map((item) => item.titleId)], ['heat', ['town', 'thief']]);
    assert.deepEqual(rows.find((row) => row.kind === 'genre')?.key, 'Thriller');
    assert.deepEqual(excluded.sort(), ['heat', 'ronin']);
  });

  it('gives a profile without history popular genre rows only', () => {
    const { rows } = computeSubjectRows({
      catalog,
      history: [],
      excluded: new Set(),
      neighbours: () => undefined,
      popularity,
    });
    assert.deepEqual(
      rows.map((row) => [row.kind, row.title]),
      [
        ['genre', 'Popular in Thriller'],
        ['genre', 'Popular in Animation'],
      ],
    );
    const popular = sharedRow({
      catalog,
      scores: popularity,
      kind: 'popular',
      title: 'Popular',
      reason: 'Popular',
    });
    assert.deepEqual(
      popular.items.map((item) => item.titleId),
      ['up', 'heat', 'town', 'ronin', 'thief'],
    );
  });
});
