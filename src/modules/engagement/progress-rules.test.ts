import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clampPosition, isFinished, recordedAt, resumeFrom } from './progress-rules.ts';

describe('progress rules', () => {
  it('counts an item finished within 30 s of the end, or its last 5 % when short', () => {
    const cases: Array<[number, number | null, boolean]> = [
      [0, 7200, false],
      [7169, 7200, false],
      [7171, 7200, true],
      [7200, 7200, true],
      [94, 100, false],
      [95.5, 100, true],
      [50, null, false],
      [0, 0, false],
    ];
    for (const [position, duration, finished] of cases) {
      assert.equal(isFinished(position, duration), finished, `${position}/${duration}`);
    }
  });

  it('clamps a position past the end to the end, and keeps unknown durations open', () => {
    assert.equal(clampPosition(9000, 7200), 7200);
    assert.equal(clampPosition(60, 7200), 60);
    assert.equal(clampPosition(9000, null), 9000);
    assert.equal(clampPosition(-5, 100), 0);
  });

  it('resumes from the start once finished', () => {
    assert.equal(resumeFrom(7190, 7200), 0);
    assert.equal(resumeFrom(600, 7200), 600);
  });

  it("takes the player's time, but never one after the server's now", () => {
    const now = new Date('2026-11-30T10:00:00Z');
    const earlier = new Date('2026-11-29T22:00:00Z');
    assert.equal(recordedAt(earlier, now), earlier);
    assert.equal(recordedAt(new Date('2027-01-01T00:00:00Z'), now), now);
    assert.equal(recordedAt(undefined, now), now);
  });
});
