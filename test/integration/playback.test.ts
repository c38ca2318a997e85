import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, type types } from 'hls-parser';
import { buildApp } from '../../src/app.ts';
import type { Cache } from '../../src/platform/cache/cache.port.ts';
import { issuePlaybackToken, verifyPlaybackToken } from '../../src/modules/playback/index.ts';
import { loginAs, signInWithRoles, strongPassword, uniqueEmail, type SignedIn } from '../support/accounts.ts';
import { createMovie, harness, publishedClip, type Harness } from '../support/media-harness.ts';
import { scratchDir } from '../support/media-clips.ts';

/**
 * Secure playback against a real transcoded title (240p–1080p): entitlements and their refusal
 * codes, plan quality enforced by playlists and by keys, the stream limit, the key server's
 * token checks, signed delivery with ranges, heartbeats and resume positions.
 */

interface Started {
  sessionId: string;
  token: string;
  masterPlaylistUrl: string;
  maxHeight: number;
  maxBitrate: number | null;
  resumePositionSeconds: number;
}

describe('secure playback', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let movieId: string;
  // PUBLIC_URL is one address; the player may be loaded at another (127.0.0.1, a LAN address).
  const base = 'http://localhost:3000';
  const elsewhere = 'http://127.0.0.1:8080';

  before(async () => {
    h = await harness(undefined, { TRANSCODE_LADDER: '240:300,480:600,720:900,1080:1400', PUBLIC_URL: base });
    scratch = await scratchDir();
    ({ movieId } = await publishedClip(h, { title: 'Playback test', dir: scratch.dir, seconds: 6 }));
  });
  after(async () => {
    await h.close();
    await scratch.remove();
  });

  /**
   * Device caps follow the plan: these tests sign one account in on several devices to race
   * streams on a 1-stream plan, so they use a test plan with one stream and ten devices.
   */
  const onOneStreamManyDevices = async (email: string) => {
    const db = h.context.deps.database.db;
    await db
      .insertInto('plans')
      .values({
        id: 'test-one-stream',
        name: 'One stream',
        tier: 9,
        maxHeight: 480,
        maxStreams: 1,
        maxDevices: 10,
        maxDownloads: 0,
        maxDownloadDevices: 0,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    await db.updateTable('users').set({ planId: 'test-one-stream' }).where('email', '=', email).execute();
  };

  const viewerOn = async (plan: string, label = plan): Promise<SignedIn> => {
    const viewer = await signInWithRoles(h.context, ['viewer']);
    await h.context.deps.database.db
      .updateTable('users')
      .set({ planId: plan })
      .where('id', '=', viewer.userId)
      .execute();
    void label;
    return viewer;
  };
  const start = (viewer: SignedIn, itemId = movieId) =>
    h.context.app.inject({ method: 'POST', url: `/api/playback/${itemId}`, headers: viewer.headers });
  const get = (url: string, headers: Record<string, string> = {}) => h.context.app.inject({ url, headers });
  const stop = (viewer: SignedIn, id: string) =>
    h.context.app.inject({ method: 'DELETE', url: `/api/playback/sessions/${id}`, headers: viewer.headers });

  /** Plays a stream the way a player does: master → media playlists → keys → segments. */
  async function play(started: Started) {
    const masterResponse = await get(started.masterPlaylistUrl);
    assert.equal(masterResponse.statusCode, 200, masterResponse.body);
    assert.equal(masterResponse.headers['content-type'], 'application/vnd.apple.mpegurl');
    const master = parse(masterResponse.body) as types.MasterPlaylist;
    const masterPath = started.masterPlaylistUrl.split('?')[0]!;
    const resolve = (uri: string, from: string) =>
      new URL(uri, `${elsewhere}${from}`).pathname + new URL(uri, `${elsewhere}${from}`).search;
    const heights = master.variants.map((variant) => variant.resolution?.height ?? 0);
    const top = master.variants.at(-1)!;
    const mediaUrl = resolve(top.uri, masterPath);
    const mediaResponse = await get(mediaUrl);
    assert.equal(mediaResponse.statusCode, 200, mediaResponse.body);
    const media = parse(mediaResponse.body) as types.MediaPlaylist;
    const segment = media.segments[0]!;
    const keyResponse = await get(segment.key!.uri!);
    assert.equal(keyResponse.statusCode, 200, keyResponse.body);
    assert.equal(keyResponse.rawPayload.length, 16);
    const segmentResponse = await get(segment.uri);
    assert.equal(segmentResponse.statusCode, 200, segmentResponse.body.slice(0, 200));
    assert.equal(segmentResponse.headers['content-type'], 'video/mp2t');
    const decipher = createDecipheriv('aes-128-cbc', keyResponse.rawPayload, Buffer.from(segment.key!.iv!));
    const plain = Buffer.concat([decipher.update(segmentResponse.rawPayload), decipher.final()]);
    assert.equal(plain[0], 0x47, 'the delivered segment decrypts with the delivered key');
    return { heights, master, media, mediaUrl, masterPath, resolve };
  }

  it('a free plan sees and decrypts up to 480p only; a higher rendition and its key are refused', async () => {
    const viewer = await viewerOn('free');
    const response = await start(viewer);
    assert.equal(response.statusCode, 201, response.body);
    const started = response.json<Started>();
    assert.equal(started.maxHeight, 480);
    assert.ok(started.maxBitrate && started.maxBitrate > 0);
    const { heights, masterPath } = await play(started);
    assert.deepEqual(heights, [240, 480]);

    const forbidden = await get(
      `${masterPath.replace('master.m3u8', 'media/v720/index.m3u8')}?token=${started.token}`,
    );
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json<{ code: string }>().code, 'PLAYBACK_KEY_FORBIDDEN');
    const hdKey = await h.context.deps.database.db
      .selectFrom('contentKeys')
      .innerJoin('itemVideos', 'itemVideos.assetId', 'contentKeys.assetId')
      .select('contentKeys.id')
      .where('itemVideos.itemId', '=', movieId)
      .where('contentKeys.tier', '=', 'HD')
      .executeTakeFirstOrThrow();
    const refused = await get(`/api/keys/${hdKey.id}?token=${started.token}`);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json<{ code: string }>().code, 'PLAYBACK_KEY_FORBIDDEN');
    await stop(viewer, started.sessionId);
  });

  it('a basic plan never sees or decrypts 1080p; standard gets it', async () => {
    const basic = await viewerOn('basic');
    const started = (await start(basic)).json<Started>();
    const { heights, masterPath } = await play(started);
    assert.deepEqual(heights, [240, 480, 720]);
    const v1080 = await get(
      `${masterPath.replace('master.m3u8', 'media/v1080/index.m3u8')}?token=${started.token}`,
    );
    assert.equal(v1080.statusCode, 403);
    const fhdKey = await h.context.deps.database.db
      .selectFrom('contentKeys')
      .innerJoin('itemVideos', 'itemVideos.assetId', 'contentKeys.assetId')
      .select('contentKeys.id')
      .where('itemVideos.itemId', '=', movieId)
      .where('contentKeys.tier', '=', 'FHD')
      .executeTakeFirstOrThrow();
    assert.equal((await get(`/api/keys/${fhdKey.id}?token=${started.token}`)).statusCode, 403);

    const standard = await viewerOn('standard');
    const full = (await start(standard)).json<Started>();
    assert.deepEqual((await play(full)).heights, [240, 480, 720, 1080]);
    assert.equal((await get(`/api/keys/${fhdKey.id}?token=${full.token}`)).statusCode, 200);
  });

  it('a plan change reaches a playing stream at its next heartbeat, both ways', async () => {
    const viewer = await viewerOn('standard');
    const started = (await start(viewer)).json<Started>();
    assert.deepEqual((await play(started)).heights, [240, 480, 720, 1080]);
    const fhdKey = await h.context.deps.database.db
      .selectFrom('contentKeys')
      .innerJoin('itemVideos', 'itemVideos.assetId', 'contentKeys.assetId')
      .select('contentKeys.id')
      .where('itemVideos.itemId', '=', movieId)
      .where('contentKeys.tier', '=', 'FHD')
      .executeTakeFirstOrThrow();
    const keyUrl = `/api/keys/${fhdKey.id}?token=${started.token}`;
    assert.equal((await get(keyUrl)).statusCode, 200);
    const heartbeat = () =>
      h.context.app.inject({
        method: 'POST',
        url: `/api/playback/sessions/${started.sessionId}/heartbeat`,
        headers: viewer.headers,
        payload: { positionSeconds: 1 },
      });
    // The account drops to Basic (as the subscriptions module writes it).
    const setPlan = (planId: string) =>
      h.context.deps.database.db
        .updateTable('users')
        .set({ planId })
        .where('id', '=', viewer.userId)
        .execute();
    await setPlan('basic');
    assert.equal((await heartbeat()).statusCode, 200);
    assert.equal((await get(keyUrl)).statusCode, 403, 'the same token no longer opens 1080p');
    assert.deepEqual((await play(started)).heights, [240, 480, 720]);
    await setPlan('standard');
    assert.equal((await heartbeat()).statusCode, 200);
    assert.equal((await get(keyUrl)).statusCode, 200, 'an upgrade reaches it too');
    await stop(viewer, started.sessionId);
  });

  it('refuses keys and playlists for missing, tampered, expired, foreign or other-title tokens', async () => {
    const viewer = await viewerOn('standard');
    const started = (await start(viewer)).json<Started>();
    const { media } = await play(started);
    const keyUri = media.segments[0]!.key!.uri!;
    const keyPath = keyUri.split('?')[0]!;
    assert.equal((await get(keyPath)).statusCode, 401, 'no token');
    const tampered = started.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    assert.equal((await get(`${keyPath}?token=${tampered}`)).statusCode, 401, 'tampered');
    // Expired: the same claims, signed with the server's secret, past their lifetime.
    const secret = await readFile(path.join(h.context.dataDir, 'keys', 'playback-secret'), 'utf8');
    const claims = verifyPlaybackToken({
      secret: Buffer.from(secret.trim(), 'base64'),
      token: started.token,
      now: new Date(),
    });
    const { exp: _exp, ...rest } = claims;
    const expired = issuePlaybackToken({
      secret: Buffer.from(secret.trim(), 'base64'),
      claims: rest,
      ttlSeconds: 60,
      now: new Date(Date.now() - 120_000),
    }).token;
    const expiredKey = await get(`${keyPath}?token=${expired}`);
    assert.equal(expiredKey.statusCode, 401, 'expired');
    assert.equal(expiredKey.json<{ code: string }>().code, 'PLAYBACK_TOKEN_EXPIRED');

    // Another account's stream of another title: its token opens nothing of this one.
    const otherMovie = await createMovie(h, 'Other title');
    await h.context.deps.database.db
      .updateTable('titles')
      .set({ status: 'published' })
      .where('id', '=', otherMovie)
      .execute();
    const other = await h.context.deps.database.db
      .selectFrom('itemVideos')
      .selectAll()
      .where('itemId', '=', movieId)
      .executeTakeFirstOrThrow();
    await h.context.deps.database.db
      .insertInto('itemVideos')
      .values({ itemId: otherMovie, assetId: other.assetId })
      .execute();
    const stranger = await viewerOn('standard');
    const foreign = (await start(stranger, otherMovie)).json<Started>();
    const foreignKey = await get(`${keyPath}?token=${foreign.token}`);
    assert.equal(foreignKey.statusCode, 200, 'same package, own stream: allowed');
    const crossStream = await get(`${started.masterPlaylistUrl.split('?')[0]!}?token=${foreign.token}`);
    assert.equal(crossStream.statusCode, 401, 'a token names its own stream');

    // Ended stream: its token stops working at once.
    assert.equal((await stop(viewer, started.sessionId)).statusCode, 204);
    const ended = await get(keyUri);
    assert.equal(ended.statusCode, 410);
    assert.equal(ended.json<{ code: string }>().code, 'PLAYBACK_SESSION_ENDED');
    await stop(stranger, foreign.sessionId);
  });

  it('stops a stream at once when its device signs out', async () => {
    const viewer = await viewerOn('standard');
    const started = (await start(viewer)).json<Started>();
    const { media } = await play(started);
    const signedOut = await h.context.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: viewer.headers,
      payload: {},
    });
    assert.equal(signedOut.statusCode, 204, signedOut.body);
    const key = await get(media.segments[0]!.key!.uri!);
    assert.equal(key.statusCode, 410);
    assert.equal(key.json<{ code: string }>().code, 'PLAYBACK_SESSION_ENDED');
    assert.equal((await get(started.masterPlaylistUrl)).statusCode, 410);
  });

  it('signs delivery URLs for the package only, with ranges', async () => {
    const viewer = await viewerOn('standard');
    const started = (await start(viewer)).json<Started>();
    const { media } = await play(started);
    const segmentUrl = media.segments[0]!.uri;
    const ranged = await get(segmentUrl, { range: 'bytes=0-187' });
    assert.equal(ranged.statusCode, 206);
    assert.equal(ranged.rawPayload.length, 188);
    assert.match(String(ranged.headers['content-range']), /^bytes 0-187\/\d+$/);
    const [segmentPath, query] = segmentUrl.split('?') as [string, string];
    assert.equal((await get(segmentPath)).statusCode, 401, 'unsigned');
    const outside = segmentPath.replace(/\/media\/.*$/, '/sources/anything.mp4');
    assert.equal((await get(`${outside}?${query}`)).statusCode, 401, 'outside the signed prefix');
    const traversal = segmentPath.replace(/\/[^/]+$/, '/../../../x.ts');
    assert.ok([400, 401, 404].includes((await get(`${traversal}?${query}`)).statusCode));
    await stop(viewer, started.sessionId);
  });

  it('limits concurrent streams per plan, listing the active ones; ending one frees a slot', async () => {
    const email = uniqueEmail('streams');
    const password = strongPassword();
    const registered = await h.context.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email, password, name: 'Two devices' },
    });
    assert.equal(registered.statusCode, 202);
    await onOneStreamManyDevices(email);
    const phone = await loginAs(
      h.context.app,
      { email, password },
      { device: { name: 'Phone', type: 'mobile' } },
    );
    const tv = await loginAs(h.context.app, { email, password }, { device: { name: 'TV', type: 'tv' } });
    const first = await start(phone);
    assert.equal(first.statusCode, 201);
    // The same device restarting the same title replaces its own stream.
    const restart = await start(phone);
    assert.equal(restart.statusCode, 201);
    const refused = await start(tv);
    assert.equal(refused.statusCode, 409);
    const problem = refused.json<{
      code: string;
      activeStreams: Array<{ id: string; deviceName: string }>;
    }>();
    assert.equal(problem.code, 'PLAYBACK_STREAM_LIMIT');
    // Named as the device signed in ("Phone"), not by its user agent: the viewer picks which to end.
    assert.deepEqual(
      problem.activeStreams.map((s) => [s.id, s.deviceName]),
      [[restart.json<Started>().sessionId, 'Phone']],
    );
    assert.equal((await stop(tv, problem.activeStreams[0]!.id)).statusCode, 204);
    assert.equal((await start(tv)).statusCode, 201);
  });

  /** A published title of its own on the same package: another thing to watch. */
  const anotherTitle = async (title: string) => {
    const db = h.context.deps.database.db;
    const id = await createMovie(h, title);
    const pointer = await db
      .selectFrom('itemVideos')
      .selectAll()
      .where('itemId', '=', movieId)
      .executeTakeFirstOrThrow();
    await db.insertInto('itemVideos').values({ itemId: id, assetId: pointer.assetId }).execute();
    await db.updateTable('titles').set({ status: 'published' }).where('id', '=', id).execute();
    return id;
  };
  /** The stream's master playlist, a media playlist and a key, fetched with its token: their statuses. */
  const reach = async (started: Started, keyUri: string) => {
    const master = await get(started.masterPlaylistUrl);
    const mediaUrl = `${started.masterPlaylistUrl.split('?')[0]!.replace('master.m3u8', 'media/v240/index.m3u8')}?token=${encodeURIComponent(started.token)}`;
    const media = await get(mediaUrl);
    const key = await get(`${keyUri.split('?')[0]!}?token=${encodeURIComponent(started.token)}`);
    return { master: master.statusCode, media: media.statusCode, key: key.statusCode };
  };

  it('gives root-relative URLs, so a player loaded at any address reaches them (never built from Host)', async () => {
    const viewer = await viewerOn('standard');
    const response = await h.context.app.inject({
      method: 'POST',
      url: `/api/playback/${movieId}`,
      headers: { ...viewer.headers, host: 'evil.example', 'x-forwarded-host': 'evil.example' },
    });
    const started = response.json<Started & { thumbnailsUrl: string | null }>();
    assert.match(
      started.masterPlaylistUrl,
      /^\/api\/playback\/sessions\/[0-9a-f-]{36}\/master\.m3u8\?token=/,
    );
    const thumbnailsUrl = started.thumbnailsUrl ?? '';
    assert.ok(thumbnailsUrl.startsWith('/api/playback/sessions/'), String(started.thumbnailsUrl));
    // The seek-preview track: WebVTT whose cues point at signed sprite sheets.
    const track = await get(thumbnailsUrl);
    assert.equal(track.statusCode, 200, track.body);
    assert.match(track.headers['content-type'] ?? '', /^text\/vtt/);
    const sprite = /^(\S+)#xywh=\d+,\d+,\d+,\d+$/m.exec(track.body)?.[1] ?? '';
    assert.ok(sprite.startsWith('/api/delivery/'), track.body.slice(0, 300));
    const sheet = await get(sprite);
    assert.equal(sheet.statusCode, 200, sheet.body);
    assert.equal(sheet.headers['content-type'], 'image/jpeg');
    const { master, media } = await play(started);
    for (const uri of [
      ...master.variants.map((variant) => variant.uri),
      ...media.segments.flatMap((segment) => [segment.uri, segment.key?.uri ?? '']),
    ]) {
      assert.doesNotMatch(
        uri,
        /^[a-z]+:|^\/\//i,
        `${uri}: relative, resolved against the page's own address`,
      );
    }
    await stop(viewer, started.sessionId);
  });

  it('refuses a replaced stream’s token at once, for playlists and keys', async () => {
    const viewer = await viewerOn('free');
    const first = (await start(viewer)).json<Started>();
    const { media } = await play(first);
    const keyUri = media.segments[0]!.key!.uri!;
    const second = await start(viewer);
    assert.equal(second.statusCode, 201, second.body);
    assert.deepEqual(
      await reach(first, keyUri),
      { master: 410, media: 410, key: 410 },
      'the replaced stream',
    );
    assert.deepEqual(await reach(second.json<Started>(), keyUri), { master: 200, media: 200, key: 200 });
    await stop(viewer, second.json<Started>().sessionId);
  });

  it('replaces the device’s stream whatever the title: a reload or a failed start never locks a viewer out', async () => {
    const viewer = await viewerOn('free');
    const other = await anotherTitle('Something else');
    const first = (await start(viewer)).json<Started>();
    const { media } = await play(first);
    const keyUri = media.segments[0]!.key!.uri!;
    const switched = await start(viewer, other);
    assert.equal(switched.statusCode, 201, switched.body);
    assert.equal((await get(first.masterPlaylistUrl)).statusCode, 410, 'the earlier stream ended');
    assert.deepEqual(await reach(switched.json<Started>(), keyUri), { master: 200, media: 200, key: 200 });
    const listed = await h.context.app.inject({ url: '/api/playback/sessions', headers: viewer.headers });
    assert.deepEqual(
      listed.json<{ items: Array<{ id: string }> }>().items.map((stream) => stream.id),
      [switched.json<Started>().sessionId],
    );
    await stop(viewer, switched.json<Started>().sessionId);
  });

  it('leaves exactly one working stream after 20 concurrent starts on a 1-stream plan', async () => {
    const email = uniqueEmail('burst');
    const password = strongPassword();
    const registered = await h.context.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email, password, name: 'Burst' },
    });
    assert.equal(registered.statusCode, 202);
    await onOneStreamManyDevices(email);
    const devices: SignedIn[] = [];
    for (const name of ['Phone', 'TV', 'Laptop', 'Tablet']) {
      devices.push(await loginAs(h.context.app, { email, password }, { device: { name, type: 'web' } }));
    }
    const other = await anotherTitle('Burst title');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) => start(devices[index % 4]!, index % 2 ? other : movieId)),
    );
    for (const response of responses) assert.ok([201, 409].includes(response.statusCode), response.body);
    const started = responses.filter((response) => response.statusCode === 201).map((r) => r.json<Started>());
    assert.ok(started.length >= 1);
    const working = [];
    for (const stream of started) {
      if ((await get(stream.masterPlaylistUrl)).statusCode === 200) working.push(stream);
    }
    assert.equal(working.length, 1, `${started.length} started, ${working.length} still play`);
    const listed = await h.context.app.inject({
      url: '/api/playback/sessions',
      headers: devices[0]!.headers,
    });
    assert.deepEqual(
      listed.json<{ items: Array<{ id: string }> }>().items.map((stream) => stream.id),
      [working[0]!.sessionId],
    );
    await stop(devices[0]!, working[0]!.sessionId);
  });

  it('another instance refuses a replaced stream’s token at once', async () => {
    // A second app on the same database, cache and storage: what a second server is.
    const second = await buildApp(h.context.deps);
    try {
      const viewer = await viewerOn('free');
      const first = (await start(viewer)).json<Started>();
      const { media } = await play(first);
      const keyUri = media.segments[0]!.key!.uri!;
      const onSecond = (url: string) => second.inject({ url });
      assert.equal((await onSecond(first.masterPlaylistUrl)).statusCode, 200, 'both instances serve it');
      assert.equal((await onSecond(keyUri)).statusCode, 200);
      assert.equal((await start(viewer)).statusCode, 201);
      assert.equal((await onSecond(first.masterPlaylistUrl)).statusCode, 410);
      assert.equal((await onSecond(keyUri)).statusCode, 410);
    } finally {
      await second.close();
    }
  });

  it('a stream’s state cached late by a request that raced its end does not bring it back', async () => {
    // A second instance whose cache writes can be held: it reads the stream while it is live,
    // the first instance replaces the stream, then the second's write of "live" lands.
    const gated = new GatedCache(h.context.deps.cache);
    const second = await buildApp({ ...h.context.deps, cache: gated });
    try {
      const viewer = await viewerOn('free');
      const first = (await start(viewer)).json<Started>();
      // As once the cached entry has expired: the next request reads the database.
      await h.context.deps.cache.delete(`playback:stream:${first.sessionId}`);
      const held = gated.holdSetOf(`playback:stream:${first.sessionId}`);
      const inFlight = second.inject({ url: first.masterPlaylistUrl });
      await held.arrived;
      assert.equal((await start(viewer)).statusCode, 201, 'replaced while the read is in flight');
      held.release();
      assert.equal((await inFlight).statusCode, 200, 'authorised before the end');
      assert.equal((await second.inject({ url: first.masterPlaylistUrl })).statusCode, 410);
      assert.equal((await get(first.masterPlaylistUrl)).statusCode, 410);
    } finally {
      await second.close();
    }
  });

  it('heartbeats keep a stream alive and feed the resume position', async () => {
    const viewer = await viewerOn('standard');
    const started = (await start(viewer)).json<Started>();
    assert.equal(started.resumePositionSeconds, 0);
    const beat = await h.context.app.inject({
      method: 'POST',
      url: `/api/playback/sessions/${started.sessionId}/heartbeat`,
      headers: viewer.headers,
      payload: { positionSeconds: 2.5 },
    });
    assert.equal(beat.statusCode, 200, beat.body);
    const listed = await h.context.app.inject({ url: '/api/playback/sessions', headers: viewer.headers });
    assert.equal(listed.json<{ items: Array<{ positionSeconds: number }> }>().items[0]?.positionSeconds, 2.5);
    // Someone else can't heartbeat or end it.
    const stranger = await viewerOn('standard');
    const foreign = await h.context.app.inject({
      method: 'POST',
      url: `/api/playback/sessions/${started.sessionId}/heartbeat`,
      headers: stranger.headers,
      payload: { positionSeconds: 1 },
    });
    assert.equal(foreign.statusCode, 410);
    assert.equal((await stop(stranger, started.sessionId)).statusCode, 410);
    await stop(viewer, started.sessionId);
    const again = (await start(viewer)).json<Started>();
    assert.equal(again.resumePositionSeconds, 2.5);
    const afterEnd = await h.context.app.inject({
      method: 'POST',
      url: `/api/playback/sessions/${started.sessionId}/heartbeat`,
      headers: viewer.headers,
      payload: { positionSeconds: 3 },
    });
    assert.equal(afterEnd.statusCode, 410);
  });

  it('refuses with a precise code: plan tier, window, region, maturity, no video yet', async () => {
    const viewer = await viewerOn('free');
    const db = h.context.deps.database.db;
    const code = async (itemId: string) => (await start(viewer, itemId)).json<{ code: string }>().code;
    const make = async (title: string, set: Record<string, unknown>) => {
      const id = await createMovie(h, title);
      const pointer = await db
        .selectFrom('itemVideos')
        .selectAll()
        .where('itemId', '=', movieId)
        .executeTakeFirstOrThrow();
      await db.insertInto('itemVideos').values({ itemId: id, assetId: pointer.assetId }).execute();
      await db
        .updateTable('titles')
        .set({ status: 'published', ...set })
        .where('id', '=', id)
        .execute();
      return id;
    };
    const premiumOnly = await make('Premium only', { minPlanTier: 3 });
    assert.equal(await code(premiumOnly), 'PLAYBACK_PLAN_REQUIRED');
    const planRequired = await h.context.app.inject({
      method: 'POST',
      url: `/api/playback/${premiumOnly}`,
      headers: (await viewerOn('basic')).headers,
    });
    assert.equal(planRequired.statusCode, 402);
    // Of the seeded plans, only Premium would do (other tests add plans of their own).
    const seeded = ['free', 'basic', 'standard', 'premium'];
    assert.deepEqual(
      planRequired.json<{ plans: string[] }>().plans.filter((plan) => seeded.includes(plan)),
      ['premium'],
    );
    assert.equal(
      await code(await make('Not yet', { publishAt: new Date(Date.now() + 86_400_000) })),
      'PLAYBACK_NOT_AVAILABLE',
    );
    assert.equal(
      await code(await make('Gone', { unpublishAt: new Date(Date.now() - 1000) })),
      'PLAYBACK_NOT_AVAILABLE',
    );
    assert.equal(await code(await make('Regional', { allowedRegions: ['JP'] })), 'PLAYBACK_REGION_BLOCKED');
    const noVideo = await createMovie(h, 'No video');
    await db.updateTable('titles').set({ status: 'published' }).where('id', '=', noVideo).execute();
    assert.equal(await code(noVideo), 'PLAYBACK_NOT_READY');
    const missing = await start(viewer, '00000000-0000-4000-8000-000000000000');
    assert.equal(missing.statusCode, 404);

    const mature = await make('Mature', { maturityLevel: 17, maturityRating: 'R' });
    const kids = await h.context.app.inject({
      method: 'POST',
      url: '/api/profiles',
      headers: viewer.headers,
      payload: { name: 'Kid', isKids: true },
    });
    assert.equal(kids.statusCode, 201, kids.body);
    const selected = await h.context.app.inject({
      method: 'POST',
      url: `/api/profiles/${kids.json<{ id: string }>().id}/select`,
      headers: viewer.headers,
      payload: {},
    });
    assert.ok(selected.statusCode < 300, selected.body);
    assert.equal(await code(mature), 'PLAYBACK_MATURITY_BLOCKED');
    const anonymous = await h.context.app.inject({ method: 'POST', url: `/api/playback/${movieId}` });
    assert.equal(anonymous.statusCode, 401);
  });
});

/** A real cache whose next write of one key can be held until released: a race, made to happen. */
class GatedCache implements Cache {
  readonly #inner: Cache;
  #held: { key: string; arrive: () => void; released: Promise<void> } | undefined;

  constructor(inner: Cache) {
    this.#inner = inner;
  }

  holdSetOf(key: string): { arrived: Promise<void>; release: () => void } {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.#held = { key, arrive, released };
    return { arrived, release };
  }

  get<T>(key: string) {
    return this.#inner.get<T>(key);
  }
  async set(key: string, value: unknown, ttlMs: number) {
    const held = this.#held;
    if (held?.key === key) {
      this.#held = undefined;
      held.arrive();
      await held.released;
    }
    return this.#inner.set(key, value, ttlMs);
  }
  delete(...keys: string[]) {
    return this.#inner.delete(...keys);
  }
  increment(key: string, options?: { by?: number; ttlMs?: number }) {
    return this.#inner.increment(key, options);
  }
  setIfAbsent(key: string, value: unknown, ttlMs: number) {
    return this.#inner.setIfAbsent(key, value, ttlMs);
  }
  ping() {
    return this.#inner.ping();
  }
  close() {
    return Promise.resolve();
  }
}
