import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressBuffer, progressKey, type BufferedProgress } from './progress-buffer.ts';

const entry = (itemId: string, positionSeconds: number, at: string): BufferedProgress => ({
  userId: 'u1',
  profileKey: 'p1',
  itemId,
  titleId: itemId,
  positionSeconds,
  durationSeconds: 100,
  finished: false,
  country: null,
  at: new Date(at),
});

describe('progress buffer', () => {
  it('keeps one entry per key: the latest by the player’s time, whatever the arrival order', () => {
    const buffer = new ProgressBuffer({ maxEntries: 10 });
    assert.equal(buffer.offer(entry('a', 10, '2026-11-30T10:00:10Z')), 'accepted');
    assert.equal(buffer.offer(entry('a', 30, '2026-11-30T10:00:30Z')), 'accepted');
    assert.equal(buffer.offer(entry('a', 20, '2026-11-30T10:00:20Z')), 'superseded');
    assert.equal(buffer.size, 1);
    assert.equal(buffer.get(progressKey(entry('a', 0, '2026-11-30T10:00:00Z')))?.positionSeconds, 30);
  });

  it('is bounded: a new key past the bound is refused, an existing key still updates', () => {
    const buffer = new ProgressBuffer({ maxEntries: 2 });
    buffer.offer(entry('a', 1, '2026-11-30T10:00:00Z'));
    buffer.offer(entry('b', 1, '2026-11-30T10:00:00Z'));
    assert.equal(buffer.offer(entry('c', 1, '2026-11-30T10:00:00Z')), 'full');
    assert.equal(buffer.offer(entry('a', 2, '2026-11-30T10:00:01Z')), 'accepted');
    assert.equal(buffer.size, 2);
  });

  it('drains everything at once and discards what matches', () => {
    const buffer = new ProgressBuffer({ maxEntries: 10 });
    buffer.offer(entry('a', 1, '2026-11-30T10:00:00Z'));
    buffer.offer(entry('b', 1, '2026-11-30T10:00:00Z'));
    buffer.discard((waiting) => waiting.itemId === 'a');
    assert.deepEqual(
      buffer.drain().map((waiting) => waiting.itemId),
      ['b'],
    );
    assert.equal(buffer.size, 0);
  });
});
