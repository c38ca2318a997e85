/**
 * bench:cpu — the server's CPU time per request of a few hot endpoints against GET /healthz of the
 * same app in the same process and run. Throughput ratios need a quiet machine; CPU per request
 * holds up on a busy one (other work steals wall time, not this process's CPU time), so this is
 * the measurement to iterate with while changing a hot path.
 *
 * The app runs in this process (the test harness's parts: PGlite, or DATABASE_URL / REDIS_URL),
 * logging at info to stdout (send it to /dev/null). BENCH_MODE=inject (default) drives it with
 * app.inject() from this process; BENCH_MODE=loopback listens on 127.0.0.1 and drives it with
 * autocannon from another process (see `injected` below for what each leaves out). Each round
 * measures /healthz and then each endpoint, interleaved; the median of the rounds is printed (to
 * stderr), with its ratio to /healthz.
 *
 *   node bench/endpoint-cpu.bench.ts [status] [recs] [vast] > /dev/null
 *
 * BENCH_REQUESTS (5000, inject), BENCH_SECONDS (2, loopback), BENCH_ROUNDS (5), BENCH_CONNECTIONS (10),
 * BENCH_CAMPAIGNS (500).
 * Profile with `node --cpu-prof --cpu-prof-dir=/tmp/prof bench/endpoint-cpu.bench.ts vast`.
 */
import { randomUUID } from 'node:crypto';
import type autocannon from 'autocannon';
import { registerViewer, signInWithRoles, type SignedIn } from '../test/support/accounts.ts';
import { catalogMaker } from '../test/support/engagement-catalog.ts';
import { harness, publishedClip } from '../test/support/media-harness.ts';
import { scratchDir } from '../test/support/media-clips.ts';
import { createCatalogFacts, createPlayableItems } from '../src/modules/catalog/index.ts';
import { createRecommendations } from '../src/modules/recommendations/index.ts';
import { createLogger } from '../src/platform/logger.ts';
import { load, type Target } from './lib/runner.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const campaignCount = Number(process.env.BENCH_CAMPAIGNS ?? 500);
const wanted = new Set(process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['status', 'recs', 'vast']);
const log = (line: string) => process.stderr.write(`${line}\n`);

const h = await harness(
  undefined,
  { GEO_COUNTRY_HEADER: 'x-country', AUTH_RATE_LIMIT_PER_MINUTE: '100000', AUTH_MAX_DEVICES: '50' },
  { logger: createLogger({ level: 'info', pretty: false }) },
);
const { app } = h.context;
const scratch = await scratchDir();
const inject = async (
  as: SignedIn,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  payload?: object,
) => {
  const response = await app.inject({ method, url, headers: as.headers, ...(payload && { payload }) });
  if (response.statusCode >= 300)
    throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response;
};

const subjects: Array<Omit<Target, 'url' | 'server'>> = [];

if (wanted.has('status')) {
  const viewer = await registerViewer(app);
  subjects.push({
    name: 'GET /api/subscription/status',
    requests: [{ method: 'GET', path: '/api/subscription/status', headers: viewer.headers }],
  });
}

if (wanted.has('recs')) {
  log('recs: a catalog of 120 titles in 12 genres, 30 fans, training …');
  const editor = await signInWithRoles(h.context, ['content_manager']);
  const make = catalogMaker(h.context, editor);
  const genres: string[] = [];
  for (let g = 0; g < 12; g++)
    genres.push(
      (await inject(editor, 'POST', '/api/admin/genres', { name: `Genre ${g}` })).json<{ id: string }>().id,
    );
  const titles: string[] = [];
  for (let t = 0; t < 120; t++)
    titles.push(
      await make.movie(`Bench title number ${t} ${randomUUID().slice(0, 4)}`, {
        maturityRating: 'PG-13',
        genreIds: [genres[t % 12], genres[(t * 7 + 3) % 12]],
      }),
    );
  const fans: SignedIn[] = [];
  for (let f = 0; f < 30; f++) {
    const fan = await registerViewer(app);
    for (let pick = 0; pick < 12; pick++)
      await inject(fan, 'PUT', `/api/titles/${titles[(f * 11 + pick * 5) % titles.length]}/reaction`, {
        reaction: 'up',
      });
    fans.push(fan);
  }
  const { deps } = h.context;
  const playable = await createPlayableItems({
    db: deps.database.db,
    cache: deps.cache,
    pubsub: deps.pubsub,
  });
  const worker = createRecommendations({
    db: deps.database.db,
    cache: deps.cache,
    pubsub: deps.pubsub,
    clock: deps.clock,
    logger: deps.logger,
    facts: createCatalogFacts(deps.database.db),
    items: playable.items,
    config: deps.config,
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await worker.trainer.train();
  await playable.close();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const sample = (await inject(fans[0]!, 'GET', '/api/recommendations')).json<{
    rows: Array<{ items: unknown[] }>;
  }>();
  log(`recs: ${sample.rows.length} rows, ${sample.rows.reduce((n, row) => n + row.items.length, 0)} items`);
  subjects.push({
    name: 'GET /api/recommendations',
    requests: fans
      .slice(0, 10)
      .map((fan) => ({ method: 'GET', path: '/api/recommendations', headers: fan.headers })),
  });
}

if (wanted.has('vast')) {
  log(`vast: a published clip, ${campaignCount} campaigns …`);
  const { movieId } = await publishedClip(h, {
    title: 'Bench ad-supported movie',
    dir: scratch.dir,
    seconds: 4,
  });
  const { id: advertiserId } = (
    await inject(h.admin, 'POST', '/api/admin/ads/advertisers', { name: 'Bench advertiser' })
  ).json<{ id: string }>();
  const regions = ['US', 'DE', 'FR', 'IN', 'BR', 'GB'];
  const categories = ['cars', 'soda', 'banks', 'phones', 'travel', null, null, null];
  const db = h.context.deps.database.db;
  for (let n = 0; n < campaignCount; n++) {
    const { id } = (
      await inject(h.admin, 'POST', '/api/admin/ads/campaigns', {
        advertiserId,
        name: `Bench campaign ${n}`,
        priority: 1 + (n % 10),
        cpmMinor: 500 + ((n * 37) % 3000),
        budgetMinor: 1_000_000_000,
        frequencyCapPerDay: n % 5 === 0 ? 3 : null,
        competitiveCategory: categories[n % categories.length],
        startsAt: new Date(Date.now() - 3600_000).toISOString(),
        endsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        targeting: {
          ...(n % 3 === 0 && { regions: [regions[n % regions.length], regions[(n + 1) % regions.length]] }),
          ...(n % 4 === 0 && { deviceTypes: ['web', 'tv'] }),
          ...(n % 7 === 0 && { genres: ['drama'] }),
        },
      })
    ).json<{ id: string }>();
    // A ready creative written straight to the table (as bench:ads does): decisioning, not ffmpeg.
    await db
      .insertInto('adCreatives')
      .values({
        campaignId: id,
        name: `Bench spot ${n}`,
        clickThroughUrl: 'https://example.com/spot?a=1&b=2',
        status: 'ready',
        durationSeconds: 15,
        renditions: JSON.stringify([
          { width: 640, height: 360, bitrateKbps: 700, key: `ads/${id}/360p.mp4` },
          { width: 1280, height: 720, bitrateKbps: 2000, key: `ads/${id}/720p.mp4` },
        ]),
      })
      .execute();
    if (n === campaignCount - 1)
      await inject(h.admin, 'PATCH', `/api/admin/ads/campaigns/${id}`, { priority: 1 + (n % 10) });
  }
  const requests: autocannon.Request[] = [];
  for (let index = 0; index < 4; index++) {
    const viewer = await registerViewer(app);
    const stream = (await inject(viewer, 'POST', `/api/playback/${movieId}`)).json<{ sessionId: string }>();
    const headers = { ...viewer.headers, 'x-country': regions[index % regions.length]! };
    await app.inject({ url: `/api/ads/vmap?session=${stream.sessionId}`, headers });
    requests.push({
      method: 'GET',
      path: `/api/ads/vast?session=${stream.sessionId}&break=0&device=web`,
      headers,
    });
  }
  const xml = (await app.inject({ url: requests[0]!.path!, headers: requests[0]!.headers })).body;
  log(`vast: ${xml.length} bytes, ${xml.split('<Ad ').length - 1} ads`);
  subjects.push({ name: `GET /api/ads/vast (${campaignCount} campaigns)`, requests });
}

const mode = process.env.BENCH_MODE ?? 'inject';
const requestCount = Number(process.env.BENCH_REQUESTS ?? 5000);
const samples = new Map<string, number[]>();
const rates = new Map<string, number[]>();
const healthzTarget: Omit<Target, 'url' | 'server'> = {
  name: 'GET /healthz',
  requests: [{ method: 'GET', path: '/healthz' }],
};

/**
 * inject (default): app.inject() from this process, `connections` requests in flight, CPU time of
 * the process over `BENCH_REQUESTS` of them. No sockets: it leaves out the kernel's share of
 * writing the answer, but it saturates this process, so pollers and timers (and other processes
 * on a busy machine) weigh little. loopback: autocannon from another process over 127.0.0.1 for
 * BENCH_SECONDS, CPU from /proc, with the idle CPU rate taken off; closer to the benches, noisier.
 */
async function injected(target: Omit<Target, 'url' | 'server'>): Promise<{ us: number; perSecond: number }> {
  const requests = target.requests ?? [];
  let next = 0;
  const began = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < requestCount) {
        const request = requests[next++ % requests.length]!;
        const response = await app.inject({
          method: request.method ?? 'GET',
          url: request.path ?? '/',
          headers: request.headers as Record<string, string> | undefined,
        });
        if (response.statusCode !== 200)
          throw new Error(`${target.name}: ${response.statusCode} ${response.body}`);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    us: (used.user + used.system) / requestCount,
    perSecond: (requestCount * 1000) / (performance.now() - began),
  };
}

const everyTarget = [healthzTarget, ...subjects];
// One request of each first, alone: the caches fill once, not from ten concurrent misses.
for (const target of everyTarget)
  for (const request of target.requests ?? [])
    await app.inject({
      method: request.method ?? 'GET',
      url: request.path ?? '/',
      headers: request.headers as Record<string, string> | undefined,
    });
if (mode === 'inject') {
  for (const target of everyTarget) await injected(target);
  for (let round = 0; round < rounds; round++) {
    for (const target of everyTarget) {
      const { us, perSecond } = await injected(target);
      samples.set(target.name, [...(samples.get(target.name) ?? []), us]);
      rates.set(target.name, [...(rates.get(target.name) ?? []), perSecond]);
    }
  }
} else {
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const server = { url, pid: process.pid, stop: async () => undefined };
  const targets: Target[] = everyTarget.map((target) => ({ ...target, url, server }));
  for (const target of targets) await load(target, { connections, durationSeconds: 1 });
  // What the process spends with no request at all (pollers, timers), per second: taken off each
  // sample, so a slower endpoint (fewer requests in the same time) isn't charged more of it.
  const idleStart = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idle = process.cpuUsage(idleStart);
  const idleUsPerSecond = (idle.user + idle.system) / 3;
  log(`idle: ${(idleUsPerSecond / 1000).toFixed(1)} ms of CPU per second`);
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const measured = await load(target, { connections, durationSeconds: seconds });
      if (measured.errors > 0 || measured.unexpected > 0)
        throw new Error(`${target.name}: ${measured.errors} errors, ${JSON.stringify(measured.statuses)}`);
      const us = (measured.cpuUsPerRequest ?? Number.NaN) - idleUsPerSecond / measured.requestsPerSecond;
      samples.set(target.name, [...(samples.get(target.name) ?? []), us]);
      rates.set(target.name, [...(rates.get(target.name) ?? []), measured.requestsPerSecond]);
    }
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const healthz = median(samples.get('GET /healthz')!);
log(
  `\nserver CPU per request, ${mode} (median of ${rounds} rounds of ${mode === 'inject' ? `${requestCount} requests` : `${seconds} s`}, ${connections} in flight):`,
);
for (const target of everyTarget) {
  const us = median(samples.get(target.name)!);
  log(
    `  ${target.name.padEnd(40)} ${us.toFixed(1).padStart(7)} µs  (÷ /healthz ${(healthz / us).toFixed(2)}, ${median(rates.get(target.name)!).toFixed(0)} req/s)  [${samples
      .get(target.name)!
      .map((value) => value.toFixed(0))
      .join(', ')}]`,
  );
}
await h.close();
await scratch.remove();
