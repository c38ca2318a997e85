import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QualityTier } from '../media/index.ts';
import { mayReceiveKey, planQuality, tiersFor } from './quality.ts';

describe('tiersFor', () => {
  const cases: Array<[number, QualityTier[]]> = [
    [240, ['SD']],
    [360, ['SD']],
    [479, ['SD']],
    [480, ['SD']],
    [719, ['SD']],
    [720, ['SD', 'HD']],
    [1079, ['SD', 'HD']],
    [1080, ['SD', 'HD', 'FHD']],
    [1440, ['SD', 'HD', 'FHD']],
    [2159, ['SD', 'HD', 'FHD']],
    [2160, ['SD', 'HD', 'FHD', 'UHD']],
    [4320, ['SD', 'HD', 'FHD', 'UHD']],
    [Number.POSITIVE_INFINITY, ['SD', 'HD', 'FHD', 'UHD']],
  ];
  for (const [maxHeight, expected] of cases) {
    it(`${maxHeight} → ${expected.join(', ')}`, () => assert.deepEqual(tiersFor(maxHeight), expected));
  }
});

describe('mayReceiveKey', () => {
  const cases: Array<[QualityTier, number, boolean]> = [
    ['SD', 360, true],
    ['HD', 480, false],
    ['HD', 720, true],
    ['FHD', 720, false],
    ['FHD', 1080, true],
    ['UHD', 1080, false],
    ['UHD', 2160, true],
  ];
  for (const [keyTier, maxHeight, expected] of cases) {
    it(`${keyTier} key under ${maxHeight} → ${expected}`, () =>
      assert.equal(mayReceiveKey({ keyTier, maxHeight }), expected));
  }
});

describe('planQuality', () => {
  const basic = {
    id: 'basic',
    maxHeight: 720,
    maxStreams: 1,
    maxDevices: 3,
    maxDownloads: 0,
    maxDownloadDevices: 0,
  };

  it('derives tiers and whether downloads are allowed, frozen', () => {
    const quality = planQuality(basic);
    assert.deepEqual(quality.tiers, ['SD', 'HD']);
    assert.equal(quality.allowsDownloads, false);
    assert.equal(planQuality({ ...basic, maxDownloads: 10, maxDownloadDevices: 2 }).allowsDownloads, true);
    assert.equal(Object.isFrozen(quality), true);
  });

  it('refuses impossible rows', () => {
    assert.throws(() => planQuality({ ...basic, maxStreams: -1 }), /maxStreams/);
    assert.throws(() => planQuality({ ...basic, maxDownloads: 1.5 }), /maxDownloads/);
    assert.throws(() => planQuality({ ...basic, maxHeight: 0 }), /maxHeight/);
    assert.throws(() => planQuality({ ...basic, maxHeight: Number.NaN }), /maxHeight/);
  });
});
