import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { parseVmap } from '../support/ad-documents.ts';
import { scratchDir } from '../support/media-clips.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';

interface PlanView {
  id: string;
  hasAds: boolean;
  adPreroll: boolean;
  adMidrollIntervalMinutes: number;
  adPodMax: number;
}

/**
 * The Free plan's ad policy, edited through the plans admin API (`plans:manage`): validated,
 * audited, refused to everyone else, and read by the ad server for the next stream's schedule.
 */
describe('Ads: the plan’s ad policy, edited by an admin', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let movieId: string;
  let viewer: SignedIn;

  const inject = (options: InjectOptions) => h.context.app.inject(options);
  const patchFree = (who: SignedIn | null, payload: Record<string, unknown>) =>
    inject({
      method: 'PATCH',
      url: '/api/admin/plans/free',
      ...(who && { headers: who.headers }),
      payload,
    });
  const freePlan = async () =>
    (await inject({ url: '/api/admin/plans', headers: h.admin.headers }))
      .json<{ plans: PlanView[] }>()
      .plans.find((plan) => plan.id === 'free')!;
  /** The VMAP of a new stream of the viewer's: its breaks' offsets (seconds). */
  const nextSchedule = async () => {
    const stream = await inject({ method: 'POST', url: `/api/playback/${movieId}`, headers: viewer.headers });
    assert.equal(stream.statusCode, 201, stream.body);
    const { sessionId, ads } = stream.json<{ sessionId: string; ads?: { vmapUrl: string } }>();
    const vmap = await inject({ url: `/api/ads/vmap?session=${sessionId}`, headers: viewer.headers });
    await inject({ method: 'DELETE', url: `/api/playback/sessions/${sessionId}`, headers: viewer.headers });
    return { ads, vmap };
  };
  const offsets = (xml: string) => parseVmap(xml).adBreaks.map((adBreak) => adBreak.timeOffset);

  before(async () => {
    h = await harness();
    scratch = await scratchDir();
    ({ movieId } = await publishedClip(h, {
      title: 'Policy movie',
      dir: scratch.dir,
      seconds: 2,
      width: 320,
      height: 180,
    }));
    viewer = await registerViewer(h.context.app);
  });
  after(async () => {
    await h?.close();
    await scratch?.remove();
  });

  it('the policy is part of the plan, and a change to it reaches the next VMAP', async () => {
    assert.deepEqual(
      (({ hasAds, adPreroll, adMidrollIntervalMinutes, adPodMax }) => ({
        hasAds,
        adPreroll,
        adMidrollIntervalMinutes,
        adPodMax,
      }))(await freePlan()),
      { hasAds: true, adPreroll: true, adMidrollIntervalMinutes: 10, adPodMax: 2 },
    );
    const before = await nextSchedule();
    assert.equal(before.vmap.statusCode, 200, before.vmap.body);
    assert.deepEqual(offsets(before.vmap.body), ['start']);

    const patched = await patchFree(h.admin, { adPreroll: false, adMidrollIntervalMinutes: 5, adPodMax: 4 });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(
      (({ adPreroll, adMidrollIntervalMinutes, adPodMax }) => ({
        adPreroll,
        adMidrollIntervalMinutes,
        adPodMax,
      }))(patched.json<PlanView>()),
      { adPreroll: false, adMidrollIntervalMinutes: 5, adPodMax: 4 },
    );
    const row = await h.context.deps.database.db
      .selectFrom('plans')
      .select(['adPreroll', 'adMidrollIntervalSeconds', 'adPodMax'])
      .where('id', '=', 'free')
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { adPreroll: false, adMidrollIntervalSeconds: 300, adPodMax: 4 });
    // No pre-roll, and a two-second title has no room for a mid-roll: an empty schedule.
    const after = await nextSchedule();
    assert.equal(after.vmap.statusCode, 200, after.vmap.body);
    assert.deepEqual(offsets(after.vmap.body), []);

    const audit = await h.context.deps.database.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'plan.updated')
      .where('targetId', '=', 'free')
      .orderBy('createdAt', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(audit.actorId, h.admin.userId);
    assert.deepEqual(audit.after, { adPreroll: false, adMidrollIntervalMinutes: 5, adPodMax: 4 });

    // No ads at all: the next stream carries no ad data and the schedule is refused.
    assert.equal((await patchFree(h.admin, { hasAds: false })).statusCode, 200);
    const none = await nextSchedule();
    assert.equal(none.ads, undefined);
    assert.equal(none.vmap.statusCode, 403, none.vmap.body);
    assert.equal(none.vmap.json<{ code: string }>().code, 'ADS_NOT_ON_PLAN');

    const restored = await patchFree(h.admin, { hasAds: true, adPreroll: true });
    assert.equal(restored.statusCode, 200, restored.body);
    assert.deepEqual(offsets((await nextSchedule()).vmap.body), ['start']);
  });

  it('absurd values are refused with problem+json and change nothing', async () => {
    const before = await freePlan();
    for (const payload of [
      { adPodMax: 0 },
      { adPodMax: 7 },
      { adPodMax: 2.5 },
      { adMidrollIntervalMinutes: -1 },
      { adMidrollIntervalMinutes: 121 },
      { adMidrollIntervalMinutes: '10' },
      { adPreroll: 'yes' },
      { hasAds: null },
    ]) {
      const response = await patchFree(h.admin, payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(String(response.headers['content-type']), /application\/problem\+json/);
    }
    assert.deepEqual(await freePlan(), before);
  });

  it('only plans:manage may change it: anonymous, a viewer, support and a content manager are refused', async () => {
    const before = await freePlan();
    const support = await signInWithRoles(h.context, ['support']);
    const contentManager = await signInWithRoles(h.context, ['content_manager']);
    assert.equal((await patchFree(null, { adPodMax: 6 })).statusCode, 401);
    for (const who of [viewer, support, contentManager]) {
      const response = await patchFree(who, { adPodMax: 6, hasAds: false });
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json<{ code: string }>().code, 'FORBIDDEN');
    }
    assert.deepEqual(await freePlan(), before);
  });
});
