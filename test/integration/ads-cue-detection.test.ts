import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { InjectOptions } from 'fastify';
import { registerViewer } from '../support/accounts.ts';
import { ffmpegPath, scratchDir } from '../support/media-clips.ts';
import { createMovie, harness, upload, waitForJob, type Harness } from '../support/media-harness.ts';

/**
 * Cue points proposed from scene changes, on real parts: a title whose video cuts hard from one
 * picture to another at 12 s is transcoded by the pipeline; an admin asks for a detection, the
 * ads.detect-cue-points job runs ffmpeg's scdet on the stored source and proposes 12 s; nothing
 * is a cue point until the admin puts the proposal. Bad requests are refused.
 */
describe('ad cue points detected from scene changes', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let movieId: string;

  const admin = (options: InjectOptions) =>
    h.context.app.inject({ ...options, headers: { ...h.admin.headers, ...options.headers } });

  before(async () => {
    h = await harness(undefined, { TRANSCODE_LADDER: '240:300' });
    scratch = await scratchDir();
    const clip = path.join(scratch.dir, 'cut.mp4');
    const source = (name: string, seconds: number) => `${name}=size=426x240:rate=10:duration=${seconds}`;
    // 45 s: a cue must fall after the opening (10 s) and before the credits (the last 30 s).
    await promisify(execFile)(ffmpegPath, [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-filter_complex'],
      `${source('testsrc2', 12)}[a];${source('smptebars', 33)}[b];[a][b]concat=n=2:v=1[v];sine=duration=45[s]`,
      ...['-map', '[v]', '-map', '[s]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', clip],
    ]);
    movieId = await createMovie(h, 'A film with a hard cut');
    const asset = await upload(h, movieId, clip);
    const job = await waitForJob(h, asset.id, (j) => j.status === 'ready' || j.status === 'failed');
    assert.equal(job.status, 'ready', JSON.stringify(job.failure));
  });
  after(async () => {
    await h?.close();
    await scratch?.remove();
  });

  const detection = (itemId: string) => admin({ url: `/api/admin/ads/cue-points/${itemId}/detection` });

  it('proposes the cut; the admin accepts it as a cue point', async () => {
    const none = await detection(movieId);
    assert.equal(none.statusCode, 404, none.body);
    assert.equal(none.json<{ code: string }>().code, 'ADS_CUE_DETECTION_NOT_FOUND');

    const asked = await admin({
      method: 'POST',
      url: `/api/admin/ads/cue-points/${movieId}/detection`,
      payload: {},
    });
    assert.equal(asked.statusCode, 202, asked.body);
    assert.equal(asked.json<{ status: string; threshold: number }>().status, 'detecting');
    assert.equal(asked.json<{ threshold: number }>().threshold, 10);

    let found = asked.json<{ status: string; proposed: number[]; failure: string | null }>();
    for (const deadline = Date.now() + 90_000; found.status === 'detecting'; await sleep(200)) {
      assert.ok(Date.now() < deadline, 'the detection finished');
      found = (await detection(movieId)).json();
    }
    assert.equal(found.failure, null);
    assert.equal(found.status, 'ready');
    assert.equal(found.proposed.length, 1, JSON.stringify(found.proposed));
    assert.ok(Math.abs(found.proposed[0]! - 12) < 0.2, `the cut at 12 s: ${found.proposed[0]}`);

    // Proposed, not set: the title has no cue points until the admin puts them.
    const before = await admin({ url: `/api/admin/ads/cue-points/${movieId}` });
    assert.deepEqual(before.json<{ seconds: number[] }>().seconds, []);
    const accepted = await admin({
      method: 'PUT',
      url: `/api/admin/ads/cue-points/${movieId}`,
      payload: { seconds: found.proposed },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.deepEqual(accepted.json<{ seconds: number[] }>().seconds, found.proposed);
  });

  it('refuses an item without video, a bad threshold, and anyone without ads:manage', async () => {
    const draft = await createMovie(h, 'Nothing uploaded yet');
    const noVideo = await admin({
      method: 'POST',
      url: `/api/admin/ads/cue-points/${draft}/detection`,
      payload: {},
    });
    assert.equal(noVideo.statusCode, 409, noVideo.body);
    assert.equal(noVideo.json<{ code: string }>().code, 'ADS_CUE_DETECTION_NO_VIDEO');
    assert.equal((await detection(draft)).statusCode, 404, 'nothing was started');

    for (const threshold of [0, 101, 'high']) {
      const bad = await admin({
        method: 'POST',
        url: `/api/admin/ads/cue-points/${movieId}/detection`,
        payload: { threshold },
      });
      assert.equal(bad.statusCode, 400, `${String(threshold)}: ${bad.body}`);
      assert.match(String(bad.headers['content-type']), /^application\/problem\+json/);
    }

    const viewer = await registerViewer(h.context.app);
    for (const request of [
      { method: 'POST' as const, url: `/api/admin/ads/cue-points/${movieId}/detection`, payload: {} },
      { method: 'GET' as const, url: `/api/admin/ads/cue-points/${movieId}/detection` },
    ]) {
      assert.equal((await h.context.app.inject(request)).statusCode, 401, `nobody: ${request.method}`);
      const refused = await h.context.app.inject({ ...request, headers: viewer.headers });
      assert.equal(refused.statusCode, 403, `a viewer: ${request.method}`);
    }
  });
});
