import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planProgress, withinSpan, type ProgressPlan } from './transcode-progress.ts';

const ORDER: ReadonlyArray<keyof ProgressPlan> = [
  'encode',
  'quality',
  'hevc',
  'hevcQuality',
  'thumbnails',
  'package',
];

describe('transcode progress: each step’s share', () => {
  it('covers 0–100 in step order, without gaps, with or without HEVC', () => {
    for (const hevc of [false, true]) {
      const plan = planProgress({ hevc });
      assert.equal(plan[ORDER[0]!].start, 0);
      assert.equal(plan[ORDER.at(-1)!].end, 100);
      for (const [i, step] of ORDER.entries()) {
        assert.ok(plan[step].start <= plan[step].end, `${step} (hevc ${hevc})`);
        if (i > 0) assert.equal(plan[step].start, plan[ORDER[i - 1]!].end, `${step} (hevc ${hevc})`);
      }
    }
  });

  it('gives the HEVC encode a real share only when there is one, and keeps the H.264-only plan', () => {
    const table: Array<[boolean, keyof ProgressPlan, number, number]> = [
      [false, 'encode', 0, 80],
      [false, 'quality', 80, 90],
      [false, 'hevc', 90, 90],
      [false, 'thumbnails', 90, 97],
      [true, 'encode', 0, 35],
      [true, 'quality', 35, 45],
      [true, 'hevc', 45, 86],
      [true, 'hevcQuality', 86, 90],
      [true, 'thumbnails', 90, 97],
    ];
    for (const [hevc, step, start, end] of table) {
      assert.deepEqual(planProgress({ hevc })[step], { start, end }, `${step} (hevc ${hevc})`);
    }
  });

  it('maps a step’s own 0–100 into its span, clamping what ffmpeg over- or under-reports', () => {
    const seen: number[] = [];
    const report = withinSpan({ start: 48, end: 85 }, (percent) => seen.push(percent));
    for (const percent of [-5, 0, 50, 100, 120]) report(percent);
    assert.deepEqual(seen, [48, 48, 66.5, 85, 85]);
  });
});
