/**
 * bench:analytics — the analytics pipeline on PostgreSQL (DATABASE_URL, required; a fresh
 * database is created for the run and dropped after):
 * 1. QoE ingest: batches of BENCH_BATCH beacons posted to POST /api/analytics/events by viewers
 *    with a live stream each, against GET /healthz on the same server in the same run (maximum
 *    rate and latency at half of it, as compare() measures; 503 ANALYTICS_BUSY, the sink's
 *    back-pressure, counted). Every request carries new event ids, so every beacon is stored,
 *    not skipped as a retry. Then BENCH_SUSTAIN_SECONDS at the maximum rate: the events the table
 *    holds per second from the first request until the buffer has drained. Aim: ≥ 20,000/s.
 * 2. Dashboard: BENCH_ANALYTICS_EVENTS raw events (default 10 million) seeded over 30 days with
 *    generate_series, a day at a time in time order, rolled up by the analytics job's code (timed,
 *    with progress), then the figures read over HTTP, one at a time, BENCH_QUERIES times each;
 *    p50 / p95 per figure. Aim: p95 < 200 ms.
 * Setup as an operator would (migrate, create-admin, a title over the admin API); the streams are
 * inserted as playback would have started them (a stream needs a transcoded video otherwise).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type autocannon from 'autocannon';
import pg from 'pg';
import { createAnalyticsJobs } from '../src/modules/analytics/index.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { compare, comparisonRows, load, printComparison, recordResults, startMarquee } from './lib/runner.ts';
import { concurrentStreamCounter } from '../src/modules/playback/index.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const viewers = Number(process.env.BENCH_VIEWERS ?? 20);
const batch = Number(process.env.BENCH_BATCH ?? 50);
const seeded = Number(process.env.BENCH_ANALYTICS_EVENTS ?? 10_000_000);
const queries = Number(process.env.BENCH_QUERIES ?? 30);
const sustainSeconds = Number(process.env.BENCH_SUSTAIN_SECONDS ?? 20);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('bench:analytics runs on PostgreSQL: set DATABASE_URL (postgres://…)');
const run = promisify(execFile);
const DAY_MS = 86_400_000;

const database = `marquee_bench_analytics_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${database}`);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
// ROLE=api: the server's own worker would roll up the seeded history by itself while it is being
// written (every minute), so the timed roll-up below would be a part of it, and two roll-ups
// could race. The bench runs the job's code itself, once, timed.
const env = {
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: 'warn',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  ROLE: 'api',
};

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  if (response.status !== expected) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

const sql = new pg.Client({ connectionString: databaseUrl });
try {
  const email = `bench-admin-${randomUUID().slice(0, 8)}@example.com`;
  const password = `bench passphrase ${randomUUID()}`;
  await run(process.execPath, ['src/cli/main.ts', 'migrate'], { env: { ...process.env, ...env } });
  await run(process.execPath, ['src/cli/main.ts', 'create-admin', '--email', email, '--password', password], {
    env: { ...process.env, ...env },
  });
  await sql.connect();
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
    const { id: movieId } = await json<{ id: string }>(
      await post(
        '/api/admin/titles',
        { kind: 'movie', title: 'Bench film', maturityRating: 'G' },
        adminToken,
      ),
      201,
      'create title',
    );
    await json(await post(`/api/admin/titles/${movieId}/publish`, {}, adminToken), 200, 'publish');
    const asset = await sql.query<{ id: string }>(
      `insert into video_assets (item_id, source_key, source_name, source_bytes) values ($1, $2, 'bench.mp4', 1) returning id`,
      [movieId, `sources/${randomUUID()}`],
    );
    const requests: autocannon.Request[] = [];
    for (let index = 0; index < viewers; index++) {
      const viewerEmail = `bench-viewer-${index}-${randomUUID().slice(0, 6)}@example.com`;
      await json(
        await post('/api/auth/register', { email: viewerEmail, password, name: `Viewer ${index}` }),
        202,
        'register',
      );
      const signedIn = await json<{ accessToken: string; user: { id: string } }>(
        await post('/api/auth/login', { email: viewerEmail, password }),
        200,
        'login',
      );
      const stream = await sql.query<{ id: string }>(
        `insert into playback_sessions (user_id, auth_session_id, device_name, item_id, item_name, asset_id, max_height)
         values ($1, $2, 'Bench TV', $3, 'Bench film', $4, 1080) returning id`,
        [signedIn.user.id, randomUUID(), movieId, asset.rows[0]!.id],
      );
      // A few different batches per viewer, each sent with new event ids every time (`{{p}}`,
      // `{{n}}`: load-process.ts), so every beacon is one the table has to store, not a retry.
      for (let variant = 0; variant < 4; variant++) {
        const events = Array.from({ length: batch }, (_, index) => ({
          id: `{{p}}-${(variant * 1000 + index).toString(16).padStart(4, '0')}-4000-8000-{{n}}${(index % 4096).toString(16).padStart(3, '0')}`,
          at: new Date().toISOString(),
          type: index % 5 === 0 ? 'PlaybackStarted' : 'RenditionWatched',
          ...(index % 5 === 0
            ? { startupMs: 400 + index, renditionHeight: 720 }
            : { renditionHeight: 1080, seconds: 4 }),
          device: index % 2 ? 'tv' : 'web',
          region: 'DE',
        }));
        requests.push({
          method: 'POST',
          path: '/api/analytics/events',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${signedIn.accessToken}` },
          body: JSON.stringify({ sessionId: stream.rows[0]!.id, events }),
        });
      }
    }
    const comparison = await compare({
      baseline: { name: 'GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
      subjects: [
        {
          name: `POST /api/analytics/events (${batch}/batch)`,
          url: marquee.url,
          requests,
          expectStatus: 202,
          server: marquee,
        },
      ],
      connections,
      durationSeconds,
      rounds,
      // 503 ANALYTICS_BUSY is the sink's back-pressure, not a failure: counted and shown below.
      tolerateUnexpected: true,
    });
    const [ingest] = comparison.subjects;
    if (!ingest) throw new Error('no measurement');
    printComparison(
      `bench:analytics ingest — ${connections} connections, ${viewers} streams, ${batch} beacons per request, ${durationSeconds} s × ${rounds} rounds (median), PostgreSQL`,
      comparison,
    );
    const refused = ingest.statuses['503'] ?? 0;
    const answered = Object.values(ingest.statuses).reduce((total, count) => total + count, 0);
    const halfEvents = Math.round(ingest.atHalfMaximum.achievedPerSecond * batch);
    console.log(
      `ingest: ${Math.round(ingest.requestsPerSecond * batch)} events/s offered at the maximum (p99 ${ingest.p99Ms} ms), ${refused} of ${answered} requests refused with 503 (buffer full); at half of it ${halfEvents} events/s, p50 ${ingest.atHalfMaximum.p50Ms} ms, p99 ${ingest.atHalfMaximum.p99Ms} ms`,
    );

    // Sustained: what the table stores per second under the maximum load, from the first request
    // until the buffer has drained (its 100,000 events would flatter a short window).
    const lastId = async () =>
      Number(
        (await sql.query<{ last: string | null }>('select max(id) as last from analytics_events')).rows[0]
          ?.last ?? 0,
      );
    const idBefore = await lastId();
    const sustainStarted = performance.now();
    console.log(`sustained ingest: ${sustainSeconds} s at the maximum rate, then until the buffer drains…`);
    const sustainedLoad = await load(
      { name: 'sustained', url: marquee.url, requests, expectStatus: 202, server: marquee },
      { connections, durationSeconds: sustainSeconds },
    );
    let seenId = await lastId();
    let changedAt = performance.now();
    while (performance.now() - changedAt < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const id = await lastId();
      if (id !== seenId) [seenId, changedAt] = [id, performance.now()];
    }
    const stored = Number(
      (
        await sql.query<{ stored: string }>('select count(*) as stored from analytics_events where id > $1', [
          idBefore,
        ])
      ).rows[0]?.stored,
    );
    const eventsPerSecond = Math.round(stored / ((changedAt - sustainStarted) / 1000));
    console.log(
      `sustained ingest: ${stored} events stored in ${((changedAt - sustainStarted) / 1000).toFixed(1)} s = ${eventsPerSecond} events/s (aim ≥ 20,000); answers ${JSON.stringify(sustainedLoad.statuses)}`,
    );

    // The dashboard: seeded history over 30 days, rolled up as the job does, then read.
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const firstDay = today - 29 * DAY_MS;
    for (let day = firstDay; day <= today + DAY_MS; day += DAY_MS) {
      const name = `analytics_events_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
      await sql.query(
        `create table if not exists ${name} partition of analytics_events for values from ('${new Date(day).toISOString()}') to ('${new Date(day + DAY_MS).toISOString()}')`,
      );
    }
    // Seeded a day at a time in time order, as events arrive (ingest ids follow time), with progress.
    const seedStarted = performance.now();
    const titles = Array.from({ length: 200 }, () => randomUUID());
    const perDay = Math.ceil(seeded / 30);
    for (let day = 0; day < 30; day++) {
      const first = day * perDay;
      const last = Math.min(seeded, first + perDay) - 1;
      if (last < first) break;
      await sql.query(
        `insert into analytics_events (event_id, type, occurred_at, received_at, user_id, title_id, plan_id, region, device, payload)
         select gen_random_uuid(),
           (array['PlaybackStarted','RenditionWatched','RenditionWatched','PlaybackRebuffered','TitleFinished','SubscriptionActivated','AdBeaconCounted','RecommendationsImpressed'])[1 + n % 8],
           to_timestamp($1::double precision / 1000) + (n - $3::bigint) * (interval '1 day' / ($4::bigint - $3::bigint + 1)),
           now() - interval '1 minute',
           null,
           ($2::uuid[])[1 + n % 200],
           (array['free','basic','premium'])[1 + n % 3],
           (array['DE','IN','US','BR'])[1 + n % 4],
           (array['tv','web','ios','android'])[1 + n % 4],
           case 1 + n % 8
             when 1 then jsonb_build_object('startupMs', 300 + n % 2000, 'renditionHeight', 720)
             when 2 then jsonb_build_object('seconds', 4, 'renditionHeight', 1080)
             when 3 then jsonb_build_object('seconds', 4, 'renditionHeight', 1080)
             when 4 then jsonb_build_object('durationMs', n % 3000)
             when 6 then jsonb_build_object('planId', 'premium', 'currency', 'EUR', 'amountMinor', 999, 'mrrDeltaMinor', 999, 'payingDelta', 1)
             when 7 then jsonb_build_object('event', 'impression', 'campaignId', 'c1', 'revenueMilliMinor', 2500)
             when 8 then jsonb_build_object('row', 'trending', 'count', 12)
             else '{}'::jsonb end
         from generate_series($3::bigint, $4::bigint) as n`,
        [firstDay + day * DAY_MS, titles, first, last],
      );
      console.log(
        `  seeded day ${day + 1}/30: ${last + 1} of ${seeded} events (${((performance.now() - seedStarted) / 1000).toFixed(0)} s)`,
      );
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const db = await openDatabase({ kind: 'postgres', url: databaseUrl, poolMax: 2, statementTimeoutMs: 0 });
    const rollStarted = performance.now();
    await createAnalyticsJobs({
      db: db.db,
      clock: { now: () => new Date(Date.now() + 60_000) },
      config: { analytics: { retentionDays: 90 } },
      concurrentViewers: concurrentStreamCounter({ db: db.db, heartbeatLapseSeconds: 60 }),
    }).rollUp({
      onDay: ({ day, done, days }) =>
        console.log(
          `  rolled up ${day.toISOString().slice(0, 10)}: ${done}/${days} days (${((performance.now() - rollStarted) / 1000).toFixed(0)} s)`,
        ),
    });
    const rollSeconds = (performance.now() - rollStarted) / 1000;
    await db.close();
    console.log(
      `seeded ${seeded} events in ${seedSeconds.toFixed(0)} s; the first roll-up of them took ${rollSeconds.toFixed(0)} s`,
    );

    const range = `from=${new Date(firstDay).toISOString()}&to=${new Date(today + DAY_MS).toISOString()}`;
    const figures = [
      `titles?${range}&granularity=day`,
      `qoe?${range}&granularity=day&by=device`,
      `top-titles?${range}&group=day`,
      `revenue?${range}&group=day`,
      `ads?${range}&group=day`,
      `recommendations?${range}&group=month`,
      `sign-ups?${range}&group=day`,
    ];
    const dashboard: string[][] = [];
    for (const figure of figures) {
      const times: number[] = [];
      for (let index = 0; index < queries; index++) {
        const started = performance.now();
        const response = await fetch(`${marquee.url}/api/admin/analytics/${figure}`, {
          headers: { authorization: `Bearer ${adminToken}` },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${figure}: ${response.status}`);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 50).toFixed(1);
      const p95 = percentile(times, 95).toFixed(1);
      console.log(
        `GET /api/admin/analytics/${figure.split('?')[0]}: p50 ${p50} ms, p95 ${p95} ms (${queries} queries)`,
      );
      dashboard.push([figure.split('?')[0]!, `${p50} / **${p95}**`]);
    }
    if (process.env.BENCH_RECORD === '1') {
      await recordResults('analytics', [
        ...comparisonRows(
          comparison,
          `${batch} events per request; sustained ${eventsPerSecond} events/s stored, ${refused} of ${answered} refused (503)`,
        ),
        [`dashboard over ${seeded} events`, dashboard.map(([name, times]) => `${name} ${times}`).join('; ')],
      ]);
    }
  } finally {
    await marquee.stop();
  }
} finally {
  await sql.end().catch(() => undefined);
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
}
