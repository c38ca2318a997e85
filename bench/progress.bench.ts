/**
 * bench:progress — watch progress at scale: sustained `POST /api/progress` (the same buffer that
 * stream heartbeats feed) from many viewers over many titles, against GET /healthz on the same
 * server in the same run; the latency at half the measured maximum rate; and the database writes
 * that result (rows inserted or updated in watch_progress per second, from PostgreSQL's
 * statistics), which the buffer bounds to one per (viewer, title) per ENGAGEMENT_PROGRESS_FLUSH_MS.
 * Aim: ≥ 10,000 updates/s on 2 cores, p99 < 50 ms at half that rate.
 *
 * On PostgreSQL (DATABASE_URL, required: the write counts come from pg_stat_user_tables): a fresh
 * database is created on that server for the run and dropped after. Setup as an operator would:
 * `marquee create-admin`, titles created and published over the admin API, viewers registered
 * over HTTP.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type autocannon from 'autocannon';
import pg from 'pg';
import { compare, load, printComparison, recordResults, startMarquee } from './lib/runner.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const viewers = Number(process.env.BENCH_VIEWERS ?? 20);
const titles = Number(process.env.BENCH_TITLES ?? 50);
const flushMs = process.env.ENGAGEMENT_PROGRESS_FLUSH_MS ?? '2000';
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('bench:progress runs on PostgreSQL: set DATABASE_URL (postgres://…)');
const run = promisify(execFile);

const database = `marquee_bench_progress_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${database}`);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
const env = {
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: 'warn',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  ENGAGEMENT_PROGRESS_FLUSH_MS: flushMs,
};

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  if (response.status !== expected) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Rows inserted or updated in watch_progress so far (the statistics collector's count). */
async function progressWrites(client: pg.Client): Promise<number> {
  // Counts reach the shared statistics at most once a second (PostgreSQL 15 §28.2): wait for them.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await client.query('select pg_stat_clear_snapshot()');
  const result = await client.query<{ writes: string }>(
    `select coalesce(n_tup_ins + n_tup_upd, 0) as writes from pg_stat_user_tables where relname = 'watch_progress'`,
  );
  return Number(result.rows[0]?.writes ?? 0);
}

/**
 * The server's event-loop delay since the previous scrape of its /metrics (prom-client resets
 * the histogram on each): a flush that held the loop would show here, whatever the client saw.
 */
async function eventLoopDelay(url: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) =>
    Math.round(
      Number(new RegExp(`^marquee_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1]) * 1000,
    );
  return { p99Ms: read('p99'), maxMs: read('max') };
}

const stats = new pg.Client({ connectionString: databaseUrl });
try {
  const email = `bench-admin-${randomUUID().slice(0, 8)}@example.com`;
  const password = `bench passphrase ${randomUUID()}`;
  await run(process.execPath, ['src/cli/main.ts', 'migrate'], { env: { ...process.env, ...env } });
  await run(process.execPath, ['src/cli/main.ts', 'create-admin', '--email', email, '--password', password], {
    env: { ...process.env, ...env },
  });
  const marquee = await startMarquee({ env });
  try {
    const post = (url: string, body: unknown, token?: string) =>
      fetch(`${marquee.url}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
    const { accessToken: adminToken } = await json<{ accessToken: string }>(
      await post('/api/auth/login', { email, password }),
      200,
      'admin login',
    );
    const itemIds: string[] = [];
    for (let index = 0; index < titles; index++) {
      const { id } = await json<{ id: string }>(
        await post(
          '/api/admin/titles',
          { kind: 'movie', title: `Bench film ${index}`, maturityRating: 'G' },
          adminToken,
        ),
        201,
        'create title',
      );
      await json(await post(`/api/admin/titles/${id}/publish`, {}, adminToken), 200, 'publish');
      itemIds.push(id);
    }
    const tokens: string[] = [];
    for (let index = 0; index < viewers; index++) {
      const email = `bench-viewer-${index}-${randomUUID().slice(0, 6)}@example.com`;
      // Registering answers 202 whatever the address (no account discovery); signing in gives the token.
      await json(
        await post('/api/auth/register', { email, password, name: `Viewer ${index}` }),
        202,
        'register',
      );
      const signedIn = await json<{ accessToken: string }>(
        await post('/api/auth/login', { email, password }),
        200,
        'login',
      );
      tokens.push(signedIn.accessToken);
    }
    // Every (viewer, title) pair is a stream's worth of progress; positions move on each cycle.
    const requests: autocannon.Request[] = [];
    for (const [viewer, token] of tokens.entries()) {
      for (const [index, itemId] of itemIds.entries()) {
        requests.push({
          method: 'POST',
          path: '/api/progress',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            itemId,
            positionSeconds: 10 + ((viewer * titles + index) % 3000),
            durationSeconds: 7200,
          }),
        });
      }
    }
    await stats.connect();
    const subject = {
      name: 'POST /api/progress',
      url: marquee.url,
      requests,
      expectStatus: 202,
      server: marquee,
    };
    const before = await progressWrites(stats);
    const started = performance.now();
    const comparison = await compare({
      baseline: { name: 'GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
      subjects: [subject],
      connections,
      durationSeconds,
      rounds,
    });
    const [progress] = comparison.subjects;
    if (!progress) throw new Error('no measurement');
    await eventLoopDelay(marquee.url);
    const half = await load(subject, {
      connections,
      durationSeconds,
      overallRate: Math.round(progress.requestsPerSecond / 2),
    });
    const loop = await eventLoopDelay(marquee.url);
    const elapsedSeconds = (performance.now() - started) / 1000;
    const writes = (await progressWrites(stats)) - before;
    // The same rate against /healthz: what the load generator's pacing and the machine cost alone.
    const healthzHalf = await load(
      { name: 'GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
      { connections, durationSeconds, overallRate: Math.round(progress.requestsPerSecond / 2) },
    );
    printComparison(
      `bench:progress — ${connections} connections, ${viewers} viewers × ${titles} titles, flush every ${flushMs} ms, ${durationSeconds} s × ${rounds} rounds (median), PostgreSQL`,
      comparison,
    );
    // Progress was posted during its warm-up (3 s), each round at the maximum and at half of it
    // (compare), and the half-rate run above; the writes happen only while posting.
    const postingSeconds = 3 + rounds * durationSeconds * 2 + durationSeconds;
    const writesPerSecond = writes / postingSeconds;
    console.log(
      `at half the maximum (${Math.round(progress.requestsPerSecond / 2)}/s): ${Math.round(half.requestsPerSecond)} updates/s, p50 ${half.p50Ms} ms, p99 ${half.p99Ms} ms (the server's event-loop delay meanwhile: p99 ${loop.p99Ms} ms, max ${loop.maxMs} ms); /healthz at that rate: p50 ${healthzHalf.p50Ms} ms, p99 ${healthzHalf.p99Ms} ms` +
        `\ndatabase: ${writes} watch_progress rows written in ${elapsedSeconds.toFixed(0)} s of benchmark, ~${Math.round(writesPerSecond)} rows/s while posting (bound: one write per stream per flush, ≤ ${requests.length} streams × ${Math.ceil((elapsedSeconds * 1000) / Number(flushMs))} flushes = ${requests.length * Math.ceil((elapsedSeconds * 1000) / Number(flushMs))} rows; a flush between two runs writes the end of the first, so rows per posting second can pass ${Math.round((requests.length * 1000) / Number(flushMs))}/s)`,
    );
    await recordResults('progress', [
      [
        String(connections),
        `${viewers} × ${titles}`,
        flushMs,
        `${Math.round(comparison.baseline.requestsPerSecond)}, ${comparison.baseline.p50Ms} / ${comparison.baseline.p99Ms}`,
        `${Math.round(progress.requestsPerSecond)} (**${progress.ratio.toFixed(2)}**), ${progress.p50Ms} / ${progress.p99Ms}`,
        `${Math.round(half.requestsPerSecond)}, ${half.p50Ms} / ${half.p99Ms} (/healthz: ${healthzHalf.p50Ms} / ${healthzHalf.p99Ms})`,
        String(Math.round(writesPerSecond)),
      ],
    ]);
  } finally {
    await marquee.stop();
  }
} finally {
  await stats.end().catch(() => undefined);
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
}
