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
import { CountersRepository } from '../../src/modules/analytics/counters.repository.ts';
import { transactorFor } from '../../src/platform/db/transactor.ts';
import { QoeRollupsRepository } from '../../src/modules/analytics/qoe-rollups.repository.ts';
import {
  DAY_MS,
  HOUR_MS,
  random,
  recount,
  recountQoe,
  recountTitles,
  storedQoe,
  storedRollups,
  storedTitleRollups,
} from '../support/analytics-recount.ts';
import { concurrentStreamCounter } from '../../src/modules/playback/index.ts';

/**
 * The rollups against a recount: a randomised stream of events (late ones landing in hours
 * already rolled up, duplicates of stored ones) goes through the buffered sink while the rollup
 * job runs between batches; at the end every hourly and daily rollup equals a recount of the
 * distinct events by hand. And retention drops whole old partitions, nothing else.
 */
describe('analytics rollups and retention', () => {
  let testDatabase: TestDatabase;
  const logger = createLogger({ level: 'silent', pretty: false });

  before(async () => {
    testDatabase = await createTestDatabase();
  });
  after(() => testDatabase.drop());

  const stored = (granularity: 'hour' | 'day', titles: ReadonlySet<string>) =>
    storedRollups(testDatabase.database.db, granularity, titles);

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
      concurrentViewers: concurrentStreamCounter({ db: db, heartbeatLapseSeconds: 60 }),
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
        // Start times across every bin, the open last one included.
        PlaybackStarted: {
          startupMs: Math.floor(next() ** 3 * 25_000),
          renditionHeight: pick([480, 720, 1080]),
        },
        PlaybackRebuffered: {
          durationMs: Math.floor(next() * 3000),
          ...(next() < 0.5 ? { renditionHeight: pick([480, 720]) } : {}),
        },
        RenditionWatched: { renditionHeight: pick([720, 1080]), seconds: Math.floor(next() * 60_000) / 1000 },
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
      // Per title (what the title figures read), over every plan, region and device.
      assert.deepEqual(
        await storedTitleRollups(db, granularity, mine),
        recountTitles([...distinct.values()], granularity),
        `${granularity} title rollups (seed ${seed})`,
      );
      // QoE by rendition, with the start-time histogram, from the same events.
      const window = { from: new Date(start - DAY_MS), to: new Date(clock.now().getTime() + DAY_MS) };
      assert.deepEqual(
        await storedQoe(db, { granularity, ...window }),
        recountQoe([...distinct.values()], granularity),
        `${granularity} QoE rollups (seed ${seed})`,
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
      counters: new CountersRepository(db),
      qoe: new QoeRollupsRepository(db),
      transactor: transactorFor(db),
      clock,
      retentionDays: 90,
      concurrentViewers: concurrentStreamCounter({ db, heartbeatLapseSeconds: 60 }),
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
      counters: new CountersRepository(db),
      qoe: new QoeRollupsRepository(db),
      transactor: transactorFor(db),
      clock,
      retentionDays: 3,
      daysAhead: 2,
      concurrentViewers: concurrentStreamCounter({ db, heartbeatLapseSeconds: 60 }),
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
