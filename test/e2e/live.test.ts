import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLiveIngest, type RtmpIngest } from '../../src/modules/live/index.ts';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { joinChat } from '../support/live-chat.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

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

/**
 * RTMP in, encrypted HLS out: a wrong key is refused before any transcoding, the right one takes
 * the event live (chat viewers are told), the ladder's playlists appear and slide, segments are
 * AES-128 under rotating keys, and the event ends after the grace window when the publisher stops.
 */
describe('live: RTMP ingest to an encrypted HLS ladder', () => {
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
        LIVE_GRACE_SECONDS: '1',
        LIVE_KEY_ROTATION_SECONDS: '2',
      },
    });
    await allowDevices(context);
    ingest = createLiveIngest({
      db: context.deps.database.db,
      pubsub: context.deps.pubsub,
      clock: context.deps.clock,
      logger: context.deps.logger,
      config: context.deps.config,
    });
    rtmp = `rtmp://127.0.0.1:${await ingest.start()}/live`;
    editor = await signInWithRoles(context, ['content_manager']);
  });
  after(async () => {
    await ingest.close();
    await context.close();
  });

  it('refuses a wrong key, goes live on the right one, serves a sliding encrypted ladder, ends when the publisher stops', async () => {
    const created = await context.app.inject({
      method: 'POST',
      url: '/api/admin/live-events',
      headers: editor.headers,
      payload: { title: 'Test pattern live', scheduledStart: new Date().toISOString() },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { event, streamKey } = created.json<{ event: { id: string }; streamKey: string }>();
    const stateOf = async () =>
      (
        await context.app.inject({ url: `/api/admin/live-events/${event.id}`, headers: editor.headers })
      ).json<{ state: string }>().state;
    const dir = path.join(context.deps.config.dataDir, 'live', event.id);

    const wrong = await publish(`${rtmp}/live_${'x'.repeat(43)}`, 3);
    assert.notEqual(wrong, 0, 'the publisher is disconnected');
    assert.equal(await stateOf(), 'scheduled');
    assert.ok(!existsSync(dir), 'no transcoder started');

    const baseUrl = await context.app.listen({ port: 0, host: '127.0.0.1' });
    const viewer = await registerViewer(context.app);
    const chat = await joinChat({ app: context.app, baseUrl, eventId: event.id, headers: viewer.headers });
    assert.equal(chat.welcome.state, 'scheduled');

    const publishing = publish(`${rtmp}/${streamKey}`, 9);
    await chat.client.next('state', (frame) => frame.state === 'live', 15_000);
    assert.equal(await stateOf(), 'live');

    const master = await until('the master playlist', async () => {
      const file = path.join(dir, 'hls', 'master.m3u8');
      return existsSync(file) ? readFile(file, 'utf8') : undefined;
    });
    assert.match(master, /RESOLUTION=320x180/);
    assert.match(master, /RESOLUTION=160x90/);
    const variant = path.join(dir, 'hls', '0', 'index.m3u8');
    const first = await until('a variant playlist', async () =>
      existsSync(variant) ? readFile(variant, 'utf8') : undefined,
    );
    const later = await until('the playlist to move on', async () => {
      const text = await readFile(variant, 'utf8');
      return (text.match(/\.ts/g)?.length ?? 0) > (first.match(/\.ts/g)?.length ?? 0) ||
        mediaSequence(text) > mediaSequence(first)
        ? text
        : undefined;
    });

    // Every segment is AES-128; its key is one of the rotating keys, the IV its sequence number.
    const keyUri = /#EXT-X-KEY:METHOD=AES-128,URI="marquee-live-key:\/\/[0-9a-f-]+\/(\d+)"/.exec(later);
    assert.ok(keyUri, later);
    const firstSegment = /^(seg-\d+\.ts)$/m.exec(later)?.[1] as string;
    const encrypted = await readFile(path.join(dir, 'hls', '0', firstSegment));
    assert.notEqual(encrypted[0], 0x47, 'not plain MPEG-TS');
    const key = await readFile(path.join(dir, 'keys', `${keyUri[1]}.key`));
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64BE(BigInt(mediaSequence(later)), 8);
    const explicitIv = /IV=0x([0-9a-fA-F]{32})/.exec(later)?.[1];
    const decipher = createDecipheriv('aes-128-cbc', key, explicitIv ? Buffer.from(explicitIv, 'hex') : iv);
    const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    assert.equal(plain[0], 0x47, 'MPEG-TS after decryption');

    assert.equal(await publishing, 0);
    await chat.client.next('state', (frame) => frame.state === 'ended', 15_000);
    assert.equal(await stateOf(), 'ended');
    const final = await readFile(variant, 'utf8');
    assert.match(final, /#EXT-X-ENDLIST/);
    const keys = new Set([...final.matchAll(/URI="([^"]+)"/g)].map((match) => match[1]));
    assert.ok(keys.size >= 2, `keys rotate: ${[...keys].join(', ')}`);
    await chat.client.close();
  });
});
