import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  type AnalyticsEvent,
  AnalyticsEventsRepository,
  AnalyticsStreamConsumer,
  connectNats,
  createAnalyticsJobs,
  ensureStream,
  type EventSink,
  NatsEventSink,
  PostgresEventSink,
} from '../../src/modules/analytics/index.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { HOUR_MS, random, recount, storedRollups } from '../support/analytics-recount.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { concurrentStreamCounter } from '../../src/modules/playback/index.ts';

/**
 * One contract for every event sink: whatever the adapter, the events offered (a retried batch
 * included) end up counted once in the same rollups. PostgreSQL always; NATS JetStream when
 * NATS_URL is set (the real-services pass), through the worker's stream consumer.
 */
interface SinkUnderTest {
  sink: EventSink;
  /** Moves what the sink took into the raw table (the NATS consumer; nothing for PostgreSQL). */
  materialise(expected: number): Promise<void>;
  close(): Promise<void>;
}

const logger = createLogger({ level: 'silent', pretty: false });
const natsUrl = process.env.NATS_URL || undefined;

function sinkContract(
  name: string,
  open: (testDatabase: TestDatabase, clock: ManualClock) => Promise<SinkUnderTest>,
) {
  describe(`analytics event sink contract: ${name}`, () => {
    let testDatabase: TestDatabase;
    before(async () => {
      testDatabase = await createTestDatabase();
    });
    after(() => testDatabase.drop());

    it('counts every distinct event once in the rollups, a retried batch included', async () => {
      const clock = new ManualClock('2026-09-01T06:00:00Z');
      const subject = await open(testDatabase, clock);
      try {
        await countsOnce(subject, clock, testDatabase);
      } finally {
        await subject.close();
      }
    });
  });
}

/** Offers events (a retried batch among them) and holds the rollups against a recount. */
async function countsOnce(subject: SinkUnderTest, clock: ManualClock, testDatabase: TestDatabase) {
  const next = random(42);
  const titles = [randomUUID(), randomUUID()];
  const start = clock.now().getTime();
  const events: AnalyticsEvent[] = Array.from({ length: 300 }, (_, index) => ({
    eventId: randomUUID(),
    type: index % 3 === 0 ? 'PlaybackStarted' : index % 3 === 1 ? 'RenditionWatched' : 'PlaybackRebuffered',
    occurredAt: new Date(start + Math.floor(next() * 6 * HOUR_MS)),
    userId: null,
    sessionId: null,
    titleId: titles[index % 2]!,
    itemId: null,
    planId: index % 5 === 0 ? 'premium' : 'free',
    region: 'DE',
    device: index % 4 === 0 ? 'web' : 'tv',
    appVersion: '2.0.0',
    payload: { startupMs: 400 + index, renditionHeight: 720, seconds: index / 10, durationMs: index * 3 },
  }));
  clock.advance(6 * HOUR_MS);
  assert.equal(subject.sink.offer(events.slice(0, 200)), 'accepted');
  await subject.sink.flush();
  // The first 100 again (a retried batch), with the rest.
  assert.equal(subject.sink.offer(events.slice(100, 300)), 'accepted');
  assert.equal(subject.sink.offer(events.slice(0, 100)), 'accepted');
  await subject.sink.close();
  await subject.materialise(events.length);
  clock.advance(20_000);
  const jobs = createAnalyticsJobs({
    db: testDatabase.database.db,
    clock,
    config: { analytics: { retentionDays: 90 } },
    concurrentViewers: concurrentStreamCounter({ db: testDatabase.database.db, heartbeatLapseSeconds: 60 }),
  });
  await jobs.rollUp();
  for (const granularity of ['hour', 'day'] as const) {
    assert.deepEqual(
      await storedRollups(testDatabase.database.db, granularity, new Set(titles)),
      recount(events, granularity),
      granularity,
    );
  }
}

sinkContract('PostgreSQL', async (testDatabase, clock) => {
  const sink = new PostgresEventSink({
    repository: new AnalyticsEventsRepository(testDatabase.database.db),
    clock,
    logger,
    flushMs: 3_600_000,
    maxEvents: 1000,
  });
  return { sink, materialise: async () => {}, close: async () => {} };
});

if (natsUrl) {
  sinkContract('NATS JetStream', async (testDatabase, clock) => {
    const connection = await connectNats(natsUrl);
    // A stream of this test's own, deleted afterwards.
    const suffix = randomUUID().slice(0, 8);
    const names = { stream: `MARQUEE_ANALYTICS_TEST_${suffix}`, subject: `marquee.test.${suffix}` };
    await ensureStream(connection, { ...names, retentionDays: 1 });
    const sink = new NatsEventSink({ connection, names, clock, logger, flushMs: 3_600_000, maxEvents: 1000 });
    const repository = new AnalyticsEventsRepository(testDatabase.database.db);
    const consumer = new AnalyticsStreamConsumer({ connection, repository, clock, logger, names });
    return {
      sink,
      materialise: async (expected) => {
        let stored = 0;
        const deadline = Date.now() + 20_000;
        while (stored < expected) {
          assert.ok(Date.now() < deadline, `only ${stored} of ${expected} events came through the stream`);
          stored += await consumer.drainOnce(1000);
        }
        // Nothing more: the retried batch was dropped by the stream's deduplication.
        assert.equal(await consumer.drainOnce(1000), 0);
      },
      close: async () => {
        const { jetstreamManager } = await import('@nats-io/jetstream');
        await (await jetstreamManager(connection)).streams.delete(names.stream);
        await connection.drain();
      },
    };
  });
}
