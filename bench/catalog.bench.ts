/**
 * bench:catalog — GET /api/videos with a filter and a sort over a generated catalog of 50,000
 * titles, cached and uncached, against GET /healthz in the same run; and typo-tolerant search.
 * Aims: cached ≥ 0.5 of /healthz with p99 < 20 ms; uncached p99 < 50 ms on PostgreSQL
 * (run with DATABASE_URL set for that figure; without it, the embedded PGlite is measured).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  compare,
  comparisonRows,
  printComparison,
  recordResults,
  startMarquee,
  type Measurement,
  type Target,
} from './lib/runner.ts';
import { searchWords, seedSyntheticCatalog } from './lib/synthetic-catalog.ts';

const titles = Number(process.env.BENCH_TITLES ?? 50_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const serverUrl = process.env.DATABASE_URL;

// A database of the benchmark's own: a data dir, or a database on the server, kept between runs.
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-bench-catalog-'));
let databaseUrl: string | undefined;
if (serverUrl) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = await admin.query(`select 1 from pg_database where datname = 'marquee_bench_catalog'`);
  if (exists.rowCount === 0) await admin.query('create database marquee_bench_catalog');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/marquee_bench_catalog';
  databaseUrl = url.toString();
}
const started = Date.now();
await seedSyntheticCatalog({
  database: databaseUrl
    ? { kind: 'postgres', url: databaseUrl, poolMax: 4, statementTimeoutMs: 0 }
    : { kind: 'embedded', dataDir: path.join(dataDir, 'db') },
  titles,
  onProgress: (done) => process.stderr.write(`\r  seeding ${done}/${titles} titles`),
});
process.stderr.write(`\n  catalog ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

const genres = ['drama', 'comedy', 'action', 'thriller', 'sci-fi', 'romance'];
const sorts = ['popular', 'newest', 'rating'];
const listRequests = genres.flatMap((genre) =>
  sorts.map((sort) => ({ method: 'GET' as const, path: `/api/videos?genre=${genre}&sort=${sort}&limit=24` })),
);
// Typos in every search: a dropped, a swapped and a doubled letter.
const typo = (word: string, index: number) =>
  index % 3 === 0
    ? word.replace(/e/, '')
    : index % 3 === 1
      ? word.replace(/(\w)(\w)/, '$2$1')
      : word.replace(/l/, 'll');
const searchRequests = searchWords.map((word, index) => ({
  method: 'GET' as const,
  path: `/api/videos?q=${encodeURIComponent(typo(word, index))}&limit=24`,
}));
// Answers other than 200 are recorded with the figures, by status: a 503 is load shed by
// @fastify/under-pressure (the event loop stalled, e.g. behind a slow query on the embedded
// PGlite, which runs on the server's own thread), not a failure of the endpoint.
const failures = (m: Measurement) => {
  const other = Object.entries(m.statuses).filter(([status]) => status !== '200');
  const parts = [
    ...other.map(([status, count]) => `${count}× ${status}`),
    ...(m.errors ? [`${m.errors} unanswered`] : []),
  ];
  return parts.length ? ` (${parts.join(', ')})` : '';
};
const env = { ...(databaseUrl && { DATABASE_URL: databaseUrl }), DATABASE_POOL_MAX: '10' };
const engine = databaseUrl ? 'PostgreSQL' : 'PGlite';

try {
  // 1. Cached: the answers come from the shared cache (in-process here), serialised once.
  const cachedServer = await startMarquee({ dataDir, env: { ...env, CATALOG_CACHE_SECONDS: '60' } });
  let cached;
  try {
    const list: Target = {
      name: 'GET /api/videos (cached)',
      url: cachedServer.url,
      requests: listRequests,
      server: cachedServer,
    };
    cached = await compare({
      baseline: { name: 'GET /healthz', url: `${cachedServer.url}/healthz`, server: cachedServer },
      subjects: [list],
      connections,
      durationSeconds,
      rounds,
    });
    printComparison(`bench:catalog (${engine}, ${titles} titles) — cached`, cached);
  } finally {
    await cachedServer.stop();
  }

  // 2. Uncached: every request is a query (CATALOG_CACHE_SECONDS=0), at a moderate concurrency.
  const uncachedServer = await startMarquee({ dataDir, env: { ...env, CATALOG_CACHE_SECONDS: '0' } });
  let uncached;
  try {
    uncached = await compare({
      baseline: { name: 'GET /healthz', url: `${uncachedServer.url}/healthz`, server: uncachedServer },
      subjects: [
        {
          name: 'GET /api/videos (uncached)',
          url: uncachedServer.url,
          requests: listRequests,
          server: uncachedServer,
        },
        {
          name: 'GET /api/videos?q=… (typo search, uncached)',
          url: uncachedServer.url,
          requests: searchRequests,
          server: uncachedServer,
        },
      ],
      connections: 10,
      durationSeconds,
      rounds,
      tolerateUnexpected: true,
    });
    printComparison(`bench:catalog (${engine}, ${titles} titles) — uncached, 10 connections`, uncached);
  } finally {
    await uncachedServer.stop();
  }

  const answers = uncached.subjects.map((m) => `${m.name}:${failures(m) || ' all 200'}`).join('; ');
  await recordResults('catalog', [
    ...comparisonRows(cached, `${engine}, ${titles} titles, cached`),
    ...comparisonRows(uncached, `${engine}, ${titles} titles, uncached; ${answers}`),
  ]);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
