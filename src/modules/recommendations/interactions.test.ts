import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildInteractionMatrix,
  decay,
  DEFAULT_SIGNAL_WEIGHTS,
  signalWeight,
  topK,
  transpose,
  type Interaction,
} from './interactions.ts';

const DAY = 86_400_000;
const at = (user: string, item: string, signal: Interaction['signal'], daysAgo = 0): Interaction => ({
  user,
  item,
  signal,
  at: 1_000 * DAY - daysAgo * DAY,
});

describe('interaction matrix', () => {
  it('sums weighted signals per cell, drops cells at or below zero, keeps the catalog column order', () => {
    const weights = { ...DEFAULT_SIGNAL_WEIGHTS, halfLifeDays: 0 };
    const matrix = buildInteractionMatrix({
      items: ['a', 'b', 'c'],
      weights,
      now: 1_000 * DAY,
      interactions: [
        at('u1', 'c', { kind: 'rating', stars: 5 }),
        at('u1', 'a', { kind: 'myList' }),
        at('u1', 'a', { kind: 'thumb', up: true }),
        at('u2', 'b', { kind: 'play', completion: 0.1 }),
        at('u2', 'b', { kind: 'notInterested' }),
        at('u2', 'zzz', { kind: 'finish' }),
        at('u2', 'a', { kind: 'finish' }),
      ],
    });
    assert.deepEqual(matrix.users, ['u1', 'u2']);
    const u1 = matrix.row(0);
    assert.deepEqual([...u1.indices], [0, 2]);
    assert.deepEqual([...u1.values], [weights.myList + weights.thumbUp, 1 + 0.5 * 2.5]);
    assert.deepEqual([...matrix.row(1).indices], [0]);
    assert.deepEqual([...matrix.itemDegrees()], [2, 0, 1]);
    assert.deepEqual([...matrix.byItem.indices], [0, 1, 0]);
  });

  it('halves a signal per half-life, measured back from now (one instant or per user)', () => {
    assert.equal(decay(0, 30), 1);
    assert.equal(decay(30 * DAY, 30), 0.5);
    assert.equal(decay(60 * DAY, 30), 0.25);
    assert.equal(decay(60 * DAY, 0), 1);
    const matrix = buildInteractionMatrix({
      items: ['a'],
      weights: { ...DEFAULT_SIGNAL_WEIGHTS, halfLifeDays: 10 },
      now: (user) => (user === 'old' ? 990 * DAY : 1_000 * DAY),
      interactions: [at('old', 'a', { kind: 'finish' }, 10), at('new', 'a', { kind: 'finish' }, 10)],
    });
    assert.equal(matrix.row(0).values[0], DEFAULT_SIGNAL_WEIGHTS.finish);
    assert.equal(matrix.row(1).values[0], DEFAULT_SIGNAL_WEIGHTS.finish / 2);
  });

  it('weighs each kind of signal as documented', () => {
    const w = DEFAULT_SIGNAL_WEIGHTS;
    assert.equal(signalWeight({ kind: 'play', completion: 1 }, w), w.play * 1.5);
    assert.equal(signalWeight({ kind: 'rating', stars: 0.5 }, w), 0);
    assert.ok(signalWeight({ kind: 'thumb', up: false }, w) < 0);
    assert.ok(signalWeight({ kind: 'abandon' }, w) < 0);
  });

  it('transposes and picks the top k', () => {
    const csr = {
      rows: 2,
      cols: 3,
      indptr: Int32Array.from([0, 2, 3]),
      indices: Int32Array.from([0, 2, 1]),
      values: Float32Array.from([1, 2, 3]),
    };
    const t = transpose(csr);
    assert.deepEqual([...t.indptr], [0, 1, 2, 3]);
    assert.deepEqual([...t.indices], [0, 1, 0]);
    assert.deepEqual([...t.values], [1, 3, 2]);
    assert.deepEqual(topK(Float32Array.from([0.1, 5, 0, 3, 4, -1]), 3), [1, 4, 3]);
    assert.deepEqual(topK(Float32Array.from([0.1, 5, 0, 3, 4]), 2, new Set([1])), [4, 3]);
  });
});
