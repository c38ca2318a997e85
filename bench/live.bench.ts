/**
 * bench:live — (a) chat: BENCH_VIEWERS WebSocket viewers split across two Marquee instances
 * sharing PostgreSQL and Redis, while BENCH_RATE messages/s are posted on the first for
 * BENCH_SECONDS; delivery latency (post → each viewer's receipt) p50/p99 and each server's
 * resident memory. Aim: 5,000 viewers, 50 msg/s, p99 < 250 ms.
 * (b) ingest: ffmpeg publishes a generated 720p source over RTMP to the first instance (role
 * `all`, LIVE_INGEST on) for BENCH_INGEST_SECONDS; publish-to-playlist latency of each live
 * segment (when it appears in the playlist − when its last frame was published, with `-re`) and
 * the live ffmpeg's CPU seconds per media second (the realtime factor; < 1 keeps up).
 * Aim: ≤ 3 s.
 *
 * Needs DATABASE_URL and REDIS_URL: a fresh database is created on that server and dropped after.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { WebSocket } from 'ws';
import { freePort, machine, recordResults, startMarquee, type Server } from './lib/runner.ts';

const viewerCount = Number(process.env.BENCH_VIEWERS ?? 5000);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const rate = Number(process.env.BENCH_RATE ?? 50);
const ingestSeconds = Number(process.env.BENCH_INGEST_SECONDS ?? 20);
const serverUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!serverUrl || !redisUrl) throw new Error('bench:live needs DATABASE_URL and REDIS_URL (two instances)');
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const database = `marquee_bench_live_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${database}`);
const rtmpPort = await freePort();
const env = {
  DATABASE_URL: Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString(),
  REDIS_URL: redisUrl,
  LOG_LEVEL: 'warn',
  // One issuer for both instances (it defaults to each one's own address).
  PUBLIC_URL: 'http://127.0.0.1',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  LIVE_CHAT_MESSAGES_PER_10S: '1000',
  LIVE_CHAT_PRESENCE_MS: '2000',
  LIVE_INGEST: 'true',
  LIVE_RTMP_HOST: '127.0.0.1',
  LIVE_RTMP_PORT: String(rtmpPort),
  LIVE_SEGMENT_SECONDS: '1',
  LIVE_GRACE_SECONDS: '1',
};

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  if (response.status !== expected) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
async function residentMb(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

const servers: Server[] = [];
try {
  const email = `bench-admin-${randomUUID().slice(0, 8)}@example.com`;
  const password = `bench passphrase ${randomUUID()}`;
  await run(process.execPath, ['src/cli/main.ts', 'migrate'], { env: { ...process.env, ...env } });
  await run(process.execPath, ['src/cli/main.ts', 'create-admin', '--email', email, '--password', password], {
    env: { ...process.env, ...env },
  });
  const first = await startMarquee({ env });
  servers.push(first);
  // The second instance serves HTTP and chat only (the ingest's port belongs to the first).
  // Same data directory: the same signing keys (a token from one is good on the other) and storage.
  const second = await startMarquee({
    env: { ...env, ROLE: 'api', LIVE_INGEST: 'false' },
    ...(first.dataDir ? { dataDir: first.dataDir } : {}),
  });
  servers.push(second);
  const post = (base: string, url: string, body: unknown, token?: string) =>
    fetch(`${base}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
  const { accessToken } = await json<{ accessToken: string }>(
    await post(first.url, '/api/auth/login', { email, password }),
    200,
    'admin login',
  );
  const { event, streamKey } = await json<{ event: { id: string }; streamKey: string }>(
    await post(
      first.url,
      '/api/admin/live-events',
      { title: 'Bench', scheduledStart: new Date().toISOString() },
      accessToken,
    ),
    201,
    'create event',
  );

  async function join(base: string, onFrame: (frame: { type: string; message?: { body: string } }) => void) {
    const { ticket } = await json<{ ticket: string }>(
      await post(base, `/api/live/${event.id}/chat-ticket`, {}, accessToken),
      201,
      'ticket',
    );
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/live/${event.id}/chat`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const welcomed = new Promise<void>((resolve) =>
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as { type: string; message?: { body: string } };
        if (frame.type === 'welcome') resolve();
        onFrame(frame);
      }),
    );
    socket.send(JSON.stringify({ type: 'join', ticket }));
    await welcomed;
    return socket;
  }

  // (a) chat
  const latencies: number[] = [];
  let measuring = false;
  const onFrame = (frame: { type: string; message?: { body: string } }) => {
    if (!measuring || frame.type !== 'message' || !frame.message) return;
    latencies.push(Date.now() - Number(frame.message.body.split(' ')[1]));
  };
  const sockets: WebSocket[] = [];
  for (let index = 0; index < viewerCount; index += 50) {
    const batch = Math.min(50, viewerCount - index);
    sockets.push(
      ...(await Promise.all(
        Array.from({ length: batch }, (_, offset) =>
          join((index + offset) % 2 ? second.url : first.url, onFrame),
        ),
      )),
    );
  }
  // Ten posters (a socket handles its frames in order, as one person types): 50 msg/s in all.
  const posters = await Promise.all(Array.from({ length: 10 }, () => join(first.url, () => undefined)));
  console.log(`${sockets.length} viewers joined; posting ${rate} msg/s for ${seconds} s`);
  measuring = true;
  const total = rate * seconds;
  const started = Date.now();
  for (let sent = 0; sent < total; sent++) {
    const due = started + (sent * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    posters[sent % posters.length]?.send(JSON.stringify({ type: 'send', body: `t ${Date.now()}` }));
  }
  await sleep(3000);
  measuring = false;
  const memory = [await residentMb(first.pid), await residentMb(second.pid)];
  const sorted = latencies.sort((a, b) => a - b);
  const expected = total * viewerCount;
  const chat = {
    delivered: `${latencies.length} / ${expected}`,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    memory: `${memory[0]} / ${memory[1]} MB`,
  };
  console.log('chat', chat);
  for (const socket of [...sockets, ...posters]) socket.terminate();

  // (b) ingest
  const playlist = path.join(first.dataDir as string, 'live', event.id, 'hls', '0', 'index.m3u8');
  const publishStarted = Date.now();
  const publisher = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${ingestSeconds}`],
      ...['-f', 'lavfi', '-i', `sine=duration=${ingestSeconds}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-c:a', 'aac'],
      ...['-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/live/${streamKey}`],
    ],
    { stdio: 'ignore' },
  );
  const publishEnded = new Promise((resolve) => publisher.once('exit', resolve));
  const appeared = new Map<number, number>();
  let transcoderPid: number | undefined;
  let cpuSeconds = 0;
  while (publisher.exitCode === null) {
    if (existsSync(playlist)) {
      const text = await readFile(playlist, 'utf8');
      const sequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
      const count = text.match(/\.ts\n/g)?.length ?? 0;
      for (let n = sequence; n < sequence + count; n++) if (!appeared.has(n)) appeared.set(n, Date.now());
    }
    transcoderPid ??=
      Number(
        (await run('pgrep', ['-P', String(first.pid), 'ffmpeg']).catch(() => ({ stdout: '' }))).stdout.trim(),
      ) || undefined;
    if (transcoderPid) {
      const stat = (await readFile(`/proc/${transcoderPid}/stat`, 'utf8').catch(() => ''))
        .split(') ')[1]
        ?.split(' ');
      if (stat) cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
    }
    await sleep(100);
  }
  await publishEnded;
  // Segment n (1 s) holds media [n, n+1) s: published, with -re, by publishStarted + (n + 1) s.
  const ingestLatencies = [...appeared]
    .map(([n, at]) => (at - (publishStarted + (n + 1) * 1000)) / 1000)
    .sort((a, b) => a - b);
  const ingest = {
    segments: ingestLatencies.length,
    p50: percentile(ingestLatencies, 50),
    max: ingestLatencies.at(-1),
    realtimeFactor: (cpuSeconds / ingestSeconds).toFixed(2),
  };
  console.log('ingest', ingest);
  await recordResults(
    'live',
    [
      [
        `${viewerCount} (2 instances)`,
        `${rate} × ${seconds} s`,
        chat.delivered,
        `${chat.p50} / **${chat.p99}**`,
        chat.memory,
        `${ingest.p50?.toFixed(1)} / **${ingest.max?.toFixed(1)}** s`,
        ingest.realtimeFactor,
      ],
    ],
    { machine: machine() },
  );
} finally {
  for (const server of servers) await server.stop();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
}
