import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/**
 * The acceptance test for uploads: a 1 GiB file by each method, to a listening server, while the
 * process's resident memory grows by less than 100 MB. The server runs in this process, so the
 * client is measured too (it streams a body generated on the fly and holds nothing either).
 * The bytes are zeros, not a video: the upload ends in a 415 once ffprobe has read the whole file
 * from disk — which is the point, as the file went through the whole receiving path first.
 */
const GIB = 1024 ** 3;
const MAX_GROWTH = 100 * 1024 * 1024;
const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** `total` zero bytes, produced as they are read (one 256 KiB chunk reused). */
function generated(total: number): Readable {
  const chunk = Buffer.alloc(256 * 1024);
  let sent = 0;
  return new Readable({
    highWaterMark: chunk.length,
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(chunk.length, total - sent);
      sent += size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}

function concat(...parts: Array<Buffer | Readable>): Readable {
  return Readable.from(
    (async function* () {
      for (const part of parts) {
        if (Buffer.isBuffer(part)) yield part;
        else for await (const chunk of part) yield chunk as Buffer;
      }
    })(),
    { objectMode: false },
  );
}

/** Streams a body to the server and resolves with the answer. */
async function send(options: {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Readable;
}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const request = http.request(options.url, { method: options.method, headers: options.headers });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.on('response', resolve);
    request.on('error', reject);
  });
  await pipeline(options.body, request);
  const answer = await response;
  let body = '';
  for await (const chunk of answer) body += String(chunk);
  return { status: answer.statusCode ?? 0, headers: answer.headers, body };
}

// A collection before measuring, so one test's garbage is not the next one's baseline.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Samples resident memory every 50 ms while `work` runs. */
async function measureRss<T>(
  work: () => Promise<T>,
): Promise<{ result: T; before: number; peak: number; arrayBuffersAtPeak: number }> {
  collectGarbage();
  const start = process.memoryUsage();
  const before = start.rss;
  let peak = before;
  // Which part of a peak is Buffers awaiting collection (V8 frees them late when little else is allocated).
  let arrayBuffersAtPeak = start.arrayBuffers;
  const sample = () => {
    const usage = process.memoryUsage();
    if (usage.rss > peak) [peak, arrayBuffersAtPeak] = [usage.rss, usage.arrayBuffers];
  };
  const sampler = setInterval(sample, 50);
  try {
    const result = await work();
    sample();
    return { result, before, peak, arrayBuffersAtPeak };
  } finally {
    clearInterval(sampler);
  }
}

describe('uploads: 1 GiB in bounded memory', { timeout: 240_000 }, () => {
  let context: TestContext;
  let editor: SignedIn;
  let base: string;
  let itemId: string;

  before(async () => {
    context = await createTestApp();
    editor = await signInWithRoles(context, ['content_manager']);
    const created = await context.app.inject({
      method: 'POST',
      url: '/api/admin/titles',
      headers: editor.headers,
      payload: { kind: 'movie', title: 'A very long film' },
    });
    itemId = created.json<{ id: string }>().id;
    await context.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(context.app.server.address() as AddressInfo).port}`;
    // Warm both paths up, so first-use allocations do not count as growth.
    await send({
      url: `${base}/api/videos/upload`,
      method: 'POST',
      headers: { ...editor.headers, 'content-type': 'application/json' },
      body: Readable.from([Buffer.from('{}')]),
    });
  });
  after(() => context.close());

  const leftovers = async (dir: string) =>
    (await readdir(path.join(context.dataDir, 'uploads', dir)).catch(() => [])).length;

  it('multipart: 1 GiB streamed to disk', { timeout: 120_000 }, async () => {
    const boundary = '----marquee-memory-test';
    const preamble = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="itemId"\r\n\r\n${itemId}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.mp4"\r\n` +
        'Content-Type: video/mp4\r\n\r\n',
    );
    const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
    const started = Date.now();
    const { result, before, peak, arrayBuffersAtPeak } = await measureRss(() =>
      send({
        url: `${base}/api/videos/upload`,
        method: 'POST',
        headers: {
          ...editor.headers,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(preamble.length + GIB + epilogue.length),
        },
        body: concat(preamble, generated(GIB), epilogue),
      }),
    );
    const growth = peak - before;
    console.log(
      `multipart 1 GiB: ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `RSS ${MB(before)} → peak ${MB(peak)} (growth ${MB(growth)}; Buffers at peak ${MB(arrayBuffersAtPeak)})`,
    );
    assert.equal(result.status, 415, result.body.slice(0, 300));
    assert.ok(growth < MAX_GROWTH, `RSS grew by ${MB(growth)}`);
    assert.equal(await leftovers('multipart'), 0, 'the temp file is removed');
  });

  it('tus: 1 GiB in one PATCH', { timeout: 120_000 }, async () => {
    const created = await send({
      url: `${base}/api/videos/tus`,
      method: 'POST',
      headers: {
        ...editor.headers,
        'tus-resumable': '1.0.0',
        'upload-length': String(GIB),
        'upload-metadata': `itemId ${Buffer.from(itemId).toString('base64')},filename ${Buffer.from('huge.mp4').toString('base64')}`,
      },
      body: Readable.from([]),
    });
    assert.equal(created.status, 201, created.body);
    const started = Date.now();
    const location = created.headers.location;
    assert.match(location ?? '', /^\/api\/videos\/tus\/[0-9a-f]{32}$/);
    const { result, before, peak, arrayBuffersAtPeak } = await measureRss(() =>
      send({
        url: `${base}${location}`,
        method: 'PATCH',
        headers: {
          ...editor.headers,
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'content-length': String(GIB),
        },
        body: generated(GIB),
      }),
    );
    const growth = peak - before;
    console.log(
      `tus 1 GiB: ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `RSS ${MB(before)} → peak ${MB(peak)} (growth ${MB(growth)}; Buffers at peak ${MB(arrayBuffersAtPeak)})`,
    );
    assert.equal(result.status, 415, result.body.slice(0, 300));
    assert.ok(growth < MAX_GROWTH, `RSS grew by ${MB(growth)}`);
    assert.equal(await leftovers('tus'), 0, 'the partial upload is removed');
  });
});
