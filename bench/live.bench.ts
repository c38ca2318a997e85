/**
 * bench:live — (a) chat: BENCH_VIEWERS WebSocket viewers split across two Marquee instances
 * sharing PostgreSQL and Redis, while BENCH_RATE messages/s are posted on the first for
 * BENCH_SECONDS; delivery latency (post → each viewer's receipt) p50/p99 and each server's
 * resident memory; the same at half the rate; and the baseline, in the same run: a bare `ws`
 * server forwarding each frame to the same number of sockets (the fan-out alone), with the ratio
 * of Marquee's p99 to it. Aim: 5,000 viewers, 50 msg/s, p99 < 250 ms.
 * (b) ingest, over RTMP and then over SRT: ffmpeg publishes a generated 720p source to the first
 * instance (role `all`, LIVE_INGEST and LIVE_SRT on) for BENCH_INGEST_SECONDS; publish-to-playlist
 * latency of each live segment (when its playlist in storage — what viewers read — lists it, less
 * when its last frame was published, with `-re`) and the live ffmpeg's CPU seconds per media
 * second (the realtime factor; < 1 keeps up). Aim: ≤ 3 s.
 *
 * Needs DATABASE_URL and REDIS_URL: a fresh database is created on that server and dropped after.
 * BENCH_RECORD=1 adds a row to docs/PERFORMANCE.md.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { WebSocket } from 'ws';
import {
  freePort,
  loadAverage,
  machine,
  recordResults,
  startMarquee,
  startWsBroadcast,
  type Server,
} from './lib/runner.ts';

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
const srtPort = await freePort();
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
  LIVE_SRT: 'true',
  LIVE_SRT_HOST: '127.0.0.1',
  LIVE_SRT_PORT: String(srtPort),
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

// Every viewer's frames land here; a posted body is `t <ms>`. Read with a search, not JSON.parse:
// at 5,000 viewers × 50 msg/s the load process must not be what limits the latency.
let latencies: number[] = [];
let measuring = false;
// Frames of messages posted before this pass began (a backlog the last pass left) are not its own.
let passStarted = 0;
function onFrame(data: Buffer): void {
  if (!measuring) return;
  const text = data.toString('latin1');
  const at = text.indexOf('"body":"t ');
  if (!text.startsWith('{"type":"message"') || at === -1) return;
  const posted = parseInt(text.slice(at + 10), 10);
  if (posted >= passStarted) latencies.push(Date.now() - posted);
}
async function connect(url: string, firstFrame?: string, measured = true): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  if (firstFrame === undefined) {
    if (measured) socket.on('message', onFrame);
    return socket;
  }
  const welcomed = new Promise<void>((resolve) =>
    socket.once('message', () => {
      if (measured) socket.on('message', onFrame);
      resolve();
    }),
  );
  socket.send(firstFrame);
  await welcomed;
  return socket;
}
async function connectAll(count: number, open: (index: number) => Promise<WebSocket>): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let index = 0; index < count; index += 50)
    sockets.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, count - index) }, (_, offset) => open(index + offset)),
      )),
    );
  return sockets;
}
/** Posts `perSecond` messages for `duration` s round-robin over the posters; latency p50/p99. */
async function fanOut(posters: WebSocket[], perSecond: number, duration: number) {
  latencies = [];
  measuring = true;
  passStarted = Date.now();
  const total = Math.round(perSecond * duration);
  const started = Date.now();
  for (let sent = 0; sent < total; sent++) {
    const due = started + (sent * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    posters[sent % posters.length]?.send(JSON.stringify({ type: 'send', body: `t ${Date.now()}` }));
  }
  await sleep(3000);
  measuring = false;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    delivered: sorted.length,
    expected: total,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

const servers: Server[] = [];
try {
  // (a) the baseline first: a bare ws fan-out to as many sockets, one poster.
  const bare = await startWsBroadcast();
  servers.push(bare);
  const bareUrl = bare.url.replace('http', 'ws');
  const bareViewers = await connectAll(viewerCount, () => connect(bareUrl));
  const barePoster = await connect(bareUrl, undefined, false);
  const baseline = await fanOut([barePoster], rate, seconds);
  console.log('baseline (bare ws fan-out)', baseline);
  for (const socket of [...bareViewers, barePoster]) socket.terminate();
  await bare.stop();

  const email = `bench-admin-${randomUUID().slice(0, 8)}@example.com`;
  const password = `bench passphrase ${randomUUID()}`;
  await run(process.execPath, ['src/cli/main.ts', 'migrate'], { env: { ...process.env, ...env } });
  await run(process.execPath, ['src/cli/main.ts', 'create-admin', '--email', email, '--password', password], {
    env: { ...process.env, ...env },
  });
  const first = await startMarquee({ env });
  servers.push(first);
  // The second instance serves HTTP and chat only (the ingest's ports belong to the first).
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
  const createEvent = async (title: string) =>
    json<{ event: { id: string }; streamKey: string }>(
      await post(
        first.url,
        '/api/admin/live-events',
        { title, scheduledStart: new Date().toISOString() },
        accessToken,
      ),
      201,
      'create event',
    );
  const { event } = await createEvent('Bench chat');
  async function join(base: string, measured = true): Promise<WebSocket> {
    // An instance shedding load (503, on the ticket or the upgrade) while thousands join: wait
    // and try again with a new ticket, as a client would.
    for (let attempt = 0; ; attempt++) {
      try {
        const { ticket } = await json<{ ticket: string }>(
          await post(base, `/api/live/${event.id}/chat-ticket`, {}, accessToken),
          201,
          'ticket',
        );
        return await connect(
          `${base.replace('http', 'ws')}/api/live/${event.id}/chat`,
          JSON.stringify({ type: 'join', ticket }),
          measured,
        );
      } catch (error) {
        if (attempt >= 50 || !String(error).includes('503')) throw error;
        await sleep(200 + Math.random() * 300);
      }
    }
  }

  const sockets = await connectAll(viewerCount, (index) => join(index % 2 ? second.url : first.url));
  // Ten posters (a socket handles its frames in order, as one person types).
  const posters = await Promise.all(Array.from({ length: 10 }, () => join(first.url, false)));
  console.log(`${sockets.length} viewers joined; posting ${rate} msg/s for ${seconds} s`);
  const full = await fanOut(posters, rate, seconds);
  const memory = [await residentMb(first.pid), await residentMb(second.pid)];
  const half = await fanOut(posters, rate / 2, seconds);
  const chat = {
    full,
    half,
    memory: `${memory[0]} / ${memory[1]} MB`,
    p99VersusBaseline: (full.p99 / Math.max(1, baseline.p99)).toFixed(1),
  };
  console.log('chat', chat);
  for (const socket of [...sockets, ...posters]) socket.terminate();

  // (b) ingest: RTMP, then SRT, each to its own event.
  async function ingest(protocol: 'rtmp' | 'srt') {
    const { event: live, streamKey } = await createEvent(`Bench ${protocol}`);
    // The mirrored playlist in storage: what every instance serves.
    const playlist = path.join(first.dataDir as string, 'storage', 'live', live.id, 'hls', '0', 'index.m3u8');
    const output =
      protocol === 'rtmp'
        ? ['-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/live/${streamKey}`]
        : ['-f', 'mpegts', `srt://127.0.0.1:${srtPort}?connect_timeout=10000&streamid=${streamKey}`];
    const publishStarted = Date.now();
    const publisher = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
        ...['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${ingestSeconds}`],
        ...['-f', 'lavfi', '-i', `sine=duration=${ingestSeconds}`],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-c:a', 'aac'],
        ...output,
      ],
      { stdio: 'ignore' },
    );
    const publishEnded = new Promise((resolve) => publisher.once('exit', resolve));
    const appeared = new Map<number, number>();
    let transcoderPid: number | undefined;
    let cpuSeconds = 0;
    // Until a while after the publisher stops: a segment late to the playlist counts, late.
    let stopAt = Infinity;
    while (Date.now() < stopAt) {
      if (publisher.exitCode !== null && stopAt === Infinity) stopAt = Date.now() + 5000;
      const text = await readFile(playlist, 'utf8').catch(() => undefined);
      if (text !== undefined) {
        const sequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
        const count = text.match(/\.ts\n/g)?.length ?? 0;
        for (let n = sequence; n < sequence + count; n++) if (!appeared.has(n)) appeared.set(n, Date.now());
      }
      // The live transcoder only (a recording's VOD transcode may run beside it).
      transcoderPid ??=
        Number(
          (
            await run('pgrep', ['-P', String(first.pid), '-f', `ffmpeg .*-i ${protocol}://127`]).catch(
              () => ({
                stdout: '',
              }),
            )
          ).stdout.trim(),
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
    const result = {
      protocol,
      segments: ingestLatencies.length,
      p50: percentile(ingestLatencies, 50),
      max: ingestLatencies.at(-1),
      realtimeFactor: (cpuSeconds / ingestSeconds).toFixed(2),
    };
    console.log('ingest', result);
    // Let the ended event's recording transcode (VOD) before the next pass measures CPU.
    await sleep(2000);
    return result;
  }
  const rtmp = await ingest('rtmp');
  const srt = await ingest('srt');
  const latency = (result: typeof rtmp) =>
    `${result.protocol.toUpperCase()} ${result.p50.toFixed(1)} / **${result.max?.toFixed(1)}** s`;
  if (process.env.BENCH_RECORD === '1')
    await recordResults(
      'live',
      [
        [
          `${viewerCount} (2 instances)`,
          `${rate} × ${seconds} s`,
          `${full.delivered} / ${full.expected * viewerCount}`,
          `${full.p50} / **${full.p99}** (half rate: ${half.p50} / ${half.p99})`,
          `${baseline.p50} / ${baseline.p99} (×${chat.p99VersusBaseline})`,
          chat.memory,
          `${latency(rtmp)}<br>${latency(srt)}`,
          `${rtmp.realtimeFactor} / ${srt.realtimeFactor}`,
          loadAverage(),
        ],
      ],
      { machine: machine() },
    );
} finally {
  for (const server of servers) await server.stop();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
}
