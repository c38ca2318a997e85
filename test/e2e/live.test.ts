import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLiveIngest, type RtmpIngest } from '../../src/modules/live/index.ts';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { joinChat } from '../support/live-chat.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';
import { liveIngestDeps } from '../support/live-ingest.ts';

/** ffmpeg publishing a generated source (320x180 + a tone) over RTMP; resolves with its exit code. */
function publish(url: string, seconds: number): Promise<number | null> {
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', `testsrc=size=320x180:rate=25:duration=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25'],
      ...['-c:a', 'aac', '-f', 'flv', url],
    ],
    { stdio: 'ignore' },
  );
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const mediaSequence = (playlist: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1] ?? -1);
const segmentCount = (playlist: string) => playlist.match(/^#EXTINF/gm)?.length ?? 0;

interface LiveSession {
  sessionId: string;
  live: boolean;
  token: string;
  masterPlaylistUrl: string;
  maxHeight: number;
  renditions: Array<{ width: number; height: number }>;
}

/**
 * RTMP in, encrypted HLS out to viewers: a wrong key is refused before any transcoding, the right
 * one takes the event live (chat viewers are told); a viewer whose plan lacks the event's tier is
 * refused like for a title, an entitled one starts a stream through POST /api/playback/:id and
 * gets the plan's rungs only, with keys from the key server that decrypt the segments; the
 * publisher drops and comes back within the grace window without ending the event; when it
 * stops, the event ends and its recording becomes a draft movie transcoded by the VOD pipeline.
 */
describe('live: RTMP ingest to an encrypted HLS ladder, watched through playback', () => {
  let context: TestContext;
  let ingest: RtmpIngest;
  let editor: SignedIn;
  let rtmp: string;

  before(async () => {
    context = await createTestApp({
      env: {
        LIVE_RTMP_HOST: '127.0.0.1',
        LIVE_RTMP_PORT: '0',
        LIVE_RUNGS: '180:300,90:150',
        LIVE_SEGMENT_SECONDS: '1',
        LIVE_DVR_SECONDS: '30',
        LIVE_GRACE_SECONDS: '4',
        LIVE_KEY_ROTATION_SECONDS: '2',
      },
    });
    await allowDevices(context);
    // Basic (tier 1) covers the event but is capped below its top rung: the playlists show 90p only.
    await context.deps.database.db
      .updateTable('plans')
      .set({ maxHeight: 120 })
      .where('id', '=', 'basic')
      .execute();
    ingest = createLiveIngest(await liveIngestDeps(context));
    rtmp = `rtmp://127.0.0.1:${await ingest.start()}/live`;
    editor = await signInWithRoles(context, ['content_manager', 'admin']);
  });
  after(async () => {
    await ingest.close();
    await context.close();
  });

  it('refuses a wrong key, goes live, plays to the entitled plan only, survives a reconnect, ends into a VOD', async () => {
    const { app } = context;
    const created = await app.inject({
      method: 'POST',
      url: '/api/admin/live-events',
      headers: editor.headers,
      payload: { title: 'Test pattern live', scheduledStart: new Date().toISOString(), minPlanTier: 1 },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { event, streamKey } = created.json<{ event: { id: string }; streamKey: string }>();
    const eventNow = async () =>
      (await app.inject({ url: `/api/admin/live-events/${event.id}`, headers: editor.headers })).json<{
        state: string;
        recordingTitleId: string | null;
      }>();
    const dir = path.join(context.deps.config.dataDir, 'live', event.id);

    const wrong = await publish(`${rtmp}/live_${'x'.repeat(43)}`, 3);
    assert.notEqual(wrong, 0, 'the publisher is disconnected');
    assert.equal((await eventNow()).state, 'scheduled');
    assert.ok(!existsSync(dir), 'no transcoder started');

    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const free = await registerViewer(app);
    const subscriber = await registerViewer(app);
    await context.deps.database.db
      .updateTable('users')
      .set({ planId: 'basic' })
      .where('email', '=', subscriber.email)
      .execute();
    const chat = await joinChat({ app, baseUrl, eventId: event.id, headers: subscriber.headers });
    assert.equal(chat.welcome.state, 'scheduled');
    const start = (viewer: SignedIn) =>
      app.inject({ method: 'POST', url: `/api/playback/${event.id}`, headers: viewer.headers });

    const notYet = await start(subscriber);
    assert.equal(notYet.statusCode, 409, notYet.body);
    assert.equal(notYet.json<{ code: string }>().code, 'PLAYBACK_NOT_READY');

    // The first publisher runs 12 s (long enough for the checks below on a loaded machine), drops,
    // and a second one resumes well within the 4 s grace.
    const firstRun = publish(`${rtmp}/${streamKey}`, 12);
    await chat.client.next('state', (frame) => frame.state === 'live', 15_000);
    assert.equal((await eventNow()).state, 'live');

    // A plan below the event's tier is refused, naming the plans that would allow it.
    const refused = await start(free);
    assert.equal(refused.statusCode, 402, refused.body);
    const refusal = refused.json<{ code: string; plans: string[] }>();
    assert.equal(refusal.code, 'PLAYBACK_PLAN_REQUIRED');
    assert.deepEqual(refusal.plans.sort(), ['basic', 'premium', 'standard']);

    const started = await until('the live stream to start', async () => {
      const response = await start(subscriber);
      return response.statusCode === 201 ? response.json<LiveSession>() : undefined;
    });
    assert.equal(started.live, true);
    assert.deepEqual(
      started.renditions.map((r) => r.height),
      [90],
      'only the rungs the plan allows',
    );
    const get = (url: string) => app.inject({ url });
    const master = await get(started.masterPlaylistUrl);
    assert.equal(master.statusCode, 200, master.body);
    assert.match(master.body, /RESOLUTION=160x90/);
    assert.doesNotMatch(master.body, /RESOLUTION=320x180/, 'the 180p rung is above the plan');
    const base = `/api/playback/sessions/${started.sessionId}/media/`;
    const query = `?token=${encodeURIComponent(started.token)}`;
    const above = await get(`${base}0/index.m3u8${query}`);
    assert.equal(above.statusCode, 403, above.body);
    const variantUrl = /^(media\/1\/index\.m3u8\?token=.+)$/m.exec(master.body)?.[1];
    assert.ok(variantUrl, master.body);
    const first = (await get(`/api/playback/sessions/${started.sessionId}/${variantUrl}`)).body;
    const playlist = await until('the playlist to move on', async () => {
      const text = (await get(`${base}1/index.m3u8${query}`)).body;
      return segmentCount(text) > segmentCount(first) || mediaSequence(text) > mediaSequence(first)
        ? text
        : undefined;
    });

    // Keys come from the key server with the stream's token and open the segments (IV: sequence).
    const keyUrl = /#EXT-X-KEY:METHOD=AES-128,URI="(\/api\/keys\/[0-9a-f-]{36}\?token=[^"]+)"/.exec(
      playlist,
    )?.[1];
    assert.ok(keyUrl, playlist);
    const key = await get(keyUrl);
    assert.equal(key.statusCode, 200, key.body);
    assert.equal(key.rawPayload.length, 16);
    const segmentUrl = /^(\/api\/delivery\/live\/[0-9a-f-]+\/hls\/1\/seg-\d+\.ts\?.+)$/m.exec(playlist)?.[1];
    assert.ok(segmentUrl, playlist);
    const segment = await get(segmentUrl);
    assert.equal(segment.statusCode, 200);
    assert.notEqual(segment.rawPayload[0], 0x47, 'not plain MPEG-TS');
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64BE(BigInt(mediaSequence(playlist)), 8);
    const decipher = createDecipheriv('aes-128-cbc', key.rawPayload, iv);
    const plain = Buffer.concat([decipher.update(segment.rawPayload), decipher.final()]);
    assert.equal(plain[0], 0x47, 'MPEG-TS after decryption');
    // The segment URL is signed for its own rung: the same signature doesn't open the 180p rung.
    const otherRung = await get(segmentUrl.replace('/hls/1/', '/hls/0/'));
    assert.equal(otherRung.statusCode, 401, otherRung.body);
    // The key is this event's: without the token, or with a forged one, the key server refuses.
    assert.equal((await get(keyUrl.slice(0, keyUrl.indexOf('?')))).statusCode, 401);
    assert.equal((await get(`${keyUrl}x`)).statusCode, 401);

    const heartbeat = await app.inject({
      method: 'POST',
      url: `/api/playback/sessions/${started.sessionId}/heartbeat`,
      headers: subscriber.headers,
      payload: { positionSeconds: 3 },
    });
    assert.equal(heartbeat.statusCode, 200, heartbeat.body);
    const streams = await app.inject({ url: '/api/playback/sessions', headers: subscriber.headers });
    assert.deepEqual(
      streams.json<{ items: Array<{ itemId: string }> }>().items.map((s) => s.itemId),
      [event.id],
      'the live stream counts against the plan',
    );

    assert.equal(await firstRun, 0);
    const secondRun = publish(`${rtmp}/${streamKey}`, 4);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal((await eventNow()).state, 'live', 'a reconnect within the grace window keeps it live');
    assert.ok(
      !chat.client.frames.some((frame) => frame.type === 'state' && frame.state === 'ended'),
      'viewers were never told it ended',
    );
    assert.equal(await secondRun, 0);

    await chat.client.next('state', (frame) => frame.state === 'ended', 20_000);
    assert.equal((await eventNow()).state, 'ended');
    const final = (await get(`${base}1/index.m3u8${query}`)).body;
    assert.match(final, /#EXT-X-ENDLIST/);
    const keys = new Set([...final.matchAll(/\/api\/keys\/([0-9a-f-]{36})/g)].map((match) => match[1]));
    assert.ok(keys.size >= 2, `keys rotate: ${[...keys].join(', ')}`);
    await chat.client.close();

    // The recording became a draft movie, transcoded by the VOD pipeline, for an admin to publish.
    const titleId = await until(
      'the recording’s title',
      async () => (await eventNow()).recordingTitleId ?? undefined,
    );
    const title = await app.inject({ url: `/api/admin/titles/${titleId}`, headers: editor.headers });
    assert.equal(title.statusCode, 200, title.body);
    assert.equal(title.json<{ status: string; title: string }>().title, 'Test pattern live');
    assert.notEqual(title.json<{ status: string }>().status, 'published');
    const job = await until(
      'the recording’s transcode',
      async () => {
        const jobs = await app.inject({ url: `/api/admin/jobs?itemId=${titleId}`, headers: editor.headers });
        const [asset] = jobs.json<{ items: Array<{ status: string }> }>().items;
        return asset && ['ready', 'failed'].includes(asset.status) ? asset : undefined;
      },
      60_000,
    );
    assert.equal(job.status, 'ready');
    const afterEnd = await start(subscriber);
    assert.equal(afterEnd.statusCode, 403, afterEnd.body);
    assert.equal(afterEnd.json<{ code: string }>().code, 'PLAYBACK_NOT_AVAILABLE');
  });
});
