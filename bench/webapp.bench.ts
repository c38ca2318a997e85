// bench:webapp — the viewer app's first screen on the MovieLens catalog: how long the home screen
// takes to show its first row, and how much JavaScript (gzip) it fetched to get there; plus the
// built first-screen sizes of the app and of the admin console (/admin).
//
//   npm run bench:webapp                 seeds a fresh data dir with MovieLens (9,742 titles,
//                                        `seed-demo --skip-videos`), starts `node src/main.ts`
//   BENCH_DATA_DIR=/tmp/ml npm run bench:webapp    keeps (and on later runs reuses) that seeded dir
//   BENCH_URL=http://127.0.0.1:3000 BENCH_EMAIL=… BENCH_PASSWORD=… npm run bench:webapp
//                                        times a server you run (its catalog is whatever it holds)
//   BENCH_LOADS (7) cold loads; BENCH_RECORD=1 appends a row to docs/PERFORMANCE.md.
//
// Each load is a new browser context (an empty cache, as a first visit): the viewer's tokens are
// put in localStorage before the page runs, and the time is taken from navigation start to the
// first tile of a row. Baseline, measured the same way in the same run: navigating to /healthz (a
// small JSON document from the same server — the browser's floor for one round trip). Budgets:
// first row 1.5 s on loopback, first-screen JavaScript 200 KB gzip. A page load is not a request
// rate, so there is no "latency at half the maximum rate" here: bench:catalog measures the API
// calls the home screen makes under load.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { buildWebApp, firstScreenSizes } from '../scripts/build-web.ts';
import { loadAverage, machine, recordResults, startMarquee, type Server } from './lib/runner.ts';

const loads = Number(process.env.BENCH_LOADS ?? 7);
const movielens = path.resolve(process.env.MOVIELENS_DIR ?? '../shared/data/ml-latest-small');
const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

await buildWebApp({ ifStale: true, quiet: true });
const built = await firstScreenSizes();
for (const [name, bytes] of Object.entries(built.files))
  console.log(`${name}\t${(bytes / 1024).toFixed(1)} KB gzip`);
console.log(`built first-screen assets: ${(built.gzipBytes / 1024).toFixed(1)} KB gzip (budget 200 KB)`);
const admin = await firstScreenSizes('admin');
console.log(`/admin first-screen assets: ${(admin.gzipBytes / 1024).toFixed(1)} KB gzip (budget 200 KB)`);

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** Our own server with the MovieLens catalog, and a viewer on it with a profile chosen. */
async function seededServer(): Promise<{ server: Server; tokens: Tokens; titles: number }> {
  if (!existsSync(path.join(movielens, 'movies.csv')))
    throw new Error(`no MovieLens at ${movielens}: set MOVIELENS_DIR (see /work/shared/data/README)`);
  const titles = (await readFile(path.join(movielens, 'movies.csv'), 'utf8')).trim().split('\n').length - 1;
  const kept = process.env.BENCH_DATA_DIR ? path.resolve(process.env.BENCH_DATA_DIR) : undefined;
  const env = {
    DATABASE_URL: '',
    REDIS_URL: '',
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  };
  const dataDir = kept ?? (await mkdtemp(path.join(os.tmpdir(), 'marquee-bench-webapp-')));
  const marker = path.join(dataDir, '.bench-webapp-seeded');
  if (existsSync(marker)) log(`reusing the seeded catalog in ${dataDir}`);
  else {
    // Seeded before the server starts: PGlite is one process's database.
    await mkdir(dataDir, { recursive: true });
    log(`seeding ${titles} MovieLens titles into ${dataDir} (migrate, seed-demo --skip-videos) …`);
    const started = performance.now();
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['src/cli/main.ts', ...args], {
        cwd: path.resolve(import.meta.dirname, '..'),
        env: { ...process.env, ...env, DATA_DIR: dataDir },
        maxBuffer: 1 << 24,
      });
    await cli('migrate');
    await cli('seed-demo', '--movielens', movielens, '--skip-videos');
    await writeFile(marker, '');
    log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  // Passing dataDir keeps it: a kept one stays for the next run, a temporary one goes at the end.
  const started = await startMarquee({ dataDir, env });
  const server: Server = {
    ...started,
    stop: async () => {
      await started.stop();
      if (!kept) await rm(dataDir, { recursive: true, force: true });
    },
  };
  try {
    return { server, tokens: await newViewer(server.url), titles };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** A new account with its first profile chosen, as the app has it after sign-up. */
async function newViewer(url: string): Promise<Tokens> {
  const email = `bench-webapp-${Date.now()}@example.com`;
  const password = `bench webapp ${Math.random().toString(36).slice(2)}`;
  const post = (route: string, body: unknown, token?: string) =>
    fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
  await json(await post('/api/auth/register', { email, password, name: 'Bench Viewer' }), 'register');
  const tokens = await json<Tokens>(await post('/api/auth/login', { email, password }), 'login');
  const profiles = await json<{ profiles: Array<{ id: string }> }>(
    await fetch(`${url}/api/profiles`, { headers: { authorization: `Bearer ${tokens.accessToken}` } }),
    'profiles',
  );
  const profile = profiles.profiles[0];
  if (!profile) throw new Error('a new account has no profile');
  await json(await post(`/api/profiles/${profile.id}/select`, {}, tokens.accessToken), 'select profile');
  return tokens;
}

async function existingServer(url: string): Promise<{ server: Server; tokens: Tokens; titles: null }> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: process.env.BENCH_EMAIL, password: process.env.BENCH_PASSWORD }),
  });
  const tokens = await json<Tokens>(response, 'sign-in');
  return { server: { url, pid: undefined, stop: async () => undefined }, tokens, titles: null };
}

interface Load {
  ms: number;
  /** JavaScript fetched before the first row showed, gzip-compressed as a server would send it. */
  jsGzipBytes: number;
  cssGzipBytes: number;
}

/** One cold load of `path` in a new context; `ready` is the selector that means "shown". */
async function coldLoad(options: {
  browser: Browser;
  url: string;
  tokens: Tokens;
  ready: string | null;
}): Promise<Load> {
  const context = await options.browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((session) => {
    (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(
      'marquee.session',
      JSON.stringify(session),
    );
  }, options.tokens);
  const page = await context.newPage();
  const bodies: Array<Promise<{ kind: 'js' | 'css'; bytes: number }>> = [];
  page.on('response', (response) => {
    const type = response.headers()['content-type'] ?? '';
    const kind: 'js' | 'css' | null = /javascript/.test(type) ? 'js' : /text\/css/.test(type) ? 'css' : null;
    if (kind)
      bodies.push(
        response
          .body()
          .then((body) => ({ kind, bytes: gzipSync(body).length }))
          .catch(() => ({ kind, bytes: 0 })),
      );
  });
  const started = performance.now();
  await page.goto(options.url, { waitUntil: options.ready ? 'commit' : 'load' });
  if (options.ready) await page.locator(options.ready).first().waitFor({ timeout: 30_000 });
  const ms = performance.now() - started;
  const fetched = await Promise.all(bodies);
  await context.close();
  const sum = (kind: 'js' | 'css') =>
    fetched.filter((item) => item.kind === kind).reduce((total, item) => total + item.bytes, 0);
  return { ms, jsGzipBytes: sum('js'), cssGzipBytes: sum('css') };
}

const { server, tokens, titles } = process.env.BENCH_URL
  ? await existingServer(process.env.BENCH_URL)
  : await seededServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  // One warm-up of each, so the server's first-request costs (JIT, cache fill) are not counted.
  const home = { browser, url: `${server.url}/`, tokens, ready: '[data-row] [data-title-id]' };
  const baseline = { browser, url: `${server.url}/healthz`, tokens, ready: null };
  await coldLoad(baseline);
  await coldLoad(home);
  const homeLoads: Load[] = [];
  const baselineLoads: Load[] = [];
  // Alternating, so a noisy moment on a shared machine hurts both.
  for (let run = 0; run < loads; run++) {
    baselineLoads.push(await coldLoad(baseline));
    homeLoads.push(await coldLoad(home));
  }
  const homeMs = median(homeLoads.map((load) => load.ms));
  const baselineMs = median(baselineLoads.map((load) => load.ms));
  const js = Math.max(...homeLoads.map((load) => load.jsGzipBytes));
  const css = Math.max(...homeLoads.map((load) => load.cssGzipBytes));
  const best = Math.min(...homeLoads.map((load) => load.ms));
  const catalog = titles === null ? 'the server’s catalog' : `MovieLens, ${titles} titles`;
  console.log(`\nhome screen, cold, ${loads} loads (${catalog}); load average ${loadAverage()}`);
  console.log(`  baseline: /healthz navigation   median ${baselineMs.toFixed(0)} ms`);
  console.log(
    `  home first row                  median ${homeMs.toFixed(0)} ms, best ${best.toFixed(0)} ms (budget 1500 ms)` +
      `  ratio ${(baselineMs / homeMs).toFixed(2)} of the baseline`,
  );
  console.log(
    `  fetched before the first row:   JavaScript ${(js / 1024).toFixed(1)} KB gzip (budget 200 KB), CSS ${(css / 1024).toFixed(1)} KB gzip`,
  );
  if (process.env.BENCH_RECORD === '1')
    await recordResults('webapp', [
      [
        `${(js / 1024).toFixed(1)} KB JS + ${(css / 1024).toFixed(1)} KB CSS`,
        `**${homeMs.toFixed(0)} ms** (best ${best.toFixed(0)}), ${catalog}`,
        `${baselineMs.toFixed(0)} ms (${(baselineMs / homeMs).toFixed(2)})`,
        loadAverage(),
      ],
    ]);
  if (titles !== null && process.env.BENCH_RECORD !== '1') console.log(`  (${machine()})`);
} finally {
  await browser.close();
  await server.stop();
}
