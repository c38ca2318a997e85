import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceCeiling, xPositions } from '../../web/ui/chart-scale.ts';
import { bucketLabel, perBucket, topTitles } from '../../web/admin/src/analytics/figure-math.ts';
import { isStaff, sectionsFor } from '../../web/admin/src/access.ts';
import { resumeKey, tusMetadata } from '../../web/admin/src/media/tus-upload.ts';

/** The admin console's pure parts: tus metadata, chart scales, figure sums, sections per role. */
describe('the admin console', () => {
  it('writes tus Upload-Metadata as "key base64(utf-8)" pairs', () => {
    assert.equal(
      tusMetadata({ filename: 'clip.mp4', itemId: 'abc' }),
      `filename ${Buffer.from('clip.mp4').toString('base64')},itemId ${Buffer.from('abc').toString('base64')}`,
    );
    // Non-ASCII names survive as UTF-8, as @tus/server decodes them.
    assert.equal(
      tusMetadata({ filename: 'Amélie.mp4' }),
      `filename ${Buffer.from('Amélie.mp4').toString('base64')}`,
    );
  });

  it('remembers an upload per item and file, so the same file resumes and another starts anew', () => {
    const file = { name: 'a.mp4', size: 10, lastModified: 1 };
    assert.equal(resumeKey('item', file), resumeKey('item', { ...file }));
    assert.notEqual(resumeKey('item', file), resumeKey('other', file));
    assert.notEqual(resumeKey('item', file), resumeKey('item', { ...file, lastModified: 2 }));
  });

  for (const [max, ceiling] of [
    [0, 1],
    [0.3, 0.5],
    [1, 1],
    [7, 10],
    [12, 20],
    [48, 50],
    [51, 100],
    [1234, 2000],
  ] as const) {
    it(`puts the axis top of ${max} at ${ceiling}`, () => assert.equal(niceCeiling(max), ceiling));
  }

  it('spreads points across the plot, one in the middle when alone', () => {
    const xs = xPositions(3);
    assert.equal(xs.length, 3);
    assert.ok(xs[0]! < xs[1]! && xs[1]! < xs[2]!);
    assert.equal(xPositions(1).length, 1);
  });

  it('sums title figures per bucket and ranks titles by watch hours', () => {
    const row = (bucket: string, titleId: string, plays: number, watchHours: number) => ({
      bucket,
      titleId,
      plays,
      finishes: 0,
      watchHours,
      completionRate: null,
    });
    const rows = [
      row('2026-11-02T00:00:00.000Z', 'b', 1, 5),
      row('2026-11-01T00:00:00.000Z', 'a', 2, 1),
      row('2026-11-01T00:00:00.000Z', 'b', 3, 1),
    ];
    assert.deepEqual(
      perBucket(rows, (r) => r.plays),
      [5, 1],
    );
    assert.deepEqual(topTitles(rows, 1), [{ titleId: 'b', watchHours: 6 }]);
    assert.equal(bucketLabel('2026-11-01T00:00:00.000Z', 'day'), '11-01');
    assert.equal(bucketLabel('2026-11-01T14:00:00.000Z', 'hour'), '11-01 14:00');
  });

  it('opens sections by role, and none to a viewer', () => {
    assert.equal(isStaff(['viewer']), false);
    assert.deepEqual([...sectionsFor(['support'])].sort(), ['audit', 'comments', 'users']);
    assert.ok(sectionsFor(['viewer', 'content_manager']).has('content'));
    assert.equal(sectionsFor(['admin']).size, 9);
  });
});
