/**
 * bench:recs — `GET /api/recommendations` (a cache read of the active profile's precomputed rows,
 * filtered by what it may see) against GET /healthz on the same server in the same run; the
 * latency at half the measured maximum rate; and the full retraining time (the
 * `recommendations.train` job: every model, every title's neighbours, every profile's rows).
 * Aim: ≥ 0.5 of /healthz, p99 < 25 ms at half the maximum rate.
 *
 * On PostgreSQL (DATABASE_URL, required): a fresh database on that server, dropped after. Seeded
 * as an operator would (`marquee seed-demo`: the MovieLens titles, tags, 610 demo viewers and
 * their ratings from ../shared/data), then topped up to BENCH_PROFILES (10,000) demo profiles,
 * each given 30 ratings of a real MovieLens viewer's (deterministically), then trained once.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createCatalogFacts, createPlayableItems, upsertRatings } from '../src/modules/catalog/index.ts';
import { ensureDemoViewers } from '../src/modules/identity/index.ts';
import { createRecommendations } from '../src/modules/recommendations/index.ts';
import { MemoryCache } from '../src/platform/cache/memory.cache.ts';
import { systemClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { createLogger } from '../src/platform/logger.ts';
import { MemoryPubSub } from '../src/platform/pubsub/memory.pubsub.ts';
import { compare, load, printComparison, recordResults, startMarquee } from './lib/runner.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const profiles = Number(process.env.BENCH_PROFILES ?? 10_000);
const viewers = Number(process.env.BENCH_VIEWERS ?? 50);
const movielens = path.resolve(process.env.MOVIELENS_DIR ?? '../shared/data/ml-latest-small');
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('bench:recs runs on PostgreSQL: set DATABASE_URL (postgres://…)');
const run = promisify(execFile);
const log = (line: string) => process.stderr.write(`${line}\n`);

const database = `marquee_bench_recs_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${database}`);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', AUTH_RATE_LIMIT_PER_MINUTE: '100000' };

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  if (response.status !== expected) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A small deterministic generator (mulberry32), so every run seeds the same profiles. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const db = await openDatabase({ kind: 'postgres', url: databaseUrl, poolMax: 4, statementTimeoutMs: 0 });
try {
  const email = `bench-admin-${randomUUID().slice(0, 8)}@example.com`;
  const password = `bench passphrase ${randomUUID()}`;
  const cli = (...args: string[]) =>
    run(process.execPath, ['src/cli/main.ts', ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 1 << 24,
    });
  log('migrating and seeding the MovieLens demo catalog …');
  await cli('migrate');
  await cli('create-admin', '--email', email, '--password', password);
  await cli('seed-demo', '--movielens', movielens, '--skip-videos');

  log(`topping up to ${profiles} profiles …`);
  const real = await db.db.selectFrom('titleRatings').select(['profileId', 'titleId', 'score']).execute();
  const byProfile = new Map<string, { titleId: string; score: number }[]>();
  for (const row of real) byProfile.set(row.profileId, [...(byProfile.get(row.profileId) ?? []), row]);
  const histories = [...byProfile.values()];
  const extra = Math.max(0, profiles - byProfile.size);
  const next = random(42);
  const made = await ensureDemoViewers(
    db.db,
    Array.from({ length: extra }, (_, index) => `bench-${index}`),
  );
  const ratings: { profileId: string; titleId: string; score: number; ratedAt: Date }[] = [];
  const now = Date.UTC(2026, 10, 30);
  for (const profileId of made.values()) {
    const source = histories[Math.floor(next() * histories.length)] ?? [];
    for (let pick = 0; pick < Math.min(30, source.length); pick++) {
      const rating = source[Math.floor(next() * source.length)];
      if (rating)
        ratings.push({
          profileId,
          titleId: rating.titleId,
          score: rating.score,
          ratedAt: new Date(now - Math.floor(next() * 365) * 86_400_000),
        });
    }
  }
  const unique = [
    ...new Map(ratings.map((rating) => [`${rating.profileId}:${rating.titleId}`, rating])).values(),
  ];
  await upsertRatings(db.db, unique, () => undefined);

  log('training (full retraining: every model, neighbours and rows) …');
  const cache = new MemoryCache();
  const pubsub = new MemoryPubSub();
  const playable = await createPlayableItems({ db: db.db, cache, pubsub });
  const recommendations = createRecommendations({
    db: db.db,
    cache,
    pubsub,
    clock: systemClock,
    logger: createLogger({ level: 'warn', pretty: false }),
    facts: createCatalogFacts(db.db),
    items: playable.items,
    config: { catalog: { countryHeader: undefined } as never, recommendations: { signalWeights: {} } },
  });
  const report = await recommendations.trainer.train();
  await playable.close();
  log(
    `trained: ${report.titles} titles, ${report.subjects} profiles, ${report.interactions} interactions in ${report.seconds.toFixed(1)} s`,
  );

  const marquee = await startMarquee({ env });
  try {
    const post = (url: string, body: unknown, token?: string, method = 'POST') =>
      fetch(`${marquee.url}${url}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
    const titleIds = (
      await db.db.selectFrom('titles').select('id').orderBy('popularity', 'desc').limit(200).execute()
    ).map((row) => row.id);
    const tokens: string[] = [];
    for (let index = 0; index < viewers; index++) {
      const viewerEmail = `bench-viewer-${index}-${randomUUID().slice(0, 6)}@example.com`;
      await json(
        await post('/api/auth/register', { email: viewerEmail, password, name: `Viewer ${index}` }),
        202,
        'register',
      );
      const { accessToken } = await json<{ accessToken: string }>(
        await post('/api/auth/login', { email: viewerEmail, password }),
        200,
        'login',
      );
      // A few thumbs: the profile's rows are refreshed from these events.
      for (let pick = 0; pick < 5; pick++)
        await json(
          await post(
            `/api/titles/${titleIds[(index * 7 + pick * 13) % titleIds.length]}/reaction`,
            { reaction: 'up' },
            accessToken,
            'PUT',
          ),
          200,
          'thumb',
        );
      tokens.push(accessToken);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const sample = await fetch(`${marquee.url}/api/recommendations`, {
      headers: { authorization: `Bearer ${tokens[0] ?? ''}` },
    });
    const sampleRows = await json<{ rows: { items: unknown[] }[] }>(sample, 200, 'recommendations');
    log(
      `one viewer's answer: ${sampleRows.rows.length} rows, ${sampleRows.rows.reduce((n, row) => n + row.items.length, 0)} items, ${sample.headers.get('content-length') ?? '?'} bytes`,
    );
    const subject = {
      name: 'GET /api/recommendations',
      url: marquee.url,
      requests: tokens.map((token) => ({
        method: 'GET' as const,
        path: '/api/recommendations',
        headers: { authorization: `Bearer ${token}` },
      })),
      expectStatus: 200,
      server: marquee,
    };
    const comparison = await compare({
      baseline: { name: 'GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
      subjects: [subject],
      connections,
      durationSeconds,
      rounds,
    });
    const [served] = comparison.subjects;
    if (!served) throw new Error('no measurement');
    const rate = Math.round(served.requestsPerSecond / 2);
    const half = await load(subject, { connections, durationSeconds, overallRate: rate });
    const healthzHalf = await load(
      { name: 'GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
      { connections, durationSeconds, overallRate: rate },
    );
    printComparison(
      `bench:recs — ${connections} connections, ${report.subjects} profiles (${viewers} signed in), ${report.titles} titles, ${durationSeconds} s × ${rounds} rounds (median), PostgreSQL`,
      comparison,
    );
    console.log(
      `at half the maximum (${rate}/s): p50 ${half.p50Ms} ms, p99 ${half.p99Ms} ms; /healthz at that rate: p50 ${healthzHalf.p50Ms} ms, p99 ${healthzHalf.p99Ms} ms` +
        `\nfull retraining: ${report.seconds.toFixed(1)} s (${report.interactions} interactions, ${report.subjects} profiles' rows)`,
    );
    await recordResults('recs', [
      [
        String(connections),
        `${report.subjects} / ${report.titles}`,
        `${Math.round(comparison.baseline.requestsPerSecond)}, ${comparison.baseline.p50Ms} / ${comparison.baseline.p99Ms}`,
        `${Math.round(served.requestsPerSecond)} (**${served.ratio.toFixed(2)}**), ${served.p50Ms} / ${served.p99Ms}`,
        `${Math.round(half.requestsPerSecond)}, ${half.p50Ms} / ${half.p99Ms} (/healthz: ${healthzHalf.p50Ms} / ${healthzHalf.p99Ms})`,
        `${report.seconds.toFixed(1)} s`,
      ],
    ]);
  } finally {
    await marquee.stop();
  }
} finally {
  await db.close();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
}
