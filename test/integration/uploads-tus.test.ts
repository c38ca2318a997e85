import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { makeClip, scratchDir } from '../support/media-clips.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const tusHeaders = { 'tus-resumable': '1.0.0' };

describe('uploads: tus (resumable)', () => {
  let context: TestContext;
  let editor: SignedIn;
  let otherEditor: SignedIn;
  let viewer: SignedIn;
  let clip: Buffer;
  let base: string;
  let removeScratch: () => Promise<void>;

  before(async () => {
    context = await createTestApp();
    editor = await signInWithRoles(context, ['content_manager']);
    otherEditor = await signInWithRoles(context, ['content_manager']);
    viewer = await registerViewer(context.app);
    const scratch = await scratchDir();
    removeScratch = scratch.remove;
    clip = await readFile(
      await makeClip({ path: path.join(scratch.dir, 'clip.mp4'), width: 320, height: 240, seconds: 2 }),
    );
    await context.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(context.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await removeScratch();
    await context.close();
  });

  async function createMovie(): Promise<string> {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/admin/titles',
      headers: editor.headers,
      payload: { kind: 'movie', title: 'Resumable' },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json<{ id: string }>().id;
  }

  async function create(options: {
    itemId: string;
    length: number;
    filename?: string;
    as?: SignedIn | null;
  }) {
    const as = options.as === undefined ? editor : options.as;
    return fetch(`${base}/api/videos/tus`, {
      method: 'POST',
      headers: {
        ...tusHeaders,
        ...as?.headers,
        'upload-length': String(options.length),
        'upload-metadata': `itemId ${b64(options.itemId)},filename ${b64(options.filename ?? 'clip.mp4')}`,
      },
    });
  }

  const patch = (url: string, offset: number, body: Buffer, as: SignedIn = editor) =>
    fetch(url, {
      method: 'PATCH',
      headers: {
        ...tusHeaders,
        ...as.headers,
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      },
      body,
    });
  const head = (url: string, as: SignedIn = editor) =>
    fetch(url, { method: 'HEAD', headers: { ...tusHeaders, ...as.headers } });

  /** Sends the first bytes of a PATCH, then drops the connection: a network failure mid-upload. */
  async function interruptedPatch(url: string, bytes: Buffer): Promise<void> {
    const request = http.request(url, {
      method: 'PATCH',
      headers: {
        ...tusHeaders,
        ...editor.headers,
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(clip.length),
      },
    });
    request.on('error', () => undefined);
    request.write(bytes);
    await sleep(300);
    request.destroy();
  }

  const assetsOf = (itemId: string) =>
    context.deps.database.db.selectFrom('videoAssets').selectAll().where('itemId', '=', itemId).execute();
  const storedKeys = async (prefix: string) => {
    const keys: string[] = [];
    for await (const object of context.deps.storage.list(prefix)) keys.push(object.key);
    return keys;
  };

  it('resumes an interrupted upload from the offset HEAD reports, then registers the video', async () => {
    const itemId = await createMovie();
    const created = await create({ itemId, length: clip.length, filename: '../secret/My Movie.mp4' });
    assert.equal(created.status, 201, await created.text());
    const location = created.headers.get('location') ?? '';
    assert.match(location, /^\/api\/videos\/tus\/[0-9a-f]{32}$/);
    assert.ok(created.headers.get('x-request-id'), 'Fastify headers survive the hand-over');
    const url = `${base}${location}`;

    const half = Math.floor(clip.length / 2);
    await interruptedPatch(url, clip.subarray(0, half));
    // The server notices the dropped connection and releases the upload; HEAD then tells the offset.
    let offset = -1;
    for (let attempt = 0, previous = -2; attempt < 50 && !(offset > 0 && offset === previous); attempt++) {
      previous = offset;
      await sleep(100);
      const response = await head(url);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('upload-length'), String(clip.length));
      offset = Number(response.headers.get('upload-offset'));
    }
    assert.ok(offset > 0 && offset <= half, `resumes from ${offset} of ${half} sent`);

    const stale = await patch(url, 0, clip.subarray(0, 10));
    assert.equal(stale.status, 409, 'a PATCH from the wrong offset is refused');

    const finished = await patch(url, offset, clip.subarray(offset));
    assert.equal(finished.status, 200, await finished.clone().text());
    const job = (await finished.json()) as { id: string; itemId: string; status: string; sourceName: string };
    assert.equal(job.itemId, itemId);
    assert.equal(job.status, 'queued');
    assert.equal(job.sourceName, 'My-Movie.mp4');
    const [asset] = await assetsOf(itemId);
    assert.equal(asset?.id, job.id);
    assert.equal(asset?.uploadedBy, editor.userId);
    assert.equal((await context.deps.storage.head(asset?.sourceKey ?? ''))?.size, clip.length);
    assert.equal((await head(url)).status, 404, 'the partial upload is gone once stored');
  });

  it('lets another instance resume an upload whose request hangs on the first, ending that request', async () => {
    // A second app on the same database, cache, pub/sub and upload directory: a second server.
    const second = await buildApp(context.deps);
    let hanging: http.ClientRequest | undefined;
    try {
      await second.listen({ port: 0, host: '127.0.0.1' });
      const secondBase = `http://127.0.0.1:${(second.server.address() as AddressInfo).port}`;
      const itemId = await createMovie();
      const created = await create({ itemId, length: clip.length });
      const location = created.headers.get('location') ?? '';

      // The first instance receives half the bytes, then the client goes quiet without closing:
      // a connection lost the way mobile networks lose them. tus holds the upload's lock meanwhile.
      const half = Math.floor(clip.length / 2);
      hanging = http.request(`${base}${location}`, {
        method: 'PATCH',
        headers: {
          ...tusHeaders,
          ...editor.headers,
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'content-length': String(clip.length),
        },
      });
      const request = hanging;
      const hangingEnded = new Promise<string>((resolve) => {
        request.on('response', (response) => resolve(`answered ${response.statusCode}`));
        request.on('error', (error) => resolve(`closed: ${error.message}`));
      });
      request.write(clip.subarray(0, half));
      await sleep(300);

      // The client comes back through the other instance: HEAD there takes the lock from the
      // first instance's request (asked over pub/sub) and tells the offset to resume from.
      const resumed = await head(`${secondBase}${location}`);
      assert.equal(resumed.status, 200);
      const offset = Number(resumed.headers.get('upload-offset'));
      assert.ok(offset > 0 && offset <= half, `resumes from ${offset} of ${half} sent`);
      const outcome = await Promise.race([hangingEnded, sleep(5_000).then(() => 'still hanging')]);
      assert.notEqual(outcome, 'still hanging', 'the first instance ended the request holding the lock');

      const finished = await patch(`${secondBase}${location}`, offset, clip.subarray(offset));
      assert.equal(finished.status, 200, await finished.clone().text());
      const [asset] = await assetsOf(itemId);
      assert.equal((await context.deps.storage.head(asset?.sourceKey ?? ''))?.size, clip.length);
      const stored = await context.deps.storage.get(asset?.sourceKey ?? '');
      const chunks: Buffer[] = [];
      for await (const chunk of stored.body) chunks.push(chunk as Buffer);
      assert.ok(Buffer.concat(chunks).equals(clip), 'the stored file is the clip, byte for byte');
    } finally {
      hanging?.destroy();
      await second.close();
    }
  });

  it('refuses a non-video when it completes: 415 problem, nothing stored', async () => {
    const itemId = await createMovie();
    const text = Buffer.from('Not a video at all.\n'.repeat(100));
    const created = await create({ itemId, length: text.length, filename: 'movie.mp4' });
    assert.equal(created.status, 201);
    const url = `${base}${created.headers.get('location')}`;
    const response = await patch(url, 0, text);
    assert.equal(response.status, 415);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.match(((await response.json()) as { code: string }).code, /^MEDIA_(UNREADABLE|NOT_A_VIDEO)$/);
    assert.deepEqual(await assetsOf(itemId), []);
    assert.deepEqual(await storedKeys(`sources/${itemId}/`), []);
    assert.equal((await head(url)).status, 404);
  });

  it('checks the item, the metadata and the size before creating an upload', async () => {
    const unknown = await create({ itemId: '00000000-0000-4000-8000-000000000000', length: 10 });
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('content-type') ?? '', /application\/problem\+json/);
    const tooLarge = await create({ itemId: await createMovie(), length: 3 * 1024 ** 3 });
    assert.equal(tooLarge.status, 413);
    const noMetadata = await fetch(`${base}/api/videos/tus`, {
      method: 'POST',
      headers: { ...tusHeaders, ...editor.headers, 'upload-length': '10' },
    });
    assert.equal(noMetadata.status, 400);
    const noVersion = await fetch(`${base}/api/videos/tus`, { method: 'POST', headers: editor.headers });
    assert.equal(noVersion.status, 412);
    assert.equal(noVersion.headers.get('tus-version'), '1.0.0');
  });

  it('refuses a malformed Upload-Length or Upload-Offset with a 400 problem, creating nothing', async () => {
    const itemId = await createMovie();
    for (const length of ['ten', '-1', '1e9', '']) {
      const response = await fetch(`${base}/api/videos/tus`, {
        method: 'POST',
        headers: {
          ...tusHeaders,
          ...editor.headers,
          'upload-length': length,
          'upload-metadata': `itemId ${b64(itemId)},filename ${b64('clip.mp4')}`,
        },
      });
      assert.equal(response.status, 400, `Upload-Length: ${length}`);
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/, length);
    }
    const url = `${base}${(await create({ itemId, length: 10 })).headers.get('location')}`;
    const response = await fetch(url, {
      method: 'PATCH',
      headers: {
        ...tusHeaders,
        ...editor.headers,
        'upload-offset': 'zero',
        'content-type': 'application/offset+octet-stream',
      },
      body: Buffer.alloc(10),
    });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal((await head(url)).headers.get('upload-offset'), '0');
  });

  it('requires content:write, and only the uploader may resume', async () => {
    const itemId = await createMovie();
    assert.equal((await create({ itemId, length: 10, as: null })).status, 401);
    assert.equal((await create({ itemId, length: 10, as: viewer })).status, 403);
    const created = await create({ itemId, length: 10 });
    const url = `${base}${created.headers.get('location')}`;
    assert.equal((await head(url, otherEditor)).status, 404);
    assert.equal((await patch(url, 0, Buffer.alloc(10), otherEditor)).status, 404);
    const terminated = await fetch(url, { method: 'DELETE', headers: { ...tusHeaders, ...editor.headers } });
    assert.equal(terminated.status, 204);
    assert.equal((await head(url)).status, 404);
  });

  it('answers tus discovery (OPTIONS) without credentials', async () => {
    const response = await fetch(`${base}/api/videos/tus`, { method: 'OPTIONS' });
    assert.ok(response.status === 204 || response.status === 200, String(response.status));
    assert.equal(response.headers.get('tus-version'), '1.0.0');
    assert.match(response.headers.get('tus-extension') ?? '', /creation/);
  });
});
