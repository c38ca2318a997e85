/**
 * bench:ads — the ad server under load: VAST decisions (`GET /api/ads/vast`) for free-plan
 * streams with 500 live campaigns in memory (varied targeting, priorities, competitive
 * categories, some frequency caps), and signed beacons accepted (`GET /api/ads/beacons/…`,
 * deduplicated and counted in batches), each against GET /healthz on the same server in the
 * same run, with latency at half the measured maximum. Aim: VAST ≥ 0.5 of /healthz, p99 < 15 ms.
 *
 * On PostgreSQL (DATABASE_URL, required): a fresh database is made for the run and dropped after.
 * Setup as an operator would (migrate, create-admin, seed-demo --sample for a playable title,
 * campaigns over the admin API, one creative uploaded and transcoded); the 499 other campaigns'
 * creatives are rows sharing its renditions, written straight to the database — 500 transcodes
 * would measure ffmpeg, not decisioning.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type autocannon from 'autocannon';
import pg from 'pg';
import {
  compare,
  comparisonRows,
  printComparison,
  recordResults,
  startMarquee,
  type Target,
} from './lib/runner.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const campaignCount = Number(process.env.BENCH_CAMPAIGNS ?? 500);
const viewerCount = 4;
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('bench:ads runs on PostgreSQL: set DATABASE_URL (postgres://…)');
const root = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

const database = `marquee_bench_ads_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${database}`);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-bench-ads-'));
const env = {
  DATA_DIR: dataDir,
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: 'warn',
  TRANSCODE_PRESET: 'ultrafast',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  GEO_COUNTRY_HEADER: 'x-country',
};
const cli = (...args: string[]) =>
  run(process.execPath, ['src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, ...env } });

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  if (response.status !== expected) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const regions = ['US', 'DE', 'FR', 'IN', 'BR', 'GB'];
const categories = ['cars', 'soda', 'banks', 'phones', 'travel', null, null, null];
/** Campaign n: a spread of targeting so decisions filter for real. */
const campaignFields = (n: number) => ({
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
});

const db = new pg.Client({ connectionString: databaseUrl });
try {
  process.stderr.write('  migrate, create-admin, seed-demo --sample (transcoding demo clips)…\n');
  await cli('migrate');
  const email = `bench-admin-${randomUUID().slice(0, 8)}@example.com`;
  const password = `bench passphrase ${randomUUID()}`;
  await cli('create-admin', '--email', email, '--password', password);
  await cli('seed-demo', '--sample');
  const marquee = await startMarquee({ dataDir, env });
  const heartbeats: Array<() => Promise<unknown>> = [];
  const beating = setInterval(() => heartbeats.forEach((beat) => void beat().catch(() => undefined)), 20_000);
  try {
    const call = (method: string, url: string, body?: unknown, token?: string, type = 'application/json') =>
      fetch(`${marquee.url}${url}`, {
        method,
        headers: { 'content-type': type, ...(token && { authorization: `Bearer ${token}` }) },
        ...(body !== undefined && {
          body: type === 'application/json' ? JSON.stringify(body) : (body as Buffer),
        }),
      });
    const { accessToken: adminToken } = await json<{ accessToken: string }>(
      await call('POST', '/api/auth/login', { email, password }),
      200,
      'admin login',
    );
    const { id: advertiserId } = await json<{ id: string }>(
      await call('POST', '/api/admin/ads/advertisers', { name: 'Bench advertiser' }, adminToken),
      201,
      'advertiser',
    );
    const campaignIds: string[] = [];
    for (let n = 0; n < campaignCount; n++) {
      const { id } = await json<{ id: string }>(
        await call('POST', '/api/admin/ads/campaigns', { advertiserId, ...campaignFields(n) }, adminToken),
        201,
        'campaign',
      );
      campaignIds.push(id);
    }
    const { id: creativeId } = await json<{ id: string }>(
      await call(
        'POST',
        `/api/admin/ads/campaigns/${campaignIds[0]}/creatives`,
        { name: 'Bench spot', clickThroughUrl: 'https://example.com/spot' },
        adminToken,
      ),
      201,
      'creative',
    );
    const clip = path.join(dataDir, 'spot.mp4');
    await run('ffmpeg', [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360:rate=25:duration=2',
      ],
      ...[
        '-f',
        'lavfi',
        '-i',
        'sine=duration=2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-c:a',
        'aac',
        clip,
      ],
    ]);
    await json(
      await call(
        'PUT',
        `/api/admin/ads/creatives/${creativeId}/video`,
        await readFile(clip),
        adminToken,
        'video/mp4',
      ),
      202,
      'upload',
    );
    await db.connect();
    for (let ready = false; !ready; await new Promise((resolve) => setTimeout(resolve, 200))) {
      const { rows } = await db.query<{ status: string }>('select status from ad_creatives where id = $1', [
        creativeId,
      ]);
      if (rows[0]?.status === 'failed') throw new Error('the bench creative failed to transcode');
      ready = rows[0]?.status === 'ready';
    }
    await db.query(
      `insert into ad_creatives (campaign_id, name, click_through_url, status, duration_seconds, renditions)
       select c.id, 'Bench spot', r.click_through_url, 'ready', r.duration_seconds, r.renditions
       from ad_campaigns c, ad_creatives r where r.id = $1 and c.id <> r.campaign_id`,
      [creativeId],
    );
    // Any change reloads every instance's campaigns: this one picks up the rows just written.
    await json(
      await call('PATCH', `/api/admin/ads/campaigns/${campaignIds[0]}`, { priority: 5 }, adminToken),
      200,
      'patch',
    );

    const found = await json<{ items: Array<{ id: string; title: string }> }>(
      await fetch(`${marquee.url}/api/videos?q=${encodeURIComponent('Marquee Demo Test Pattern')}&limit=5`),
      200,
      'search',
    );
    const movie = found.items.find((item) => item.title === 'Marquee Demo: Test Pattern');
    if (!movie) throw new Error(`the demo title is not in the catalog: ${JSON.stringify(found)}`);
    const vastRequests: autocannon.Request[] = [];
    const beaconRequests: autocannon.Request[] = [];
    for (let index = 0; index < viewerCount; index++) {
      const viewer = { email: `bench-viewer-${index}-${randomUUID().slice(0, 6)}@example.com`, password };
      await json(
        await call('POST', '/api/auth/register', { ...viewer, name: `Viewer ${index}` }),
        202,
        'register',
      );
      const { accessToken } = await json<{ accessToken: string }>(
        await call('POST', '/api/auth/login', viewer),
        200,
        'login',
      );
      const stream = await json<{ sessionId: string; ads?: { vmapUrl: string } }>(
        await call('POST', `/api/playback/${movie.id}`, {}, accessToken),
        201,
        'start playback',
      );
      if (!stream.ads) throw new Error('a free viewer’s stream carries no ads');
      heartbeats.push(() =>
        call(
          'POST',
          `/api/playback/sessions/${stream.sessionId}/heartbeat`,
          { positionSeconds: 1 },
          accessToken,
        ),
      );
      const headers = {
        authorization: `Bearer ${accessToken}`,
        'x-country': regions[index % regions.length]!,
      };
      await fetch(`${marquee.url}${stream.ads.vmapUrl}`, { headers });
      const vastPath = `/api/ads/vast?session=${stream.sessionId}&break=0&device=web`;
      vastRequests.push({ method: 'GET', path: vastPath, headers });
      // Beacon URLs of real served ads (each counted once; the rest are accepted duplicates).
      for (let n = 0; n < 50; n++) {
        const xml = await (await fetch(`${marquee.url}${vastPath}`, { headers })).text();
        for (const match of xml.matchAll(/<!\[CDATA\[(\/api\/ads\/beacons\/[^\]]+)\]\]>/g)) {
          if (!match[1]!.includes('[ERRORCODE]')) beaconRequests.push({ method: 'GET', path: match[1]! });
        }
      }
    }
    if (beaconRequests.length === 0) throw new Error('no ad was served: nothing to beacon');
    const subject = (name: string, requests: autocannon.Request[], expectStatus: number): Target => ({
      name,
      url: marquee.url,
      requests,
      expectStatus,
      server: marquee,
    });
    const comparison = await compare({
      baseline: { name: 'GET /healthz', url: `${marquee.url}/healthz`, server: marquee },
      subjects: [
        subject(`GET /api/ads/vast (${campaignCount} campaigns)`, vastRequests, 200),
        subject('GET /api/ads/beacons/:event (signed)', beaconRequests, 204),
      ],
      connections,
      durationSeconds,
      rounds,
    });
    printComparison(
      `bench:ads — ${connections} connections, ${campaignCount} live campaigns, ${viewerCount} free streams, ${beaconRequests.length} distinct beacons, ${durationSeconds} s × ${rounds} rounds (median), PostgreSQL`,
      comparison,
    );
    await recordResults(
      'ads',
      comparisonRows(comparison, `${campaignCount} campaigns; ${beaconRequests.length} distinct beacons`),
    );
  } finally {
    clearInterval(beating);
    await marquee.stop();
  }
} finally {
  await db.end().catch(() => undefined);
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
}
