import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseRendition, renditionOfHeight } from './renditions.ts';

describe('chooseRendition', () => {
  const renditions = [240, 480, 720, 1080].map((height) => ({
    name: `v${height}`,
    width: Math.round((height * 16) / 9 / 2) * 2,
    height,
    tier: 'SD',
    bandwidth: height * 1000,
    playlist: `v${height}/index.m3u8`,
  }));
  const cases: Array<[string, number, number | undefined, string]> = [
    ['the best the plan allows', 720, undefined, 'v720'],
    ['premium gets the top rung', 2160, undefined, 'v1080'],
    ['what the device asks, within the plan', 1080, 480, 'v480'],
    ['a device asking for more gets the plan cap', 480, 1080, 'v480'],
    ['asking below the smallest: the smallest', 720, 100, 'v240'],
  ];
  for (const [name, planMaxHeight, requestedMaxHeight, expected] of cases) {
    it(name, () => {
      const chosen = chooseRendition({
        renditions,
        planMaxHeight,
        ...(requestedMaxHeight !== undefined && { requestedMaxHeight }),
      });
      assert.equal(chosen.name, expected);
    });
  }
  it('refuses a plan below every rendition', () => {
    assert.throws(
      () => chooseRendition({ renditions: renditions.slice(2), planMaxHeight: 480 }),
      (error) => (error as { code?: string }).code === 'PLAYBACK_PLAN_REQUIRED',
    );
  });
  it('finds a download’s rendition by the short side it recorded', () => {
    assert.equal(renditionOfHeight(renditions, 720)?.name, 'v720');
    assert.equal(renditionOfHeight(renditions, 360), undefined);
  });
});
