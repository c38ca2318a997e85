import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InjectOptions } from 'fastify';
import { registerViewer, type SignedIn } from '../support/accounts.ts';
import { assertVast4Inline, parseVast, parseVmap } from '../support/ad-documents.ts';
import { makeClip, makeTone, scratchDir } from '../support/media-clips.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';

/**
 * The ad server on real parts: creatives transcoded by the job, a free viewer's stream gets a
 * VMAP and VAST pods that vast-client and vmap read; targeting, competitive separation,
 * frequency caps and budgets decide the pods; beacons are signed, deduplicated and counted in
 * batches; paid plans and other accounts' streams get nothing.
 */
describe('Ads: decisioning, tracking and refusals', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let movieId: string;
  let creativeClip: string;
  const campaigns: Record<string, string> = {};
  const today = new Date().toISOString().slice(0, 10);

  const inject = (options: InjectOptions) => h.context.app.inject(options);
  const admin = (options: InjectOptions) =>
    inject({ ...options, headers: { ...h.admin.headers, ...options.headers } });

  async function createCampaign(name: string, fields: Record<string, unknown>, advertiserId: string) {
    const response = await admin({
      method: 'POST',
      url: '/api/admin/ads/campaigns',
      payload: {
        advertiserId,
        name,
        priority: 5,
        cpmMinor: 1500,
        budgetMinor: 10_000_000,
        startsAt: new Date(Date.now() - 3600_000).toISOString(),
        endsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        ...fields,
      },
    });
    assert.equal(response.statusCode, 201, response.body);
    const id = response.json<{ id: string }>().id;
    const creative = await admin({
      method: 'POST',
      url: `/api/admin/ads/campaigns/${id}/creatives`,
      payload: { name: `${name} spot`, clickThroughUrl: 'https://example.com/landing?x=1' },
    });
    assert.equal(creative.statusCode, 201, creative.body);
    const creativeId = creative.json<{ id: string }>().id;
    const upload = await admin({
      method: 'PUT',
      url: `/api/admin/ads/creatives/${creativeId}/video`,
      headers: { 'content-type': 'video/mp4' },
      payload: await readFile(creativeClip),
    });
    assert.equal(upload.statusCode, 202, upload.body);
    campaigns[name] = id;
    return { id, creativeId };
  }

  async function waitReady(campaignId: string) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const campaign = (await admin({ url: `/api/admin/ads/campaigns/${campaignId}` })).json<{
        creatives: Array<{ status: string; failure: string | null; renditions: unknown[] }>;
      }>();
      const [creative] = campaign.creatives;
      assert.notEqual(creative?.status, 'failed', creative?.failure ?? '');
      if (creative?.status === 'ready') return creative;
      assert.ok(Date.now() < deadline, 'the creative was transcoded');
      await sleep(100);
    }
  }

  const start = async (viewer: SignedIn) => {
    const response = await inject({
      method: 'POST',
      url: `/api/playback/${movieId}`,
      headers: viewer.headers,
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json<{ sessionId: string; ads?: { vmapUrl: string } }>();
  };
  const vast = (
    viewer: SignedIn,
    session: string,
    options: { breakIndex?: number; device?: string; country?: string } = {},
  ) =>
    inject({
      url: `/api/ads/vast?session=${session}&break=${options.breakIndex ?? 0}&device=${options.device ?? 'web'}`,
      headers: { ...viewer.headers, ...(options.country && { 'x-country': options.country }) },
    });
  const campaignNames = async (response: Awaited<ReturnType<typeof inject>>) => {
    assert.equal(response.statusCode, 200, response.body);
    assertVast4Inline(response.body);
    const parsed = await parseVast(response.body);
    const byId = new Map(Object.entries(campaigns).map(([name, id]) => [id, name]));
    return {
      names: parsed.ads.map((ad) => byId.get(adCampaignOf(response.body, ad.id)) ?? '?'),
      parsed,
    };
  };
  /** The Creative's adId carries the campaign (VAST 4.2 Creative@adId). */
  const adCampaignOf = (xml: string, instanceId: string) =>
    new RegExp(`<Ad id="${instanceId}"[^]*?<Creative id="[^"]+" sequence="1" adId="([^"]+)"`).exec(xml)![1]!;
  const report = async () => {
    const response = await admin({ url: `/api/admin/ads/report?from=${today}&to=${today}` });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<{
      impressions: number;
      completes: number;
      slotsRequested: number;
      slotsFilled: number;
      fillRate: number | null;
      completionRate: number | null;
      ecpmMinor: number | null;
      campaigns: Array<{ campaignId: string; impressions: number; completes: number; clicks: number }>;
    }>();
  };
  const delivered = async (name: string) =>
    (await report()).campaigns.find((row) => row.campaignId === campaigns[name]) ?? {
      impressions: 0,
      completes: 0,
      clicks: 0,
    };
  const beacon = (url: string) => inject({ url });

  before(async () => {
    h = await harness(undefined, { ADS_FLUSH_MS: '50', GEO_COUNTRY_HEADER: 'x-country' });
    scratch = await scratchDir();
    ({ movieId } = await publishedClip(h, { title: 'Ad-supported movie', dir: scratch.dir, seconds: 4 }));
    creativeClip = await makeClip({
      path: path.join(scratch.dir, 'spot.mp4'),
      width: 640,
      height: 360,
      seconds: 2,
      audio: [{ language: 'eng' }],
    });
    const advertiser = await admin({
      method: 'POST',
      url: '/api/admin/ads/advertisers',
      payload: { name: 'Acme' },
    });
    assert.equal(advertiser.statusCode, 201, advertiser.body);
    const advertiserId = advertiser.json<{ id: string }>().id;
    await createCampaign(
      'cars-one',
      { priority: 9, competitiveCategory: 'cars', frequencyCapPerDay: 2 },
      advertiserId,
    );
    await createCampaign('cars-two', { priority: 8, competitiveCategory: 'cars' }, advertiserId);
    await createCampaign('soda-de', { priority: 5, targeting: { regions: ['DE'] } }, advertiserId);
    await createCampaign('horror-only', { priority: 10, targeting: { genres: ['horror'] } }, advertiserId);
    // 1 minor unit at 1000 per thousand: one impression spends all of it.
    await createCampaign('tiny-budget', { priority: 7, budgetMinor: 1, cpmMinor: 1000 }, advertiserId);
    for (const id of Object.values(campaigns)) {
      const creative = await waitReady(id);
      assert.deepEqual(creative.renditions, [{ width: 640, height: 360, bitrateKbps: 700 }]);
    }
  });
  after(async () => {
    await h?.close();
    await scratch?.remove();
  });

  it('a free viewer: VMAP, pods by priority with separation, budgets, frequency caps, targeting, beacons once', async () => {
    const viewer = await registerViewer(h.context.app);
    const stream = await start(viewer);
    assert.equal(stream.ads?.vmapUrl, `/api/ads/vmap?session=${stream.sessionId}`);
    const vmapResponse = await inject({ url: stream.ads.vmapUrl, headers: viewer.headers });
    assert.equal(vmapResponse.statusCode, 200, vmapResponse.body);
    assert.match(String(vmapResponse.headers['content-type']), /^application\/xml/);
    const vmap = parseVmap(vmapResponse.body);
    // A 4 s title: the pre-roll only (mid-rolls every 600 s on Free).
    assert.deepEqual(
      vmap.adBreaks.map((adBreak) => [
        adBreak.timeOffset,
        adBreak.breakType,
        adBreak.adSource?.adTagURI?.uri,
      ]),
      [['start', 'linear', `/api/ads/vast?session=${stream.sessionId}&break=0&device=web`]],
    );

    // Horror-only misses the genre; cars-two is separated from cars-one; the pod holds two.
    const first = await campaignNames(await vast(viewer, stream.sessionId, { country: 'DE' }));
    assert.deepEqual(first.names, ['cars-one', 'tiny-budget']);
    const [, tiny] = first.parsed.ads;
    const linear = tiny!.creatives.find((creative) => creative.type === 'linear')!;
    assert.equal(linear.mediaFiles[0]!.fileURL.startsWith('/api/ads/media/'), true);
    const media = await inject({ url: linear.mediaFiles[0]!.fileURL, headers: { range: 'bytes=0-99' } });
    assert.equal(media.statusCode, 206);
    assert.equal(media.rawPayload.length, 100);
    assert.equal(media.rawPayload.subarray(4, 8).toString('latin1'), 'ftyp');

    // Five identical impressions count once; a forged or altered beacon is refused and not counted.
    const impression = tiny!.impressionURLTemplates[0]!.url;
    for (let n = 0; n < 5; n++) assert.equal((await beacon(impression)).statusCode, 204);
    const complete = linear.trackingEvents.complete![0]!;
    const forgedSignature = complete.replace(/s=[^&]+/, 's=AAAAAAAAAA');
    const impressionAsComplete = impression.replace('/impression?', '/complete?');
    for (const forged of [forgedSignature, impressionAsComplete]) {
      const refused = await beacon(forged);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json<{ code: string }>().code, 'ADS_BEACON_INVALID');
    }
    const deadline = Date.now() + 10_000;
    while ((await delivered('tiny-budget')).impressions < 1) {
      assert.ok(Date.now() < deadline, 'the impression was counted');
      await sleep(50);
    }
    await sleep(300);
    assert.deepEqual(await delivered('tiny-budget'), {
      ...(await delivered('tiny-budget')),
      impressions: 1,
      completes: 0,
    });
    // Replayed after the batch: still once.
    await beacon(impression);
    await sleep(300);
    assert.equal((await delivered('tiny-budget')).impressions, 1);

    // Its budget is spent: soda (in DE) takes the second slot.
    assert.deepEqual((await campaignNames(await vast(viewer, stream.sessionId, { country: 'DE' }))).names, [
      'cars-one',
      'soda-de',
    ]);
    // cars-one is capped at two a day for this profile: cars-two may serve now; outside DE, no soda.
    assert.deepEqual((await campaignNames(await vast(viewer, stream.sessionId, { country: 'FR' }))).names, [
      'cars-two',
    ]);

    // Slots are counted with the next batch.
    let totals = await report();
    for (const until = Date.now() + 5000; totals.slotsRequested < 6 && Date.now() < until; await sleep(50))
      totals = await report();
    assert.equal(totals.slotsRequested, 6);
    assert.equal(totals.slotsFilled, 5);
    assert.equal(totals.fillRate, 5 / 6);
    assert.equal(totals.ecpmMinor, 1000);
  });

  it('device targeting and an empty break', async () => {
    const viewer = await registerViewer(h.context.app);
    const stream = await start(viewer);
    await inject({ url: stream.ads!.vmapUrl, headers: viewer.headers });
    const patched = await admin({
      method: 'PATCH',
      url: `/api/admin/ads/campaigns/${campaigns['cars-two']}`,
      payload: { targeting: { deviceTypes: ['tv'] } },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(
      (await campaignNames(await vast(viewer, stream.sessionId, { device: 'mobile' }))).names,
      ['cars-one'],
    );
    assert.deepEqual((await campaignNames(await vast(viewer, stream.sessionId, { device: 'tv' }))).names, [
      'cars-one',
    ]);
    // cars-one now capped for this profile too: on TV cars-two serves, on mobile nothing does.
    assert.deepEqual((await campaignNames(await vast(viewer, stream.sessionId, { device: 'tv' }))).names, [
      'cars-two',
    ]);
    const empty = await vast(viewer, stream.sessionId, { device: 'mobile' });
    assert.equal(empty.statusCode, 200);
    assert.deepEqual((await parseVast(empty.body)).ads, []);
  });

  it('a paid plan: no ad data in its sessions, and the ad endpoints refuse them', async () => {
    const viewer = await registerViewer(h.context.app);
    const granted = await admin({
      method: 'POST',
      url: `/api/admin/users/${viewer.userId}/complimentary-plan`,
      payload: { planId: 'premium' },
    });
    assert.equal(granted.statusCode, 204, granted.body);
    const stream = await start(viewer);
    assert.equal('ads' in stream, false);
    for (const url of [
      `/api/ads/vmap?session=${stream.sessionId}`,
      `/api/ads/vast?session=${stream.sessionId}&break=0`,
    ]) {
      const refused = await inject({ url, headers: viewer.headers });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json<{ code: string }>().code, 'ADS_NOT_ON_PLAN');
    }
  });

  it('bad input: unknown or another account’s session, a break out of range, bad campaigns, a non-video', async () => {
    await sleep(300); // the earlier tests' last batch
    const before = await report();
    const owner = await registerViewer(h.context.app);
    const other = await registerViewer(h.context.app);
    const stream = await start(owner);
    const problems: Array<[string, SignedIn, number, string]> = [
      [`/api/ads/vmap?session=${crypto.randomUUID()}`, owner, 404, 'ADS_SESSION_NOT_FOUND'],
      [`/api/ads/vmap?session=${stream.sessionId}`, other, 404, 'ADS_SESSION_NOT_FOUND'],
      [`/api/ads/vast?session=${stream.sessionId}&break=0`, other, 404, 'ADS_SESSION_NOT_FOUND'],
      [`/api/ads/vast?session=${stream.sessionId}&break=7`, owner, 404, 'ADS_BREAK_NOT_FOUND'],
      [`/api/ads/vast?session=${stream.sessionId}&break=-1`, owner, 400, 'VALIDATION_FAILED'],
      [`/api/ads/vmap?session=not-a-uuid`, owner, 400, 'VALIDATION_FAILED'],
    ];
    for (const [url, viewer, status, code] of problems) {
      const response = await inject({ url, headers: viewer.headers });
      assert.equal(response.statusCode, status, `${url}: ${response.body}`);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      assert.equal(response.json<{ code: string }>().code, code, url);
    }
    const after = await report();
    assert.equal(after.slotsRequested, before.slotsRequested, 'nothing counted');

    const advertiserId = (await admin({ url: '/api/admin/ads/advertisers' })).json<{
      items: Array<{ id: string }>;
    }>().items[0]!.id;
    const base = {
      advertiserId,
      name: 'Bad',
      priority: 5,
      cpmMinor: 100,
      budgetMinor: 1000,
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '2026-02-01T00:00:00Z',
    };
    for (const [patch, field] of [
      [{ budgetMinor: 10 ** 15 }, 'budgetMinor'],
      [{ budgetMinor: 0 }, 'budgetMinor'],
      [{ cpmMinor: -5 }, 'cpmMinor'],
      [{ priority: 99 }, 'priority'],
      [{ targeting: { regions: ['germany'] } }, 'targeting'],
    ] as const) {
      const response = await admin({
        method: 'POST',
        url: '/api/admin/ads/campaigns',
        payload: { ...base, ...patch },
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.match(response.body, new RegExp(field));
    }
    const backwards = await admin({
      method: 'POST',
      url: '/api/admin/ads/campaigns',
      payload: { ...base, endsAt: '2025-12-01T00:00:00Z' },
    });
    assert.equal(backwards.statusCode, 400, backwards.body);
    assert.equal(backwards.json<{ code: string }>().code, 'ADS_CAMPAIGN_FLIGHT_INVALID');

    const creative = await admin({
      method: 'POST',
      url: `/api/admin/ads/campaigns/${campaigns['soda-de']}/creatives`,
      payload: { name: 'A tune', clickThroughUrl: 'https://example.com' },
    });
    const tone = await makeTone({ path: path.join(scratch.dir, 'tone.m4a'), seconds: 1 });
    const notVideo = await admin({
      method: 'PUT',
      url: `/api/admin/ads/creatives/${creative.json<{ id: string }>().id}/video`,
      headers: { 'content-type': 'video/mp4' },
      payload: await readFile(tone),
    });
    assert.equal(notVideo.statusCode, 415, notVideo.body);
    assert.equal(notVideo.json<{ code: string }>().code, 'MEDIA_NOT_A_VIDEO');
    const viewerAdmin = await admin({
      url: '/api/admin/ads/campaigns',
      headers: owner.headers,
    });
    assert.equal(viewerAdmin.statusCode, 403);
  });

  it('a change to a creative reaches the next VAST (its <Ad> template is rebuilt with the campaigns)', async () => {
    const viewer = await registerViewer(h.context.app);
    const stream = await start(viewer);
    await inject({ url: stream.ads!.vmapUrl, headers: viewer.headers });
    const before = await vast(viewer, stream.sessionId, { country: 'DE' });
    assert.deepEqual((await campaignNames(before)).names, ['cars-one', 'soda-de']);
    assert.match(before.body, /<AdTitle>soda-de spot<\/AdTitle>/);
    // No admin route edits a creative's copy yet: the row changes underneath, then a campaign
    // edit reloads every instance's campaigns, as any change does.
    const { db } = h.context.deps.database;
    await db
      .updateTable('adCreatives')
      .set({ name: 'Soda & sons', clickThroughUrl: 'https://example.com/renamed' })
      .where('campaignId', '=', campaigns['soda-de']!)
      .execute();
    const patched = await admin({
      method: 'PATCH',
      url: `/api/admin/ads/campaigns/${campaigns['soda-de']}`,
      payload: { priority: 5 },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    const after = await vast(viewer, stream.sessionId, { country: 'DE' });
    const { names, parsed } = await campaignNames(after);
    assert.deepEqual(names, ['cars-one', 'soda-de']);
    assert.equal(parsed.ads[1]!.title, 'Soda & sons');
    const linear = parsed.ads[1]!.creatives.find((creative) => creative.type === 'linear')!;
    assert.equal(linear.videoClickThroughURLTemplate?.url, 'https://example.com/renamed');
  });

  it('another instance serves a campaign change at once (pub/sub invalidation)', async (t) => {
    if (!process.env.DATABASE_URL || !process.env.REDIS_URL) return t.skip('needs PostgreSQL and Redis');
    const second = await h.context.anotherInstance();
    try {
      const viewer = await registerViewer(h.context.app);
      const stream = await start(viewer);
      await inject({ url: stream.ads!.vmapUrl, headers: viewer.headers });
      const onSecond = () =>
        second.app.inject({
          url: `/api/ads/vast?session=${stream.sessionId}&break=0&device=web`,
          headers: { ...viewer.headers, 'x-country': 'DE' },
        });
      assert.match((await onSecond()).body, new RegExp(campaigns['soda-de']!));
      await admin({
        method: 'PATCH',
        url: `/api/admin/ads/campaigns/${campaigns['soda-de']}`,
        payload: { status: 'paused' },
      });
      const deadline = Date.now() + 5000;
      while ((await onSecond()).body.includes(campaigns['soda-de']!)) {
        assert.ok(Date.now() < deadline, 'the second instance stopped serving the paused campaign');
        await sleep(50);
      }
    } finally {
      await second.close();
    }
  });
});
