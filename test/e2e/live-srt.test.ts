import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSrtIngest, liveRecordingKey, type SrtIngest } from '../../src/modules/live/index.ts';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { joinChat } from '../support/live-chat.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';
import { liveIngestDeps } from '../support/live-ingest.ts';

/** ffmpeg publishing a generated source (320x180 + a tone) over SRT; resolves with its exit code and stderr. */
function publish(url: string, seconds: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', `testsrc=size=320x180:rate=25:duration=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25'],
      ...['-c:a', 'aac', '-f', 'mpegts', url],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
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

/**
 * SRT in (`streamid` = the stream key, checked by the gate before anything starts), encrypted HLS
 * out: a wrong key is rejected in the handshake and no transcoder runs; the right one takes the
 * event live, an entitled viewer's segment decrypts with the key server's key; the publisher
 * drops and comes back within the grace window (same playlists, appended), then stops, and the
 * event ends with its recording stored for the VOD pipeline.
 */
describe('live: SRT ingest', () => {
  let context: TestContext;
  let ingest: SrtIngest;
  let editor: SignedIn;
  let srt: string;

  before(async () => {
    context = await createTestApp({
      env: {
        LIVE_SRT: 'true',
        LIVE_SRT_HOST: '127.0.0.1',
        LIVE_SRT_PORT: '0',
        LIVE_RUNGS: '180:300,90:150',
        LIVE_SEGMENT_SECONDS: '1',
        LIVE_DVR_SECONDS: '30',
        LIVE_GRACE_SECONDS: '4',
        LIVE_KEY_ROTATION_SECONDS: '2',
      },
    });
    await allowDevices(context);
    ingest = createSrtIngest(await liveIngestDeps(context));
    // A loaded machine may take a while to start the listening ffmpeg: the caller waits up to 10 s.
    srt = `srt://127.0.0.1:${await ingest.start()}?connect_timeout=10000&streamid=`;
    editor = await signInWithRoles(context, ['content_manager', 'admin']);
  });
  after(async () => {
    await ingest.close();
    await context.close();
  });

  it('rejects a wrong key in the handshake, goes live, decrypts for a viewer, survives a reconnect, ends', async () => {
    const { app } = context;
    const created = await app.inject({
      method: 'POST',
      url: '/api/admin/live-events',
      headers: editor.headers,
      payload: { title: 'SRT pattern', scheduledStart: new Date().toISOString() },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { event, streamKey } = created.json<{ event: { id: string }; streamKey: string }>();
    const stateNow = async () =>
      (await app.inject({ url: `/api/admin/live-events/${event.id}`, headers: editor.headers })).json<{
        state: string;
      }>().state;
    const dir = path.join(context.deps.config.dataDir, 'live', event.id);

    const wrong = await publish(`${srt}live_${'x'.repeat(43)}`, 3);
    assert.notEqual(wrong.code, 0, 'the publisher is refused');
    assert.match(wrong.stderr, /reject/i, 'refused in the handshake, not by a timeout');
    assert.equal(await stateNow(), 'scheduled');
    assert.ok(!existsSync(dir), 'no transcoder started');

    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const viewer = await registerViewer(app);
    const chat = await joinChat({ app, baseUrl, eventId: event.id, headers: viewer.headers });
    const firstRun = publish(`${srt}${streamKey}`, 10);
    await chat.client.next('state', (frame) => frame.state === 'live', 15_000);
    // One publisher per event: a second caller with the same key is rejected while the first runs.
    const second = await publish(`${srt}${streamKey}`, 2);
    assert.notEqual(second.code, 0, 'a second publisher is refused');

    const started = await until('the live stream to start', async () => {
      const response = await app.inject({
        method: 'POST',
        url: `/api/playback/${event.id}`,
        headers: viewer.headers,
      });
      return response.statusCode === 201 ? response.json<{ sessionId: string; token: string }>() : undefined;
    });
    const get = (url: string) => app.inject({ url });
    const base = `/api/playback/sessions/${started.sessionId}/media/`;
    const query = `?token=${encodeURIComponent(started.token)}`;
    const playlist = await until('a segment in the playlist', async () => {
      const text = (await get(`${base}1/index.m3u8${query}`)).body;
      return /seg-\d+\.ts/.test(text) ? text : undefined;
    });
    const keyUrl = /#EXT-X-KEY:METHOD=AES-128,URI="(\/api\/keys\/[0-9a-f-]{36}\?token=[^"]+)"/.exec(
      playlist,
    )?.[1];
    assert.ok(keyUrl, playlist);
    const key = await get(keyUrl);
    assert.equal(key.statusCode, 200, key.body);
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

    assert.equal((await firstRun).code, 0);
    const before = (await get(`${base}1/index.m3u8${query}`)).body;
    assert.doesNotMatch(before, /#EXT-X-ENDLIST/, 'the playlist stays open in the grace window');
    const secondRun = publish(`${srt}${streamKey}`, 4);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(await stateNow(), 'live', 'a reconnect within the grace window keeps it live');
    assert.equal((await secondRun).code, 0);

    await chat.client.next('state', (frame) => frame.state === 'ended', 20_000);
    assert.ok(
      chat.client.frames.filter((frame) => frame.type === 'state' && frame.state === 'ended').length === 1,
      'viewers were told it ended once, at the end',
    );
    const final = (await get(`${base}1/index.m3u8${query}`)).body;
    assert.match(final, /#EXT-X-DISCONTINUITY[\s\S]*#EXT-X-ENDLIST/, 'the second session appended');
    const recording = await until('the recording in storage', () =>
      context.deps.storage.head(liveRecordingKey(event.id)),
    );
    assert.ok(recording.size > 10_000, `recording of ${recording.size} bytes`);
    await chat.client.close();
  });
});
