import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createAnalyticsJobs, MAX_BEACONS_PER_BATCH } from '../../src/modules/analytics/index.ts';
import { ENGAGEMENT_EVENTS_CHANNEL } from '../../src/modules/engagement/index.ts';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { catalogMaker } from '../support/engagement-catalog.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';
import { concurrentStreamCounter } from '../../src/modules/playback/index.ts';

/**
 * The analytics pipeline through the app: players' beacons accepted only for the caller's own
 * live stream, domain events heard over pub/sub (once, however often they are heard), the
 * buffered sink writing them, and the admin figures read from the rollups.
 */
describe('analytics ingest and figures', () => {
  let context: TestContext;
  let viewer: SignedIn;
  let stranger: SignedIn;
  let analyst: SignedIn;
  let movieId: string;
  let sessionId: string;

  const beacon = (type: string, extra: object) => ({
    id: randomUUID(),
    at: new Date().toISOString(),
    type,
    device: 'tv',
    appVersion: '1.2.3',
    region: 'DE',
    ...extra,
  });
  const send = (who: SignedIn | undefined, payload: object) =>
    context.app.inject({
      method: 'POST',
      url: '/api/analytics/events',
      ...(who && { headers: who.headers }),
      payload,
    });
  const storedFor = (session: string) =>
    context.deps.database.db
      .selectFrom('analyticsEvents')
      .selectAll()
      .where('sessionId', '=', session)
      .execute();

  /** A live stream of `who` on the movie, as playback would have started it. */
  const liveStream = async (who: SignedIn): Promise<string> => {
    const db = context.deps.database.db;
    const asset = await db
      .insertInto('videoAssets')
      .values({
        itemId: movieId,
        sourceKey: `sources/${randomUUID()}`,
        sourceName: 'clip.mp4',
        sourceBytes: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const stream = await db
      .insertInto('playbackSessions')
      .values({
        userId: who.userId,
        // One live stream per device: each test stream on a device of its own.
        authSessionId: randomUUID(),
        deviceName: 'Test TV',
        itemId: movieId,
        itemName: 'Analytics movie',
        assetId: asset.id,
        maxHeight: 1080,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return stream.id;
  };

  before(async () => {
    context = await createTestApp({ env: { ANALYTICS_FLUSH_MS: '50' } });
    await allowDevices(context);
    viewer = await registerViewer(context.app);
    stranger = await registerViewer(context.app);
    analyst = await signInWithRoles(context, ['content_manager']);
    const genreIds: string[] = [];
    for (const name of ['Analytics Noir', 'Analytics Heist']) {
      const genre = await context.app.inject({
        method: 'POST',
        url: '/api/admin/genres',
        headers: analyst.headers,
        payload: { name, slug: name.toLowerCase().replace(' ', '-') },
      });
      assert.equal(genre.statusCode, 201, genre.body);
      genreIds.push(genre.json<{ id: string }>().id);
    }
    movieId = await catalogMaker(context, analyst).movie('Analytics movie', { genreIds });
    sessionId = await liveStream(viewer);
  });
  after(() => context.close());

  it('refuses beacons from nobody (401) and for another account’s stream (404, nothing stored)', async () => {
    const events = [beacon('PlaybackStarted', { startupMs: 800, renditionHeight: 720 })];
    const anonymous = await send(undefined, { sessionId, events });
    assert.equal(anonymous.statusCode, 401);
    const foreign = await send(stranger, { sessionId, events });
    assert.equal(foreign.statusCode, 404, foreign.body);
    assert.equal(foreign.json<{ code: string }>().code, 'ANALYTICS_SESSION_UNKNOWN');
    assert.match(String(foreign.headers['content-type']), /application\/problem\+json/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await storedFor(sessionId)).length, 0);
  });

  it('refuses malformed batches with a problem naming what is wrong', async () => {
    const cases: Array<[string, object]> = [
      ['empty batch', { sessionId, events: [] }],
      ['unknown type', { sessionId, events: [beacon('PlaybackTeleported', {})] }],
      [
        'negative startup',
        { sessionId, events: [beacon('PlaybackStarted', { startupMs: -1, renditionHeight: 720 })] },
      ],
      [
        'bad region',
        { sessionId, events: [beacon('PlaybackRebuffered', { durationMs: 5, region: 'Germany' })] },
      ],
      [
        'control characters',
        { sessionId, events: [beacon('PlaybackRebuffered', { durationMs: 5, device: 'tv\u0000' })] },
      ],
      ['not a session id', { sessionId: 'nope', events: [beacon('PlaybackRebuffered', { durationMs: 5 })] }],
      [
        'too many',
        {
          sessionId,
          events: Array.from({ length: MAX_BEACONS_PER_BATCH + 1 }, () =>
            beacon('PlaybackRebuffered', { durationMs: 5 }),
          ),
        },
      ],
    ];
    for (const [label, payload] of cases) {
      const response = await send(viewer, payload);
      assert.equal(response.statusCode, 400, `${label}: ${response.body}`);
      assert.match(String(response.headers['content-type']), /application\/problem\+json/, label);
    }
  });

  it('stores a batch for the caller’s own stream once, with its title, plan and dimensions', async () => {
    const events = [
      beacon('PlaybackStarted', { startupMs: 900, renditionHeight: 720 }),
      beacon('PlaybackRebuffered', { durationMs: 1500, renditionHeight: 720 }),
      beacon('RenditionWatched', { renditionHeight: 720, seconds: 30 }),
    ];
    const first = await send(viewer, { sessionId, events });
    assert.equal(first.statusCode, 202, first.body);
    assert.deepEqual(first.json(), { accepted: 3 });
    // A retried batch (same beacon ids) is not counted twice.
    assert.equal((await send(viewer, { sessionId, events })).statusCode, 202);
    await waitFor(async () => (await storedFor(sessionId)).length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stored = await storedFor(sessionId);
    assert.equal(stored.length, 3);
    for (const row of stored) {
      assert.equal(row.titleId, movieId);
      assert.equal(row.userId, viewer.userId);
      assert.equal(row.planId, 'free');
      assert.equal(row.region, 'DE');
      assert.equal(row.device, 'tv');
    }
  });

  it('takes the last batch of a stream that just ended, and refuses beacons for one ended a while ago', async () => {
    const endStream = async (ago: number) => {
      const stream = await liveStream(viewer);
      await context.deps.database.db
        .updateTable('playbackSessions')
        .set({ endedAt: new Date(Date.now() - ago), endedReason: 'stopped' })
        .where('id', '=', stream)
        .execute();
      return stream;
    };
    // The player ends its stream and sends its last beacons at once: either may arrive first.
    // (On a phone: the figures below are the TV's.)
    const justEnded = await endStream(1_000);
    const last = await send(viewer, {
      sessionId: justEnded,
      events: [beacon('PlaybackRebuffered', { durationMs: 5, device: 'phone' })],
    });
    assert.equal(last.statusCode, 202, last.body);
    const longAgo = await endStream(120_000);
    const late = await send(viewer, {
      sessionId: longAgo,
      events: [beacon('PlaybackRebuffered', { durationMs: 5 })],
    });
    assert.equal(late.statusCode, 404);
  });

  it('keeps a domain event heard twice once', async () => {
    const event = {
      type: 'TitleFinished',
      userId: viewer.userId,
      profileKey: 'account',
      at: new Date().toISOString(),
      itemId: movieId,
      titleId: movieId,
      nextItemId: null,
    };
    await context.deps.pubsub.publish(ENGAGEMENT_EVENTS_CHANNEL, event);
    await context.deps.pubsub.publish(ENGAGEMENT_EVENTS_CHANNEL, event);
    await context.deps.pubsub.publish(ENGAGEMENT_EVENTS_CHANNEL, {
      type: 'NotInTheCatalog',
      userId: viewer.userId,
    });
    const finished = () =>
      context.deps.database.db
        .selectFrom('analyticsEvents')
        .selectAll()
        .where('userId', '=', viewer.userId)
        .where('type', '=', 'TitleFinished')
        .execute();
    await waitFor(async () => (await finished()).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await finished()).length, 1);
  });

  it('serves figures from the rollups to analytics:read only', async () => {
    // The job reads events written at least the settle time ago: run it with a clock past that.
    const jobs = createAnalyticsJobs({
      db: context.deps.database.db,
      clock: { now: () => new Date(Date.now() + 60_000) },
      config: context.deps.config,
      concurrentViewers: concurrentStreamCounter({ db: context.deps.database.db, heartbeatLapseSeconds: 60 }),
    });
    // The viewer's stream is open: this minute's sample (taken now, as the worker would) counts it,
    // and the day's peak holds it.
    const sampler = createAnalyticsJobs({
      db: context.deps.database.db,
      clock: context.deps.clock,
      config: context.deps.config,
      concurrentViewers: concurrentStreamCounter({
        db: context.deps.database.db,
        heartbeatLapseSeconds: context.deps.config.playback.heartbeatLapseSeconds,
      }),
    });
    assert.ok((await sampler.sampleViewers()) >= 1);
    await jobs.rollUp();
    const today = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
    const query = `from=${today.toISOString()}&to=${new Date(today.getTime() + 86_400_000).toISOString()}`;
    for (const url of [
      `/api/admin/analytics/titles?${query}`,
      `/api/admin/analytics/qoe?${query}&by=device`,
    ]) {
      assert.equal((await context.app.inject({ method: 'GET', url })).statusCode, 401, url);
      assert.equal(
        (await context.app.inject({ method: 'GET', url, headers: viewer.headers })).statusCode,
        403,
        url,
      );
    }
    const titles = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/titles?${query}`,
      headers: analyst.headers,
    });
    assert.equal(titles.statusCode, 200, titles.body);
    const row = titles
      .json<{ items: Array<Record<string, unknown>> }>()
      .items.find((item) => item.titleId === movieId);
    assert.deepEqual(row, {
      bucket: today.toISOString(),
      titleId: movieId,
      plays: 1,
      finishes: 1,
      watchHours: 30 / 3600,
      completionRate: 1,
    });
    const peak = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/peak-viewers?${query}&group=day`,
      headers: analyst.headers,
    });
    assert.equal(peak.statusCode, 200, peak.body);
    const [day] = peak.json<{ items: Array<{ bucket: string; peakViewers: number }> }>().items;
    assert.equal(day?.bucket, today.toISOString());
    assert.ok(Number(day?.peakViewers) >= 1, peak.body);
    const top = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/top-titles?${query}&group=day`,
      headers: analyst.headers,
    });
    assert.deepEqual(top.json<{ items: unknown[] }>().items, [
      { titleId: movieId, plays: 1, watchHours: 30 / 3600, completionRate: 1 },
    ]);
    // Its plays count toward each of its genres.
    const genres = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/top-genres?${query}&group=day`,
      headers: analyst.headers,
    });
    assert.equal(genres.statusCode, 200, genres.body);
    assert.deepEqual(
      genres
        .json<{ items: Array<Record<string, unknown>> }>()
        .items.filter((item) => String(item.genre).startsWith('Analytics')),
      ['Analytics Heist', 'Analytics Noir'].map((genre) => ({
        genre,
        plays: 1,
        titles: 1,
        watchHours: 30 / 3600,
        completionRate: 1,
      })),
    );
    const qoe = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/qoe?${query}&by=device`,
      headers: analyst.headers,
    });
    const tv = qoe
      .json<{ items: Array<Record<string, unknown>> }>()
      .items.find((item) => item.group === 'tv');
    assert.equal(tv?.averageStartupMs, 900);
    assert.equal(tv?.rebufferRatio, 1500 / (30_000 + 1500));
    // Percentiles come from the start-time histogram: within the bin 900 ms fell in (750–1000].
    for (const quantile of [tv?.startupP50Ms, tv?.startupP95Ms]) {
      assert.ok(Number(quantile) > 750 && Number(quantile) <= 1000, String(quantile));
    }
    const byRendition = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/qoe?${query}&by=rendition`,
      headers: analyst.headers,
    });
    assert.equal(byRendition.statusCode, 200, byRendition.body);
    const hd = byRendition
      .json<{ items: Array<Record<string, unknown>> }>()
      .items.find((item) => item.group === '720');
    assert.deepEqual([hd?.plays, hd?.rebufferRatio], [1, 1500 / (30_000 + 1500)]);
    // The same rows as CSV, as the dashboard's export button asks for them.
    const csv = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/qoe?${query}&by=rendition&format=csv`,
      headers: analyst.headers,
    });
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const [header, ...lines] = csv.body.trim().split('\r\n');
    assert.equal(
      header,
      'bucket,group,plays,averageStartupMs,startupP50Ms,startupP95Ms,rebufferCount,rebufferRatio,bitrateSwitches,errorRate',
    );
    assert.ok(
      lines.some((line) => line.startsWith(`${today.toISOString()},720,1,900,`)),
      csv.body,
    );
    // The same rows as CSV (the console's export buttons), with a header line, by query or Accept.
    const titlesCsv = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/titles?${query}&format=csv`,
      headers: analyst.headers,
    });
    assert.equal(titlesCsv.statusCode, 200, titlesCsv.body);
    assert.match(titlesCsv.headers['content-type'] ?? '', /^text\/csv/);
    const csvLines = titlesCsv.body.trimEnd().split('\r\n');
    assert.equal(csvLines[0], 'bucket,titleId,plays,finishes,watchHours,completionRate');
    assert.ok(csvLines.includes(`${today.toISOString()},${movieId},1,1,${30 / 3600},1`), titlesCsv.body);
    const qoeCsv = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/qoe?${query}&by=device`,
      headers: { ...analyst.headers, accept: 'text/csv' },
    });
    assert.match(
      qoeCsv.body,
      /^bucket,group,plays,averageStartupMs,startupP50Ms,startupP95Ms,rebufferCount,rebufferRatio,/,
    );
    assert.ok(qoeCsv.body.split('\r\n').some((line) => line.includes(',tv,') && line.includes(',900,')));
    const viewerCsv = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/titles?${query}&format=csv`,
      headers: viewer.headers,
    });
    assert.equal(viewerCsv.statusCode, 403);
    const tooLong = await context.app.inject({
      method: 'GET',
      url: `/api/admin/analytics/qoe?granularity=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`,
      headers: analyst.headers,
    });
    assert.equal(tooLong.statusCode, 400);
    assert.equal(tooLong.json<{ code: string }>().code, 'ANALYTICS_RANGE_INVALID');
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
