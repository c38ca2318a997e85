import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketLabel, perBucket, topTitles } from '../../web/admin/src/analytics/figure-math.ts';
import { isStaff, sectionsFor } from '../../web/admin/src/access.ts';
import { resumeKey } from '../../web/admin/src/media/tus-upload.ts';

/** The admin console's pure parts: the tus resume fingerprint, figure sums, sections per role. */
describe('the admin console', () => {
  it('remembers an upload per item and file, so the same file resumes and another starts anew', () => {
    const file = { name: 'a.mp4', size: 10, lastModified: 1 };
    assert.equal(resumeKey('item', file), resumeKey('item', { ...file }));
    assert.notEqual(resumeKey('item', file), resumeKey('other', file));
    assert.notEqual(resumeKey('item', file), resumeKey('item', { ...file, lastModified: 2 }));
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
    assert.deepEqual([...sectionsFor(['support'])].sort(), ['audit', 'comments', 'subscriptions', 'users']);
    assert.ok(sectionsFor(['viewer', 'content_manager']).has('content'));
    assert.equal(sectionsFor(['admin']).size, 11);
  });
});
