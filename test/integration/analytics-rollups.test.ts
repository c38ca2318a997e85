import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  type AnalyticsEvent,
  AnalyticsJobs,
  createAnalyticsJobs,
  PostgresEventSink,
} from '../../src/modules/analytics/index.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { AnalyticsEventsRepository } from '../../src/modules/analytics/events.repository.ts';
import { RollupsRepository } from '../../src/modules/analytics/rollups.repository.ts';
import { transactorFor } from '../../src/platform/db/transactor.ts';

/**
 * The rollups against a recount: a randomised stream of events (late ones landing in hours
 * already rolled up, duplicates of stored ones) goes through the buffered sink while the rollup
 * job runs between batches; at the end every hourly and daily rollup equals a recount of the
 * distinct events by hand. And retention drops whole old partitions, nothing else.
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const metrics = [
  'plays',
  'finishes',
  'watchMs',
  'startupMsSum',
  'startupCount',
  'rebufferCount',
  'rebufferMs',
  'bitrateSwitches',
  'errors',
  'events',
] as const;
type Totals = Record<(typeof metrics)[number], number>;

/** mulberry32: a seeded generator, so a failure can be replayed with its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function recount(events: readonly AnalyticsEvent[], granularity: 'hour' | 'day'): Map<string, Totals> {
  const size = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const totals = new Map<string, Totals>();
  for (const event of events) {
    const bucket = new Date(Math.floor(event.occurredAt.getTime() / size) * size).toISOString();
    const key = [bucket, event.titleId ?? '', event.planId, event.region, event.device].join('|');
    const row = totals.get(key) ?? (Object.fromEntries(metrics.map((metric) => [metric, 0])) as Totals);
    const payload = event.payload as Record<string, number>;
    row.events += 1;
    if (event.type === 'PlaybackStarted') {
      row.plays += 1;
      row.startupCount += 1;
      row.startupMsSum += payload.startupMs!;
    }
    if (event.type === 'TitleFinished') row.finishes += 1;
    if (event.type === 'RenditionWatched') row.watchMs += Math.round(payload.seconds! * 1000);
    if (event.type === 'PlaybackRebuffered') {
      row.rebufferCount += 1;
      row.rebufferMs += payload.durationMs!;
    }
    if (event.type === 'BitrateSwitched') row.bitrateSwitches += 1;
    if (event.type === 'PlaybackFailed') row.errors += 1;
    totals.set(key, row);
  }
  return totals;
}

describe('analytics rollups and retention', () => {
  let testDatabase: TestDatabase;
  const logger = createLogger({ level: 'silent', pretty: false });

  before(async () => {
    testDatabase = await createTestDatabase();
  });
  after(() => testDatabase.drop());

  const stored = async (granularity: 'hour' | 'day', titles: ReadonlySet<string>) => {
    const rows = await testDatabase.database.db
      .selectFrom('analyticsRollups')
      .selectAll()
      .where('granularity', '=', granularity)
      .execute();
    return new Map(
      rows
        .filter((row) => titles.has(row.titleId))
        .map((row) => [
          [row.bucket.toISOString(), row.titleId, row.planId, row.region, row.device].join('|'),
          Object.fromEntries(metrics.map((metric) => [metric, Number(row[metric])])) as Totals,
        ]),
    );
  };

  it('equals a recount of the distinct raw events after late and duplicate ones', async () => {
    const seed = Number(process.env.ANALYTICS_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const clock = new ManualClock('2026-03-10T00:00:00Z');
    const db = testDatabase.database.db;
    const sink = new PostgresEventSink({
      repository: new AnalyticsEventsRepository(db),
      clock,
      logger,
      flushMs: 3_600_000,
      maxEvents: 10_000,
    });
    const jobs = createAnalyticsJobs({
      db,
      clock,
      config: { analytics: { retentionDays: 90 } },
    });
    const titles = [randomUUID(), randomUUID(), randomUUID()];
    const distinct = new Map<string, AnalyticsEvent>();
    const start = clock.now().getTime();

    const makeEvent = (latest: number): AnalyticsEvent => {
      const type = pick([
        'PlaybackStarted',
        'PlaybackRebuffered',
        'RenditionWatched',
        'BitrateSwitched',
        'PlaybackFailed',
        'TitleFinished',
      ] as const);
      const payload = {
        PlaybackStarted: { startupMs: Math.floor(next() * 5000), renditionHeight: 720 },
        PlaybackRebuffered: { durationMs: Math.floor(next() * 3000) },
        RenditionWatched: { renditionHeight: 1080, seconds: Math.floor(next() * 60_000) / 1000 },
        BitrateSwitched: { fromHeight: 720, toHeight: 1080, bitrate: 5_000_000 },
        PlaybackFailed: { code: 'MEDIA_ERR_DECODE', fatal: true },
        TitleFinished: {},
      }[type];
      return {
        eventId: randomUUID(),
        type,
        // Anywhere from the start to now: many land in hours already rolled up (late).
        occurredAt: new Date(start + Math.floor(next() * (latest - start + 1))),
        userId: null,
        sessionId: null,
        titleId: pick(titles),
        itemId: null,
        planId: pick(['free', 'premium']),
        region: pick(['DE', 'IN', '']),
        device: pick(['tv', 'web']),
        appVersion: '1.0.0',
        payload,
      };
    };

    for (let round = 0; round < 12; round++) {
      clock.advance(5 * HOUR_MS);
      const batch: AnalyticsEvent[] = [];
      for (let index = 0; index < 60; index++) batch.push(makeEvent(clock.now().getTime()));
      // Duplicates: some already stored events again (a retried batch, a second API instance).
      const earlier = [...distinct.values()];
      for (let index = 0; index < 10 && earlier.length > 0; index++) batch.push(pick(earlier));
      for (const event of batch) distinct.set(event.eventId, event);
      assert.equal(sink.offer(batch), 'accepted');
      await sink.flush();
      clock.advance(20_000);
      await jobs.rollUp();
    }
    await sink.close();

    const mine = new Set(titles);
    for (const granularity of ['hour', 'day'] as const) {
      assert.deepEqual(
        await stored(granularity, mine),
        recount([...distinct.values()], granularity),
        `${granularity} rollups (seed ${seed})`,
      );
    }
    // A second run with nothing new changes nothing.
    const before = await stored('hour', mine);
    assert.equal((await jobs.rollUp()).hours, 0);
    assert.deepEqual(await stored('hour', mine), before);
  });

  it('leaves events written within the settle time for the next run', async () => {
    const clock = new ManualClock('2026-05-01T10:00:00Z');
    const db = testDatabase.database.db;
    const sink = new PostgresEventSink({
      repository: new AnalyticsEventsRepository(db),
      clock,
      logger,
      flushMs: 3_600_000,
      maxEvents: 100,
    });
    const jobs = new AnalyticsJobs({
      events: new AnalyticsEventsRepository(db),
      rollups: new RollupsRepository(db),
      transactor: transactorFor(db),
      clock,
      retentionDays: 90,
    });
    const titleId = randomUUID();
    const event: AnalyticsEvent = {
      eventId: randomUUID(),
      type: 'PlaybackStarted',
      occurredAt: clock.now(),
      userId: null,
      sessionId: null,
      titleId,
      itemId: null,
      planId: 'free',
      region: '',
      device: 'tv',
      appVersion: '',
      payload: { startupMs: 100, renditionHeight: 720 },
    };
    sink.offer([event]);
    await sink.close();
    await jobs.rollUp();
    assert.equal((await stored('hour', new Set([titleId]))).size, 0);
    clock.advance(20_000);
    await jobs.rollUp();
    assert.equal(
      (await stored('hour', new Set([titleId]))).get(
        ['2026-05-01T10:00:00.000Z', titleId, 'free', '', 'tv'].join('|'),
      )?.plays,
      1,
    );
  });

  it('creates partitions ahead and drops only whole partitions past the retention', async () => {
    const clock = new ManualClock('2026-07-10T12:00:00Z');
    const db = testDatabase.database.db;
    const repository = new AnalyticsEventsRepository(db);
    const jobs = new AnalyticsJobs({
      events: repository,
      rollups: new RollupsRepository(db),
      transactor: transactorFor(db),
      clock,
      retentionDays: 3,
      daysAhead: 2,
    });
    const first = await jobs.maintainPartitions();
    assert.deepEqual(first.created, [
      'analytics_events_p20260710',
      'analytics_events_p20260711',
      'analytics_events_p20260712',
    ]);
    // Twice on the same day: nothing new, nothing dropped.
    assert.deepEqual(await jobs.maintainPartitions(), { created: [], dropped: [] });

    const sink = new PostgresEventSink({ repository, clock, logger, flushMs: 3_600_000, maxEvents: 100 });
    const titleId = randomUUID();
    const on = (day: string): AnalyticsEvent => ({
      eventId: randomUUID(),
      type: 'PlaybackStarted',
      occurredAt: new Date(`${day}T23:59:59.999Z`),
      userId: null,
      sessionId: null,
      titleId,
      itemId: null,
      planId: 'free',
      region: '',
      device: 'tv',
      appVersion: '',
      payload: { startupMs: 100, renditionHeight: 720 },
    });
    sink.offer(['2026-07-10', '2026-07-11', '2026-07-12'].map(on));
    await sink.close();
    clock.advance(20_000);
    await jobs.rollUp();

    // Three days later, with three days kept: the 10th and 11th go; the 12th (whole day inside) stays.
    clock.set('2026-07-14T00:30:00Z');
    const later = await jobs.maintainPartitions();
    assert.deepEqual(later.dropped, ['analytics_events_p20260710', 'analytics_events_p20260711']);
    const days = (
      await db.selectFrom('analyticsEvents').select('occurredAt').where('titleId', '=', titleId).execute()
    ).map((row) => row.occurredAt.toISOString().slice(0, 10));
    assert.deepEqual(days, ['2026-07-12']);
    const names = (await repository.partitions()).map((partition) => partition.name);
    assert.ok(!names.includes('analytics_events_p20260710'));
    assert.ok(names.includes('analytics_events_p20260716'));
    // The rollups are the history: dropping raw partitions keeps them.
    assert.equal((await stored('day', new Set([titleId]))).size, 3);
  });
});
