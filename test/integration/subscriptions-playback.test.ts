import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InjectOptions } from 'fastify';
import { parse, type types } from 'hls-parser';
import { loginAs, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';
import { scratchDir } from '../support/media-clips.ts';

/**
 * The sandbox flow end to end against a real transcoded title: a stream started on Free keeps
 * playing while its account subscribes, and its next heartbeat carries the new plan's quality;
 * the plan's stream limit applies at once; cancelling reaches the same playing stream.
 */
describe('Subscriptions reach playback, including a stream already playing', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let movieId: string;

  before(async () => {
    h = await harness(undefined, {
      TRANSCODE_LADDER: '240:300,480:600,720:900,1080:1400',
      PAYMENTS_SANDBOX: 'true',
    });
    scratch = await scratchDir();
    ({ movieId } = await publishedClip(h, { title: 'Subscribed playback', dir: scratch.dir, seconds: 4 }));
  });
  after(async () => {
    await h.close();
    await scratch.remove();
  });

  const inject = (options: InjectOptions) => h.context.app.inject(options);
  const start = (viewer: SignedIn) =>
    inject({ method: 'POST', url: `/api/playback/${movieId}`, headers: viewer.headers });
  const heights = async (masterPlaylistUrl: string) => {
    const response = await inject({ url: masterPlaylistUrl });
    assert.equal(response.statusCode, 200, response.body);
    return (parse(response.body) as types.MasterPlaylist).variants.map((v) => v.resolution?.height ?? 0);
  };
  const planOf = async (viewer: SignedIn) =>
    (await inject({ method: 'GET', url: '/api/subscription/status', headers: viewer.headers })).json<{
      planId: string;
    }>().planId;

  it('subscribe → paid in the sandbox → a playing stream gets the plan at its heartbeat → cancel → back to Free', async () => {
    const viewer = await signInWithRoles(h.context, ['viewer']);
    const first = await start(viewer);
    assert.equal(first.statusCode, 201, first.body);
    const stream = first.json<{ sessionId: string; masterPlaylistUrl: string }>();
    assert.deepEqual(await heights(stream.masterPlaylistUrl), [240, 480], 'Free: 480p at most');
    // A second device (Free allows two devices, one stream).
    const tv = await loginAs(h.context.app, viewer, { device: { name: 'TV', type: 'tv' } });
    const second = await start(tv);
    assert.equal(second.statusCode, 409, 'Free: one stream');
    assert.equal(second.json<{ code: string }>().code, 'PLAYBACK_STREAM_LIMIT');
    const heartbeat = () =>
      inject({
        method: 'POST',
        url: `/api/playback/sessions/${stream.sessionId}/heartbeat`,
        headers: viewer.headers,
        payload: { positionSeconds: 1 },
      });

    const checkout = await inject({
      method: 'POST',
      url: '/api/subscribe',
      headers: viewer.headers,
      payload: { planId: 'premium', interval: 'month', provider: 'sandbox' },
    });
    assert.equal(checkout.statusCode, 201, checkout.body);
    const page = new URL(checkout.json<{ checkoutUrl: string }>().checkoutUrl).pathname;
    assert.equal(
      (await inject({ method: 'POST', url: page, payload: { outcome: 'succeed' } })).statusCode,
      200,
    );
    const deadline = Date.now() + 20_000;
    while ((await planOf(viewer)) !== 'premium') {
      assert.ok(Date.now() < deadline, 'the sandbox payment was applied');
      await sleep(50);
    }

    assert.equal((await heartbeat()).statusCode, 200);
    assert.deepEqual(
      await heights(stream.masterPlaylistUrl),
      [240, 480, 720, 1080],
      'the playing stream reaches 1080p',
    );
    const another = await start(tv);
    assert.equal(another.statusCode, 201, 'Premium: a second stream');

    const cancel = await inject({
      method: 'POST',
      url: '/api/subscription/cancel',
      headers: viewer.headers,
      payload: { atPeriodEnd: false },
    });
    assert.equal(cancel.statusCode, 204, cancel.body);
    assert.equal(await planOf(viewer), 'free');
    assert.equal((await heartbeat()).statusCode, 200);
    assert.deepEqual(await heights(stream.masterPlaylistUrl), [240, 480], 'back to 480p on the same stream');
  });
});
