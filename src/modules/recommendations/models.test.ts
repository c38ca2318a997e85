import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blendScores, diversify } from './blend.ts';
import { ContentIndex } from './content.ts';
import { invertSymmetricInPlace, scoreWithEase, trainEase } from './ease.ts';
import { franchiseKey } from './franchise.ts';
import { buildInteractionMatrix, DEFAULT_SIGNAL_WEIGHTS, topK, type Interaction } from './interactions.ts';
import { trending } from './popularity.ts';
import { neighboursOf, scoreWithNeighbours, trainRp3beta } from './rp3beta.ts';
import { temporalSplit } from './split.ts';

// Two taste groups: u1–u3 watch a, b, c (thrillers); u4–u6 watch d, e (comedies); u7 watches a only.
const items = ['a', 'b', 'c', 'd', 'e', 'f'];
const groups: [string, string[]][] = [
  ['u1', ['a', 'b', 'c']],
  ['u2', ['a', 'b', 'c']],
  ['u3', ['a', 'b', 'c']],
  ['u4', ['d', 'e']],
  ['u5', ['d', 'e']],
  ['u6', ['d', 'e', 'b']],
  ['u7', ['a']],
];
const interactions: Interaction[] = groups.flatMap(([user, seen]) =>
  seen.map((item) => ({ user, item, signal: { kind: 'finish' as const }, at: 0 })),
);
const matrix = buildInteractionMatrix({
  interactions,
  items,
  weights: { ...DEFAULT_SIGNAL_WEIGHTS, halfLifeDays: 0 },
  now: 0,
});
const u7 = [{ item: 0, weight: 1 }];

describe('collaborative models', () => {
  it('RP3beta: a profile that watched a is next shown what a’s audience watched', () => {
    const model = trainRp3beta(matrix);
    const ranked = topK(scoreWithNeighbours(model, u7), 3, new Set([0]));
    assert.deepEqual(ranked.slice(0, 2).sort(), [1, 2]);
    assert.ok(!ranked.includes(3) && !ranked.includes(5));
    assert.deepEqual(
      neighboursOf(model, 3, 5).map((entry) => entry.item),
      [4, 1],
    );
  });

  it('EASE: same answer, and the inversion is exact', () => {
    const model = trainEase(matrix, { lambda: 0.5, items: 10 });
    assert.equal(model.items.length, 5, 'f has no interactions and is left out');
    const ranked = topK(scoreWithEase(model, items.length, u7), 2, new Set([0]));
    assert.deepEqual(ranked.sort(), [1, 2]);
    const m = Float64Array.from([4, 1, 1, 3]);
    invertSymmetricInPlace(m, 2);
    const expected = [3 / 11, -1 / 11, -1 / 11, 4 / 11];
    for (const [index, value] of expected.entries()) assert.ok(Math.abs((m[index] ?? 0) - value) < 1e-12);
  });
});

describe('content similarity', () => {
  const index = new ContentIndex([
    { genres: ['Thriller', 'Crime'], tags: ['heist'], text: ['Heat'] },
    { genres: ['Thriller', 'Crime'], tags: ['heist', 'twist ending'], text: ['The Town'] },
    { genres: ['Comedy'], text: ['Airplane!'] },
    { genres: ['Thriller'], tags: ['heist'], text: ['A brand-new heist film'] },
  ]);
  it('finds a title like another through shared genres, tags and words — before anyone watched it', () => {
    assert.deepEqual(
      index.similar(0, 3).map((entry) => entry.item),
      [1, 3],
    );
    assert.equal(index.similar(2, 3).length, 0);
    const scores = index.score([{ item: 0, weight: 1 }]);
    assert.ok(Math.abs((scores[0] ?? 0) - 1) < 1e-6, 'a title is its own cosine 1');
  });
});

describe('blend and diversity', () => {
  const names = ['Toy Story', 'Toy Story 2', 'Toy Story 3', 'Heat', 'Up', 'Alien', 'Aliens', 'Cars'];
  const genres = [
    'Animation',
    'Animation',
    'Animation',
    'Thriller',
    'Animation',
    'Horror',
    'Horror',
    'Animation',
  ];
  const facts = {
    franchise: (item: number) => franchiseKey(names[item] ?? ''),
    primaryGenre: (item: number) => genres[item],
  };

  it('keys franchises from names', () => {
    assert.equal(franchiseKey('Toy Story 3'), 'toy story');
    assert.equal(franchiseKey('Star Wars: Episode V - The Empire Strikes Back'), 'star wars');
    assert.equal(franchiseKey('Rocky IV'), 'rocky');
    assert.equal(franchiseKey('Heat'), 'heat');
  });

  it('scales each model to [0, 1] before weighting', () => {
    const blended = blendScores(
      { ease: Float32Array.from([10, 5]), content: Float32Array.from([0, 0.5]) },
      { ease: 1, neighbours: 0, content: 1, popularity: 0 },
    );
    assert.deepEqual([...blended], [1, 1.5]);
  });

  it('caps a franchise, breaks genre runs, excludes what must never come back', () => {
    const scores = Float32Array.from([8, 7, 6, 1, 5, 4, 3, 4.5]);
    const picked = diversify({
      scores,
      k: 6,
      exclude: new Set([6]),
      facts,
      rules: { maxPerFranchise: 2, maxGenreRun: 2 },
    });
    assert.deepEqual(picked, [0, 1, 5, 4, 7, 3]);
    assert.ok(!picked.includes(2), 'no third Toy Story');
    assert.ok(!picked.includes(6), 'excluded');
  });
});

describe('trending and the temporal split', () => {
  it('trending favours recent plays and ignores the future', () => {
    const day = 86_400_000;
    const scores = trending({
      plays: [
        { item: 0, at: 10 * day },
        { item: 1, at: 3 * day },
        { item: 1, at: 3 * day },
        { item: 1, at: 3 * day },
        { item: 2, at: 11 * day },
      ],
      itemCount: 3,
      now: 10 * day,
      halfLifeDays: 7,
    });
    assert.equal(scores[0], 1);
    assert.ok(Math.abs((scores[1] ?? 0) - 3 * 0.5) < 1e-6);
    assert.equal(scores[2], 0);
  });

  it('holds out each user’s most recent 20 %', () => {
    const rows = Array.from({ length: 10 }, (_, index) => ({
      user: 'u',
      item: `i${index}`,
      at: 100 - index,
    }));
    rows.push({ user: 'solo', item: 'x', at: 1 });
    const { train, test } = temporalSplit(rows, 0.2);
    assert.deepEqual(test.map((row) => row.item).sort(), ['i0', 'i1']);
    assert.equal(train.length, 9);
  });
});
