import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STARTUP_BIN_COUNT, startupBin, startupQuantile } from './qoe-bins.ts';

const binsOf = (startTimes: readonly number[]) => {
  const bins: number[] = Array.from({ length: STARTUP_BIN_COUNT }, () => 0);
  for (const ms of startTimes) bins[startupBin(ms)] = (bins[startupBin(ms)] ?? 0) + 1;
  return bins;
};

describe('start-time histogram', () => {
  const binCases: Array<[number, number]> = [
    [0, 0],
    [250, 0],
    [251, 1],
    [999, 3],
    [1000, 3],
    [20_000, 10],
    [20_001, 11],
    [600_000, 11],
  ];
  for (const [ms, bin] of binCases)
    it(`puts ${ms} ms in bin ${bin}`, () => assert.equal(startupBin(ms), bin));

  it('answers null without plays', () => assert.equal(startupQuantile(binsOf([]), 0.5), null));

  it('interpolates inside the bin, within one bin of the exact quantile', () => {
    // 100 start times spread 10 ms apart from 5 ms: the exact median is ~500 ms, p95 ~950 ms.
    const times = Array.from({ length: 100 }, (_, index) => 5 + index * 10);
    const bins = binsOf(times);
    const p50 = startupQuantile(bins, 0.5) ?? Number.NaN;
    const p95 = startupQuantile(bins, 0.95) ?? Number.NaN;
    assert.ok(p50 > 250 && p50 <= 500, `p50 ${p50}`);
    assert.ok(p95 > 750 && p95 <= 1000, `p95 ${p95}`);
    assert.ok(p50 < p95);
  });

  it('answers the lower bound of the open last bin, and the only value of a single-bin set', () => {
    assert.equal(startupQuantile(binsOf([30_000, 40_000]), 0.95), 20_000);
    assert.equal(startupQuantile(binsOf([1200, 1300, 1400, 1450]), 1), 1500);
  });
});
