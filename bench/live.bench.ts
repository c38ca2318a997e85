/**
 * bench:live — (a) chat: BENCH_VIEWERS WebSocket viewers, spread over BENCH_CLIENT_PROCESSES
 * load processes, split across two Marquee instances sharing PostgreSQL and Redis, while
 * BENCH_RATE messages/s are posted on the first for BENCH_SECONDS; deliveries arrived of those
 * expected, delivery latency (post → each viewer's receipt) p50/p99 and each server's resident
 * memory; the same at half the rate. Each pass waits for its deliveries to arrive (or to stop
 * arriving) before the next begins. The baseline, in the same run: a bare `ws` server forwarding
 * each frame to as many sockets — once frame by frame, once gathering frames for
 * BENCH_BATCH_MS as Marquee does (LIVE_CHAT_BATCH_MS) — with the ratio of Marquee's p99 to the
 * gathering one's. Aim: 5,000 viewers, 50 msg/s, p99 < 250 ms.
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
import type { WebSocket } from 'ws';
import { joinChat } from './lib/chat-join.ts';
import { ChatLoad, type PassResult, type ViewerTarget } from './lib/chat-load.ts';
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
// lavfi reads a duration of 0 as "forever": the publisher would never stop.
if (!(ingestSeconds >= 1)) throw new Error('BENCH_INGEST_SECONDS must be at least 1');
const clientProcesses = Number(process.env.BENCH_CLIENT_PROCESSES ?? 4);
const batchMs = Number(process.env.BENCH_BATCH_MS ?? 100);
// How long a pass may wait after its last post for deliveries still on their way.
const drainSeconds = Number(process.env.BENCH_DRAIN_SECONDS ?? 60);
const posterCount = Number(process.env.BENCH_POSTERS ?? Math.max(1, Math.ceil(rate)));
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
  LIVE_CHAT_BATCH_MS: String(batchMs),
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
/** A process's CPU seconds so far (user + system), from /proc. */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.split(' ');
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : NaN;
}
async function residentMb(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/**
 * One pass over viewers already connected: `posters` take turns (a socket's frames are handled in
 * order, as one person types); a poster the server dropped is replaced before it posts again.
 */
async function chatPass(options: {
  load: ChatLoad;
  posters: WebSocket[];
  rejoin: (index: number) => Promise<WebSocket>;
  perSecond: number;
}): Promise<PassResult> {
  let turn = 0;
  const result = await options.load.pass({
    perSecond: options.perSecond,
    seconds,
    drainSeconds,
    post: async (body) => {
      const index = turn++ % options.posters.length;
      let poster = options.posters[index] as WebSocket;
      if (poster.readyState !== poster.OPEN) {
        poster = await options.rejoin(index);
        options.posters[index] = poster;
      }
      poster.send(JSON.stringify({ type: 'send', body }));
    },
  });
  return result;
}
const delivery = (result: PassResult) =>
  `${result.delivered} / ${result.expected}${result.viewersLost ? ` (${result.viewersLost} viewers dropped)` : ''}`;
const latencyCell = (result: PassResult) => `${result.p50} / ${result.p99}`;

async function bareBaseline(gatherMs: number): Promise<PassResult> {
  const bare = await startWsBroadcast({ batchMs: gatherMs });
  try {
    const target: ViewerTarget = { kind: 'bare', url: bare.url.replace('http', 'ws') };
    const load = await ChatLoad.start({ processes: clientProcesses, viewers: viewerCount, target });
    const posters = [await joinChat(target, 0)];
    const result = await chatPass({ load, posters, rejoin: () => joinChat(target, 0), perSecond: rate });
    console.log(`baseline (bare ws, ${gatherMs ? `gathering ${gatherMs} ms` : 'frame by frame'})`, result);
    for (const poster of posters) poster.terminate();
    await load.close();
    return result;
  } finally {
    await bare.stop();
  }
}

const servers: Server[] = [];
try {
  // (a) the baselines first: a bare ws fan-out to as many sockets, one poster.
  const bareEach = await bareBaseline(0);
  const bareGathered = batchMs > 0 ? await bareBaseline(batchMs) : bareEach;

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
  const target: ViewerTarget = {
    kind: 'marquee',
    bases: [first.url, second.url],
    eventId: event.id,
    accessToken,
  };
  const load = await ChatLoad.start({ processes: clientProcesses, viewers: viewerCount, target });
  // The posters, on the first instance (even indexes): as many as messages per second, so each
  // types one a second, as people do — a socket's frames are handled one after another, and ten
  // posters at five a second each queued up behind their own sends on a loaded machine.
  const rejoin = (index: number) => joinChat(target, index * 2);
  const posters = await Promise.all(Array.from({ length: posterCount }, (_, index) => rejoin(index)));
  console.log(
    `${load.viewers} viewers joined over ${clientProcesses} processes; ${rate} msg/s for ${seconds} s`,
  );
  const cpuBefore = [await cpuSeconds(first.pid), await cpuSeconds(second.pid)];
  const full = await chatPass({ load, posters, rejoin, perSecond: rate });
  const cpuAfter = [await cpuSeconds(first.pid), await cpuSeconds(second.pid)];
  console.log('chat, full rate', full, {
    serverCpuSeconds: cpuAfter.map((after, index) => (after - (cpuBefore[index] as number)).toFixed(1)),
  });
  const memory = [await residentMb(first.pid), await residentMb(second.pid)];
  const half = await chatPass({ load, posters, rejoin, perSecond: rate / 2 });
  console.log('chat, half rate', half);
  const chat = {
    memory: `${memory[0]} / ${memory[1]} MB`,
    p99VersusBaseline: (full.p99 / Math.max(1, bareGathered.p99)).toFixed(1),
  };
  console.log('chat', chat);
  for (const socket of posters) socket.terminate();
  await load.close();

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
          `${rate} × ${seconds} s, ${clientProcesses} load processes, batches of ${batchMs} ms`,
          `${delivery(full)}<br>half rate: ${delivery(half)}`,
          `${full.p50} / **${full.p99}** (half rate: ${half.p50} / ${half.p99})`,
          `frame by frame ${latencyCell(bareEach)}<br>gathering ${latencyCell(bareGathered)} (×${chat.p99VersusBaseline})`,
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
