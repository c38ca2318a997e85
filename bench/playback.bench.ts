/**
 * bench:playback — the key server (GET /api/keys/:id?token=) and the per-stream playlists
 * (master and media) with 500 concurrent clients, against GET /healthz on the same server in the
 * same run. Aim: ≥ 0.5 of /healthz with p99 under 20 ms.
 *
 * Setup, as an operator would: `marquee seed-demo --sample` on a fresh data dir (playable demo
 * titles up to 1080p), a viewer registered over HTTP and put on premium with `marquee set-plan`
 * (the embedded database is one process's at a time, so the server is stopped for it), then four
 * streams of the 1080p demo from four devices (premium's limit). Connections cycle through the
 * four streams' URLs. A real player asks for a key once per rotation period (a few per minute),
 * so the key rate limit per stream (KEY_RATE_LIMIT_PER_MINUTE, 600 by default) is raised to its
 * maximum for the benchmark; it is still consulted on every key request.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type autocannon from 'autocannon';
import {
  compare,
  comparisonRows,
  printComparison,
  recordResults,
  startMarquee,
  type Target,
} from './lib/runner.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 500);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const keyRateLimit = '100000';
const root = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-bench-playback-'));
const env = {
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  // The demo clips only need to exist; how well they are encoded doesn't matter here.
  TRANSCODE_PRESET: 'ultrafast',
};
const cli = (...args: string[]) =>
  run(process.execPath, ['src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, ...env } });

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  if (response.status !== expected) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Path and query of a URL, as autocannon's `requests` want them. */
const pathOf = (url: URL) => url.pathname + url.search;

try {
  process.stderr.write('  seed-demo --sample (transcoding three demo clips)…\n');
  await cli('seed-demo', '--sample');

  const email = `bench-${randomUUID().slice(0, 8)}@example.com`;
  const password = `bench passphrase ${randomUUID()}`;
  const first = await startMarquee({ dataDir, env });
  try {
    await json(
      await fetch(`${first.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password, name: 'Bench viewer' }),
      }),
      202,
      'register',
    );
  } finally {
    await first.stop();
  }
  await cli('set-plan', '--email', email, '--plan', 'premium');

  const marquee = await startMarquee({
    dataDir,
    env: {
      ...env,
      KEY_RATE_LIMIT_PER_MINUTE: keyRateLimit,
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
      // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the server, written when it stops.
      ...(process.env.BENCH_CPU_PROF && {
        NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`,
      }),
    },
  });
  const heartbeats: Array<() => Promise<unknown>> = [];
  // Streams lapse without heartbeats (PLAYBACK_HEARTBEAT_LAPSE_SECONDS, 75 s): beat like a player.
  const beating = setInterval(() => heartbeats.forEach((beat) => void beat().catch(() => undefined)), 20_000);
  try {
    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${marquee.url}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const found = await json<{ items: Array<{ id: string; title: string }> }>(
      await fetch(`${marquee.url}/api/videos?q=${encodeURIComponent('Marquee Demo Test Pattern')}&limit=5`),
      200,
      'search',
    );
    const movie = found.items.find((item) => item.title === 'Marquee Demo: Test Pattern');
    if (!movie) throw new Error(`the 1080p demo title is not in the catalog: ${JSON.stringify(found)}`);

    const keyRequests: autocannon.Request[] = [];
    const masterRequests: autocannon.Request[] = [];
    const mediaRequests: autocannon.Request[] = [];
    for (const device of ['TV', 'Laptop', 'Phone', 'Tablet']) {
      const { accessToken } = await json<{ accessToken: string }>(
        await post('/api/auth/login', { email, password, device: { name: device, type: 'web' } }),
        200,
        'login',
      );
      const started = await json<{ sessionId: string; masterPlaylistUrl: string }>(
        await post(`/api/playback/${movie.id}`, {}, { authorization: `Bearer ${accessToken}` }),
        201,
        'start playback',
      );
      heartbeats.push(() =>
        post(
          `/api/playback/sessions/${started.sessionId}/heartbeat`,
          { positionSeconds: 1 },
          { authorization: `Bearer ${accessToken}` },
        ),
      );
      const master = new URL(started.masterPlaylistUrl, marquee.url);
      const masterText = await (await fetch(new URL(pathOf(master), marquee.url))).text();
      // The top rendition (1080p for premium): its playlist, and the key of its first segment.
      const mediaUri = masterText
        .split('\n')
        .filter((line) => line && !line.startsWith('#'))
        .at(-1);
      if (!mediaUri) throw new Error(`no variant in the master playlist:\n${masterText}`);
      const media = new URL(mediaUri, new URL(pathOf(master), marquee.url));
      const mediaText = await (await fetch(media)).text();
      const keyUri = /#EXT-X-KEY:.*URI="([^"]+)"/.exec(mediaText)?.[1];
      if (!keyUri) throw new Error(`no key in the media playlist:\n${mediaText}`);
      const key = new URL(keyUri, media);
      masterRequests.push({ method: 'GET', path: pathOf(master) });
      mediaRequests.push({ method: 'GET', path: pathOf(media) });
      keyRequests.push({ method: 'GET', path: pathOf(key) });
    }

    const subject = (name: string, requests: autocannon.Request[]): Target => ({
      name,
      url: marquee.url,
      requests,
      server: marquee,
    });
    const comparison = await compare({
      baseline: { name: 'GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
      subjects: [
        subject('GET /api/keys/:id (key server)', keyRequests),
        subject('GET …/master.m3u8 (master playlist)', masterRequests),
        subject('GET …/media/v1080/index.m3u8 (media playlist)', mediaRequests),
      ],
      connections,
      durationSeconds,
      rounds,
    });
    printComparison(
      `bench:playback — ${connections} connections over 4 premium streams, ${durationSeconds} s × ${rounds} rounds (median); KEY_RATE_LIMIT_PER_MINUTE=${keyRateLimit} for the bench`,
      comparison,
    );
    await recordResults(
      'playback',
      comparisonRows(comparison, `4 premium streams; KEY_RATE_LIMIT_PER_MINUTE=${keyRateLimit}`),
    );
  } finally {
    clearInterval(beating);
    await marquee.stop();
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
