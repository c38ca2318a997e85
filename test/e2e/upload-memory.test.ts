import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { freePort, run, waitUntilListening } from '../support/processes.ts';

/**
 * The acceptance test for uploads: a 1 GiB file by each method, to a real server process
 * (`node src/main.ts` on an embedded database of its own), while that process's resident memory
 * (VmRSS from /proc) grows by less than 100 MB. The client is this test process, which streams a
 * body generated on the fly; it is not measured. The bytes are zeros, not a video: the upload
 * ends in a 415 once ffprobe has read the whole file from disk — which is the point, as the
 * file went through the whole receiving path first.
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

/** The server process's resident set, in bytes (Linux). */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples the server's resident memory every 50 ms while `work` runs. */
async function measureRss<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; before: number; peak: number }> {
  const before = await rssOf(pid);
  let peak = before;
  const sample = async () => {
    peak = Math.max(peak, await rssOf(pid).catch(() => 0));
  };
  const sampler = setInterval(() => void sample(), 50);
  try {
    const result = await work();
    await sample();
    return { result, before, peak };
  } finally {
    clearInterval(sampler);
  }
}

describe('uploads: 1 GiB in bounded memory', { timeout: 240_000 }, () => {
  let dataDir: string;
  let server: ReturnType<typeof run>;
  let headers: Record<string, string>;
  let base: string;
  let itemId: string;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-upload-memory-'));
    // Its own embedded database whatever the pass: only the server's memory is in question.
    const env = { DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn' };
    const credentials = { email: 'editor@example.com', password: 'a long and unusual passphrase' };
    const admin = run(
      'src/cli/main.ts',
      ['create-admin', '--email', credentials.email, '--password', credentials.password],
      env,
    );
    assert.equal(await admin.exited, 0, admin.output().stderr);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = run('src/main.ts', [], { ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base });
    await waitUntilListening(base, server.child);
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    assert.equal(login.status, 200);
    headers = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
    const created = await fetch(`${base}/api/admin/titles`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'movie', title: 'A very long film' }),
    });
    assert.equal(created.status, 201);
    itemId = ((await created.json()) as { id: string }).id;
    // Warm both paths up, so first-use allocations do not count as growth.
    await send({
      url: `${base}/api/videos/upload`,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: Readable.from([Buffer.from('{}')]),
    });
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  const leftovers = async (dir: string) =>
    (await readdir(path.join(dataDir, 'uploads', dir)).catch(() => [])).length;

  /** Sends `size` zero bytes as a multipart upload of a file named huge.mp4. */
  const multipart = (size: number) => {
    const boundary = '----marquee-memory-test';
    const preamble = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="itemId"\r\n\r\n${itemId}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.mp4"\r\n` +
        'Content-Type: video/mp4\r\n\r\n',
    );
    const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
    return send({
      url: `${base}/api/videos/upload`,
      method: 'POST',
      headers: {
        ...headers,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(preamble.length + size + epilogue.length),
      },
      body: concat(preamble, generated(size), epilogue),
    });
  };

  /** Creates a tus upload of `size` bytes and sends it in one PATCH. */
  const tus = async (size: number) => {
    const created = await send({
      url: `${base}/api/videos/tus`,
      method: 'POST',
      headers: {
        ...headers,
        'tus-resumable': '1.0.0',
        'upload-length': String(size),
        'upload-metadata': `itemId ${Buffer.from(itemId).toString('base64')},filename ${Buffer.from('huge.mp4').toString('base64')}`,
      },
      body: Readable.from([]),
    });
    assert.equal(created.status, 201, created.body);
    const location = created.headers.location;
    assert.match(location ?? '', /^\/api\/videos\/tus\/[0-9a-f]{32}$/);
    return () =>
      send({
        url: `${base}${location}`,
        method: 'PATCH',
        headers: {
          ...headers,
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'content-length': String(size),
        },
        body: generated(size),
      });
  };

  /**
   * Each method first receives a 256 MiB warm-up upload, unmeasured: the server's heap and
   * allocator then sit at the size steady streaming needs (a fresh process is still shedding
   * start-up garbage, which made a single measurement swing by 100 MB either way). Buffering
   * the body would still show as growth of about a gigabyte.
   */
  const WARM_UP = 256 * 1024 ** 2;

  it('multipart: 1 GiB streamed to disk', { timeout: 120_000 }, async () => {
    assert.equal((await multipart(WARM_UP)).status, 415);
    const started = Date.now();
    const { result, before, peak } = await measureRss(server.child.pid!, () => multipart(GIB));
    const growth = peak - before;
    console.log(
      `multipart 1 GiB: ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `RSS ${MB(before)} → peak ${MB(peak)} (growth ${MB(growth)})`,
    );
    assert.equal(result.status, 415, result.body.slice(0, 300));
    assert.ok(growth < MAX_GROWTH, `RSS grew by ${MB(growth)}`);
    assert.equal(await leftovers('multipart'), 0, 'the temp file is removed');
  });

  it('tus: 1 GiB in one PATCH', { timeout: 120_000 }, async () => {
    assert.equal((await (await tus(WARM_UP))()).status, 415);
    const patch = await tus(GIB);
    const started = Date.now();
    const { result, before, peak } = await measureRss(server.child.pid!, patch);
    const growth = peak - before;
    console.log(
      `tus 1 GiB: ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `RSS ${MB(before)} → peak ${MB(peak)} (growth ${MB(growth)})`,
    );
    assert.equal(result.status, 415, result.body.slice(0, 300));
    assert.ok(growth < MAX_GROWTH, `RSS grew by ${MB(growth)}`);
    assert.equal(await leftovers('tus'), 0, 'the partial upload is removed');
  });
});
