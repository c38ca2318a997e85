/**
 * bench:soak — a mixed workload against the production topology on this machine (`npm run
 * cluster`: HAProxy before two API instances and a worker, on PostgreSQL, Redis and s3rver):
 * browsing, sign-in and sign-out, playback (start, master and media playlists, content key,
 * heartbeats, progress, end) and live chat over WebSockets, all through the balancer.
 *
 * 1. Finds the highest rate at which p99 stays under SOAK_P99_MS (100): steps of SOAK_STEP_SECONDS
 *    (15) from SOAK_START_RATE (50 operations/s), ×1.4 each, until a step fails (p99 over the
 *    aim, an error, or the rate not reached). The same search for `GET /healthz` through the same
 *    balancer is the baseline: the mixed workload's rate is reported as a ratio of it.
 *    With SOAK_RATE set, that search is skipped and the mix runs at the rate given.
 * 2. Runs the mix at half that rate for one step (latency at half the maximum), then at the
 *    found rate for SOAK_SECONDS (600): errors (aim 0) and each process's resident memory
 *    sampled every 10 s — start, end, and its trend (least squares, MB per minute).
 *
 * The load is open-model: operations are scheduled at fixed instants and each latency runs from
 * its scheduled instant, so a slow answer is not hidden by the next request waiting for it
 * (no coordinated omission). Rate limits meant for one person (sign-ins per address, chat
 * messages per account, keys per stream) are raised: every simulated viewer comes from 127.0.0.1.
 *
 * Needs the PostgreSQL server (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 * a database is created and dropped) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { WebSocket } from 'ws';
import { unbatched, type ServerFrame } from '../src/modules/live/chat-protocol.ts';
import { makeClip } from '../test/support/media-clips.ts';
import { multipartBody } from '../test/support/multipart.ts';
import { descendantsOf, freePort, runNpm } from '../test/support/processes.ts';
import { loadAverage, machine, recordResults } from './lib/runner.ts';

const soakSeconds = Number(process.env.SOAK_SECONDS ?? 600);
const stepSeconds = Number(process.env.SOAK_STEP_SECONDS ?? 15);
const startRate = Number(process.env.SOAK_START_RATE ?? 50);
const p99Aim = Number(process.env.SOAK_P99_MS ?? 100);
const viewerCount = Number(process.env.SOAK_VIEWERS ?? 40);
/** Set to soak at this rate without searching for the highest passing one (e.g. to chase memory). */
const fixedRate = process.env.SOAK_RATE ? Number(process.env.SOAK_RATE) : undefined;
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => process.stderr.write(`  ${line}\n`);

// ── the cluster ─────────────────────────────────────────────────────────────────────────────
const databaseName = `marquee_soak_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${databaseName}`);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${databaseName}` }).toString();
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-soak-'));
// The processes write a heap snapshot here on SIGUSR2: the live heap after a full GC, at the soak's
// start and end, tells a leak from a heap that is merely large (resident memory rises and falls
// with V8's young generation and malloc's arenas, so its trend alone says little).
const heapDir = path.join(dataDir, 'heap');
await mkdir(heapDir);
let port = await freePort();
while (port > 65_000) port = await freePort();
const base = `http://127.0.0.1:${port}`;
const cluster = runNpm(['run', 'cluster'], {
  CLUSTER_PORT: String(port),
  CLUSTER_DATABASE_URL: databaseUrl,
  CLUSTER_REDIS_URL: redisUrl,
  CLUSTER_DATA_DIR: dataDir,
  REDIS_KEY_PREFIX: `${databaseName}:`,
  LOG_LEVEL: 'warn',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  KEY_RATE_LIMIT_PER_MINUTE: '100000',
  LIVE_CHAT_MESSAGES_PER_10S: '1000',
  NODE_OPTIONS:
    `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${heapDir}`.trim(),
});

interface Process {
  name: string;
  pid: number;
}

/** The cluster's Marquee processes, named by their role and port (from /proc/<pid>/environ). */
async function clusterProcesses(): Promise<Process[]> {
  const found: Process[] = [];
  for (const pid of await descendantsOf(cluster.child.pid ?? 0)) {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('src/main.ts')) continue;
    const variables = new Map(environ.split('\0').map((entry) => entry.split('=', 2) as [string, string]));
    const role = variables.get('ROLE');
    const apiIndex = Number(variables.get('PORT')) - port;
    found.push({ name: role === 'api' ? `api${apiIndex}` : String(role), pid });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

async function residentMegabytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** The process's live heap after a full GC, in MB: a heap snapshot written on SIGUSR2, summed. */
async function liveHeapMegabytes(pid: number): Promise<number> {
  const before = new Set(await readdir(heapDir));
  process.kill(pid, 'SIGUSR2');
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    await sleep(500);
    const name = (await readdir(heapDir)).find((file) => !before.has(file) && file.includes(`.${pid}.`));
    if (!name) continue;
    let snapshot: { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
    try {
      snapshot = JSON.parse(await readFile(path.join(heapDir, name), 'utf8')) as typeof snapshot;
    } catch {
      continue; // still being written
    }
    const fields = snapshot.snapshot.meta.node_fields;
    const sizeAt = fields.indexOf('self_size');
    let bytes = 0;
    for (let index = sizeAt; index < snapshot.nodes.length; index += fields.length)
      bytes += snapshot.nodes[index]!;
    await rm(path.join(heapDir, name));
    return bytes / 2 ** 20;
  }
  throw new Error(`no heap snapshot from process ${pid} within 120 s`);
}

async function json<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const post = (url: string, body: unknown, token?: string) =>
  fetch(`${base}${url}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });

interface Viewer {
  email: string;
  password: string;
  token: string;
  /** Rotated every few minutes, as a player does: access tokens live 15 minutes, the run longer. */
  refreshToken: string;
  busy: boolean;
  /** Where this viewer is in its playback script. */
  step: number;
  session?: { sessionId: string; masterPlaylistUrl: string; token: string };
  mediaUrl?: string;
  keyUrl?: string;
  socket?: WebSocket;
  chatEventId?: string;
  /** The close code when the server closed the chat socket; rejoined at the next chat operation. */
  chatClosedWith?: number;
}

// ── the workload ────────────────────────────────────────────────────────────────────────────
interface Outcome {
  operation: string;
  ok: boolean;
  detail?: string;
}

async function expectOk(response: Response, operation: string): Promise<Outcome> {
  await response.arrayBuffer();
  return response.ok
    ? { operation, ok: true }
    : { operation, ok: false, detail: `${operation}: ${response.status}` };
}

function playbackScript(viewer: Viewer, itemId: string): () => Promise<Outcome> {
  // Read at each call: the viewer's token is refreshed during the run.
  const auth = () => ({ authorization: `Bearer ${viewer.token}` });
  const steps: Array<() => Promise<Outcome>> = [
    async () => {
      const response = await fetch(`${base}/api/playback/${itemId}`, { method: 'POST', headers: auth() });
      if (!response.ok) return expectOk(response, 'playback start');
      viewer.session = (await response.json()) as Viewer['session'];
      return { operation: 'playback start', ok: true };
    },
    async () => {
      const response = await fetch(new URL(viewer.session!.masterPlaylistUrl, base));
      const text = await response.text();
      const media = text.split('\n').find((line) => line && !line.startsWith('#'));
      viewer.mediaUrl = media ? new URL(media, new URL(viewer.session!.masterPlaylistUrl, base)).href : '';
      return { operation: 'master playlist', ok: response.ok && Boolean(media) };
    },
    async () => {
      const response = await fetch(viewer.mediaUrl!);
      const text = await response.text();
      const key = /#EXT-X-KEY:.*URI="([^"]+)"/.exec(text)?.[1];
      viewer.keyUrl = key ? new URL(key, viewer.mediaUrl).href : '';
      return { operation: 'media playlist', ok: response.ok && Boolean(key) };
    },
    async () => expectOk(await fetch(viewer.keyUrl!), 'content key'),
    async () =>
      expectOk(
        await post(
          `/api/playback/sessions/${viewer.session!.sessionId}/heartbeat`,
          { positionSeconds: 2 },
          viewer.token,
        ),
        'heartbeat',
      ),
    async () =>
      expectOk(
        await post('/api/progress', { itemId, positionSeconds: 2, durationSeconds: 8 }, viewer.token),
        'progress',
      ),
    async () =>
      expectOk(
        await post(
          `/api/playback/sessions/${viewer.session!.sessionId}/heartbeat`,
          { positionSeconds: 6 },
          viewer.token,
        ),
        'heartbeat',
      ),
    async () =>
      expectOk(
        await post('/api/progress', { itemId, positionSeconds: 6, durationSeconds: 8 }, viewer.token),
        'progress',
      ),
    async () =>
      expectOk(
        await fetch(`${base}/api/playback/sessions/${viewer.session!.sessionId}`, {
          method: 'DELETE',
          headers: auth(),
        }),
        'playback end',
      ),
  ];
  return async () => {
    const outcome = await steps[viewer.step]!();
    viewer.step = outcome.ok ? (viewer.step + 1) % steps.length : 0;
    return outcome;
  };
}

/**
 * A chat socket for the viewer, joined with a fresh ticket. When the server closes it (it drops
 * a client that reads too slowly), the close code is kept: the next chat operation reports it as
 * its error and joins again, so one drop is one error, not every later message unanswered.
 */
async function joinChat(viewer: Viewer, eventId: string): Promise<void> {
  const { ticket } = await json<{ ticket: string }>(
    await post(`/api/live/${eventId}/chat-ticket`, {}, viewer.token),
    'ticket',
  );
  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/live/${eventId}/chat`);
  // One listener per chat message in flight: at the soak's rates a viewer has dozens at once.
  socket.setMaxListeners(0);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  await new Promise<void>((resolve) => {
    socket.once('message', () => resolve());
    socket.send(JSON.stringify({ type: 'join', ticket }));
  });
  socket.on('error', () => undefined);
  socket.once('close', (code) => {
    viewer.chatClosedWith = code;
  });
  viewer.socket = socket;
  viewer.chatEventId = eventId;
  viewer.chatClosedWith = undefined;
}

/** A chat message sent, and its latency the moment it comes back on the sender's socket. */
function chatMessage(viewer: Viewer): Promise<Outcome> {
  if (viewer.chatClosedWith !== undefined) {
    const detail = `chat: socket closed by the server (${viewer.chatClosedWith})`;
    viewer.chatClosedWith = undefined;
    return joinChat(viewer, viewer.chatEventId!).then(
      (): Outcome => ({ operation: 'chat', ok: false, detail }),
      (error: unknown): Outcome => ({
        operation: 'chat',
        ok: false,
        detail: `${detail}, rejoin: ${String(error)}`,
      }),
    );
  }
  const body = `soak ${randomUUID()}`;
  return new Promise((resolve) => {
    const socket = viewer.socket!;
    const timer = setTimeout(
      () => finish({ operation: 'chat', ok: false, detail: 'chat: no echo in 5 s' }),
      5000,
    );
    const onMessage = (data: Buffer) => {
      // A busy chat's frames come gathered in a `batch` (docs/LIVE-CHAT.md).
      for (const frame of unbatched(JSON.parse(data.toString()) as ServerFrame)) {
        if (frame.type === 'message' && frame.message.body === body) finish({ operation: 'chat', ok: true });
        else if (frame.type === 'error')
          finish({ operation: 'chat', ok: false, detail: `chat: ${frame.code}` });
      }
    };
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(outcome);
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'send', body }));
  });
}

interface StepResult {
  target: number;
  achieved: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  byOperation: Map<string, number>;
  /** Errors by what failed ("content key: 410"): what to look at first. */
  errorKinds: Map<string, number>;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Operations at `rate` per second for `seconds`, open-model; latency from each scheduled instant. */
async function drive(options: {
  rate: number;
  seconds: number;
  next: () => Promise<Outcome>;
  onTick?: () => void;
}): Promise<StepResult> {
  const { rate, seconds, next } = options;
  const latencies: number[] = [];
  const byOperation = new Map<string, number>();
  let errors = 0;
  let firstError: string | undefined;
  const errorKinds = new Map<string, number>();
  const countError = (kind: string) => {
    errors += 1;
    firstError ??= kind;
    errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
  };
  let issued = 0;
  let pending = 0;
  const total = Math.round(rate * seconds);
  const began = performance.now();
  const inFlight = new Set<Promise<void>>();
  while (issued < total) {
    // Operation i is due at began + i / rate: operation 0 at once, not after one interval.
    const due = Math.min(total, Math.floor(((performance.now() - began) * rate) / 1000) + 1);
    for (; issued < due; issued++) {
      const scheduled = began + (issued * 1000) / rate;
      if (pending > 5000) {
        countError('more than 5,000 operations outstanding');
        continue;
      }
      pending += 1;
      const done = next()
        .catch((error: unknown): Outcome => ({ operation: 'error', ok: false, detail: String(error) }))
        .then((outcome) => {
          pending -= 1;
          latencies.push(performance.now() - scheduled);
          byOperation.set(outcome.operation, (byOperation.get(outcome.operation) ?? 0) + 1);
          if (!outcome.ok) countError(outcome.detail ?? outcome.operation);
          inFlight.delete(done);
        });
      inFlight.add(done);
    }
    options.onTick?.();
    await sleep(1);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    target: rate,
    achieved: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    firstError,
    byOperation,
    errorKinds,
  };
}

const passes = (step: StepResult) =>
  step.errors === 0 && step.p99 < p99Aim && step.achieved >= step.target * 0.9;

/**
 * The highest passing rate of ×1.4 steps from startRate (halving first while startRate fails);
 * the last step that passed.
 */
async function search(what: string, next: () => Promise<Outcome>): Promise<StepResult> {
  const attempt = async (rate: number) => {
    const step = await drive({ rate, seconds: stepSeconds, next });
    say(
      `${what} at ${rate}/s: ${step.achieved.toFixed(0)}/s, p50 ${step.p50.toFixed(1)} ms, p99 ${step.p99.toFixed(1)} ms, ${step.errors} errors${step.firstError ? ` (${step.firstError})` : ''}`,
    );
    return step;
  };
  let rate = startRate;
  let step = await attempt(rate);
  while (!passes(step)) {
    rate = Math.floor(rate / 2);
    if (rate < 1) throw new Error(`${what}: even 1/s fails the ${p99Aim} ms aim`);
    step = await attempt(rate);
  }
  let best = step;
  for (;;) {
    rate = Math.max(rate + 1, Math.round(rate * 1.4));
    step = await attempt(rate);
    if (!passes(step)) break;
    best = step;
  }
  return best;
}

try {
  say('starting the cluster (HAProxy, two API instances, a worker, s3rver)…');
  const deadline = performance.now() + 180_000;
  while (!cluster.output().stdout.includes('Ctrl-C stops everything')) {
    if (cluster.child.exitCode !== null) throw new Error(`cluster exited: ${cluster.output().stderr}`);
    if (performance.now() > deadline) throw new Error(`cluster not up: ${cluster.output().stdout}`);
    await sleep(250);
  }
  const processes = await clusterProcesses();
  say(`cluster up: ${processes.map((process) => `${process.name} (pid ${process.pid})`).join(', ')}`);

  // An admin (the CLI, as an operator would), one playable title through the real pipeline, a live event.
  const adminEmail = `soak-admin-${randomUUID().slice(0, 8)}@example.com`;
  const adminPassword = `soak admin passphrase ${randomUUID()}`;
  await run(
    process.execPath,
    ['src/cli/main.ts', 'create-admin', '--email', adminEmail, '--password', adminPassword],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: `${databaseName}:`,
        LOG_LEVEL: 'warn',
      },
    },
  );
  const { accessToken: adminToken } = await json<{ accessToken: string }>(
    await post('/api/auth/login', { email: adminEmail, password: adminPassword }),
    'admin sign-in',
  );
  const title = await json<{ id: string }>(
    await post(
      '/api/admin/titles',
      { kind: 'movie', title: 'Soak', synopsis: 'The soak test title' },
      adminToken,
    ),
    'create title',
  );
  say('uploading and transcoding an 8 s clip…');
  const clip = await makeClip({
    path: path.join(dataDir, 'soak.mp4'),
    width: 640,
    height: 360,
    seconds: 8,
    audio: [{ language: 'eng' }],
  });
  const form = multipartBody([
    { name: 'itemId', value: title.id },
    { name: 'file', filename: 'soak.mp4', content: await readFile(clip), contentType: 'video/mp4' },
  ]);
  const job = await json<{ id: string }>(
    await fetch(`${base}/api/videos/upload`, {
      method: 'POST',
      headers: { 'content-type': form.contentType, authorization: `Bearer ${adminToken}` },
      body: form.payload,
    }),
    'upload',
  );
  for (;;) {
    const state = await json<{ status: string; progress?: number }>(
      await fetch(`${base}/api/admin/jobs/${job.id}`, { headers: { authorization: `Bearer ${adminToken}` } }),
      'job',
    );
    if (state.status === 'ready') break;
    if (state.status === 'failed' || state.status === 'cancelled')
      throw new Error(`the transcode ${state.status}`);
    await sleep(500);
  }
  await json(await post(`/api/admin/titles/${title.id}/publish`, {}, adminToken), 'publish');
  const { event } = await json<{ event: { id: string } }>(
    await post(
      '/api/admin/live-events',
      { title: 'Soak live', scheduledStart: new Date(Date.now() + 3600_000).toISOString() },
      adminToken,
    ),
    'live event',
  );

  say(`signing in ${viewerCount} viewers and joining them to the live chat…`);
  const viewers: Viewer[] = [];
  for (let index = 0; index < viewerCount; index++) {
    const email = `soak-${index}-${randomUUID().slice(0, 6)}@example.com`;
    const password = `soak viewer passphrase ${randomUUID()}`;
    await json(await post('/api/auth/register', { email, password, name: `Viewer ${index}` }), 'register');
    const { accessToken, refreshToken } = await json<{ accessToken: string; refreshToken: string }>(
      await post('/api/auth/login', { email, password }),
      'sign-in',
    );
    const viewer: Viewer = { email, password, token: accessToken, refreshToken, busy: false, step: 0 };
    await joinChat(viewer, event.id);
    viewers.push(viewer);
  }
  // Sign-in and sign-out use accounts of their own, so viewers keep their one device.
  const visitors = viewers.map((viewer) => ({ email: viewer.email, password: viewer.password, busy: false }));
  const scripts = new Map(viewers.map((viewer) => [viewer, playbackScript(viewer, title.id)]));

  let turn = 0;
  // The ramps and the soak outlast an access token (15 minutes): the viewers refresh theirs every
  // five minutes, as players do, or the last minutes would measure 401s (the first full soak did).
  const refreshing = setInterval(() => {
    for (const viewer of viewers) {
      void post('/api/auth/refresh', { refreshToken: viewer.refreshToken })
        .then((response) => json<{ accessToken: string; refreshToken: string }>(response, 'refresh'))
        .then((tokens) => {
          viewer.token = tokens.accessToken;
          viewer.refreshToken = tokens.refreshToken;
        })
        .catch((error: unknown) => say(`a viewer's refresh failed: ${String(error)}`));
    }
  }, 5 * 60_000);
  refreshing.unref();
  const pickIdle = <T extends { busy: boolean }>(pool: T[]): T | undefined => {
    for (let tries = 0; tries < pool.length; tries++) {
      const candidate = pool[(turn + tries) % pool.length]!;
      if (!candidate.busy) return candidate;
    }
    return undefined;
  };
  const browse = async (): Promise<Outcome> => {
    const viewer = viewers[turn % viewers.length]!;
    const pages = ['/api/home', '/api/videos?limit=20', `/api/titles/${title.id}`, '/api/videos?q=soak'];
    return expectOk(
      await fetch(`${base}${pages[turn % pages.length]}`, {
        headers: { authorization: `Bearer ${viewer.token}` },
      }),
      'browse',
    );
  };
  const held = async <T extends { busy: boolean }>(
    item: T,
    work: () => Promise<Outcome>,
  ): Promise<Outcome> => {
    item.busy = true;
    try {
      return await work();
    } finally {
      item.busy = false;
    }
  };
  /** The mix: 45 % playback steps, 35 % browsing, 15 % chat, 5 % sign-in + sign-out. */
  const mixed = (): Promise<Outcome> => {
    turn += 1;
    const dice = turn % 20;
    if (dice < 9) {
      const viewer = pickIdle(viewers);
      if (viewer) return held(viewer, scripts.get(viewer)!);
    } else if (dice < 12) {
      const viewer = viewers[turn % viewers.length]!;
      return chatMessage(viewer);
    } else if (dice === 12) {
      const visitor = pickIdle(visitors);
      if (visitor)
        return held(visitor, async () => {
          const response = await post('/api/auth/login', {
            email: visitor.email,
            password: visitor.password,
            device: { name: 'Soak', type: 'web' },
          });
          if (!response.ok) return expectOk(response, 'sign-in');
          const { accessToken } = (await response.json()) as { accessToken: string };
          return expectOk(await post('/api/auth/logout', {}, accessToken), 'sign-in + sign-out');
        });
    }
    return browse();
  };
  const healthz = async (): Promise<Outcome> => expectOk(await fetch(`${base}/healthz`), 'healthz');

  console.log(`\nbench:soak — ${machine()}, load average before ${loadAverage()}`);
  const baseline = await search('GET /healthz', healthz);
  const best = fixedRate
    ? await drive({ rate: fixedRate, seconds: stepSeconds, next: mixed })
    : await search('mixed', mixed);
  const half = await drive({ rate: Math.round(best.target / 2), seconds: stepSeconds, next: mixed });
  say(`mixed at half (${half.target}/s): p50 ${half.p50.toFixed(1)} ms, p99 ${half.p99.toFixed(1)} ms`);

  say(`soaking at ${best.target}/s for ${soakSeconds} s…`);
  const samples = new Map(processes.map((process) => [process.name, [] as Array<[number, number]>]));
  const soakStarted = performance.now();
  const sample = async () => {
    const minute = (performance.now() - soakStarted) / 60_000;
    for (const process of processes)
      samples.get(process.name)!.push([minute, await residentMegabytes(process.pid)]);
  };
  const heapAtStart = new Map<string, number>();
  for (const process of processes) heapAtStart.set(process.name, await liveHeapMegabytes(process.pid));
  await sample();
  const sampler = setInterval(() => void sample(), 10_000);
  let lastReport = performance.now();
  const soak = await drive({
    rate: best.target,
    seconds: soakSeconds,
    next: mixed,
    onTick: () => {
      if (performance.now() - lastReport < 30_000) return;
      lastReport = performance.now();
      const done = (performance.now() - soakStarted) / 1000;
      say(`soak: ${((100 * done) / soakSeconds).toFixed(0)}% (${done.toFixed(0)} of ${soakSeconds} s)`);
    },
  });
  clearInterval(sampler);
  clearInterval(refreshing);
  await sample();
  const heapAtEnd = new Map<string, number>();
  for (const process of processes) heapAtEnd.set(process.name, await liveHeapMegabytes(process.pid));

  const trend = (points: Array<[number, number]>) => {
    const n = points.length;
    const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
    const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
    const sxy = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
    const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
    return sxx === 0 ? 0 : sxy / sxx;
  };
  const memory = processes.map((process) => {
    const points = samples.get(process.name)!;
    const heap = `live heap ${heapAtStart.get(process.name)!.toFixed(0)}→${heapAtEnd.get(process.name)!.toFixed(0)} MB`;
    return `${process.name} ${points[0]![1].toFixed(0)}→${points.at(-1)![1].toFixed(0)} MB resident (${trend(points) >= 0 ? '+' : ''}${trend(points).toFixed(2)} MB/min), ${heap}`;
  });
  const mix = [...soak.byOperation].map(([operation, count]) => `${operation} ${count}`).join(', ');
  console.log(`GET /healthz through HAProxy: ${baseline.target}/s with p99 < ${p99Aim} ms`);
  console.log(
    `mixed: ${best.target}/s (${(best.target / baseline.target).toFixed(2)} of /healthz); at half: p99 ${half.p99.toFixed(1)} ms`,
  );
  console.log(
    `soak ${soakSeconds} s at ${best.target}/s: ${soak.achieved.toFixed(0)}/s achieved, p50 ${soak.p50.toFixed(1)} ms, p99 ${soak.p99.toFixed(1)} ms, ${soak.errors} errors${soak.firstError ? ` (first: ${soak.firstError})` : ''}`,
  );
  console.log(`operations: ${mix}`);
  if (soak.errors > 0) {
    const kinds = [...soak.errorKinds].sort((a, b) => b[1] - a[1]).slice(0, 10);
    console.log(`errors by kind: ${kinds.map(([kind, count]) => `${kind} ×${count}`).join('; ')}`);
  }
  console.log(`memory: ${memory.join('; ')}`);
  if (process.env.BENCH_RECORD === '1') {
    await recordResults('soak', [
      [
        `${baseline.target}/s`,
        `**${best.target}/s** (${(best.target / baseline.target).toFixed(2)})`,
        `${half.p99.toFixed(0)} ms`,
        `${soakSeconds} s: p99 ${soak.p99.toFixed(0)} ms, **${soak.errors} errors**`,
        memory.join('<br>'),
        loadAverage(),
      ],
    ]);
  }
} finally {
  const below = await descendantsOf(cluster.child.pid ?? 0);
  cluster.child.kill('SIGTERM');
  await Promise.race([cluster.exited, sleep(20_000)]);
  for (const pid of below) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await admin.query(`drop database if exists ${databaseName} with (force)`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
}
