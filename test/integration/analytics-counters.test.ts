import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type AnalyticsEvent,
  createAnalyticsJobs,
  PostgresEventSink,
} from '../../src/modules/analytics/index.ts';
import { AnalyticsEventsRepository } from '../../src/modules/analytics/events.repository.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { HOUR_MS, recountCounters, storedCounters } from '../support/analytics-recount.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { concurrentStreamCounter } from '../../src/modules/playback/index.ts';

/**
 * The counters (the business figures' rollup) against a recount by hand: fast-check draws streams
 * of domain events — subscriptions with money, ads, recommendation batches, live counts — sent in
 * rounds with late ones (landing in hours already rolled up) and duplicates (a retried batch), the
 * roll-up job running between rounds. Every hourly and daily counter equals the recount.
 */
describe('analytics counters', () => {
  let testDatabase: TestDatabase;
  const logger = createLogger({ level: 'silent', pretty: false });

  before(async () => {
    testDatabase = await createTestDatabase();
  });
  after(() => testDatabase.drop());

  it('equal a recount of the distinct domain events after late and duplicate ones', async () => {
    let run = 0;
    const kinds = fc.constantFrom(
      'SubscriptionActivated',
      'SubscriptionCancelled',
      'SubscriptionRefunded',
      'AdBeaconCounted',
      'RecommendationsImpressed',
      'RecommendationsClicked',
      'LiveViewersCounted',
      'LiveChatMessagePosted',
    );
    const draw = fc.record({
      kind: kinds,
      // Where in the time so far it happened (0: the start, 1: now): many are late.
      when: fc.double({ min: 0, max: 1, noNaN: true }),
      key: fc.integer({ min: 0, max: 2 }),
      amount: fc.integer({ min: 0, max: 100_000 }),
      viewers: fc.integer({ min: 0, max: 5000 }),
    });
    const rounds = fc.array(
      fc.record({ fresh: fc.array(draw, { minLength: 1, maxLength: 25 }), repeats: fc.nat({ max: 5 }) }),
      { minLength: 1, maxLength: 6 },
    );

    await fc.assert(
      fc.asyncProperty(rounds, async (plan) => {
        run += 1;
        const db = testDatabase.database.db;
        // Each run far from the others in time, with keys of its own.
        const clock = new ManualClock(new Date(Date.UTC(2026, 0, 1) + run * 30 * 86_400_000));
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
          config: { analytics: { retentionDays: 3650 } },
          concurrentViewers: concurrentStreamCounter({ db, heartbeatLapseSeconds: 60 }),
        });
        const keys = [randomUUID(), randomUUID(), randomUUID()];
        const start = clock.now().getTime();
        const distinct = new Map<string, AnalyticsEvent>();
        const toEvent = (drawn: (typeof plan)[number]['fresh'][number]): AnalyticsEvent => {
          const key = keys[drawn.key]!;
          const payload = {
            SubscriptionActivated: {
              planId: key,
              currency: 'EUR',
              amountMinor: drawn.amount,
              mrrDeltaMinor: drawn.amount,
              payingDelta: 1,
            },
            SubscriptionCancelled: {
              planId: key,
              currency: 'EUR',
              mrrDeltaMinor: -drawn.amount,
              payingDelta: -1,
            },
            SubscriptionRefunded: {
              planId: key,
              currency: 'USD',
              amountMinor: drawn.amount,
              mrrDeltaMinor: 0,
              payingDelta: 0,
            },
            AdBeaconCounted: {
              event: 'impression',
              campaignId: key,
              instanceId: randomUUID(),
              revenueMilliMinor: drawn.amount,
            },
            RecommendationsImpressed: { row: key, count: 1 + (drawn.amount % 20) },
            RecommendationsClicked: { row: key, count: 1 + (drawn.amount % 3) },
            LiveViewersCounted: { liveEventId: key, viewers: drawn.viewers },
            LiveChatMessagePosted: { liveEventId: key, messageId: drawn.amount },
          }[drawn.kind];
          return {
            eventId: randomUUID(),
            type: drawn.kind,
            occurredAt: new Date(start + Math.floor(drawn.when * (clock.now().getTime() - start))),
            userId: null,
            sessionId: null,
            titleId: null,
            itemId: null,
            planId: '',
            region: '',
            device: '',
            appVersion: '',
            payload,
          };
        };
        for (const round of plan) {
          clock.advance(7 * HOUR_MS);
          const batch = round.fresh.map(toEvent);
          const earlier = [...distinct.values()];
          for (let index = 0; index < round.repeats && earlier.length > 0; index++) {
            batch.push(earlier[(index * 7919) % earlier.length]!);
          }
          for (const event of batch) distinct.set(event.eventId, event);
          assert.equal(sink.offer(batch), 'accepted');
          await sink.flush();
          clock.advance(20_000);
          await jobs.rollUp();
        }
        await sink.close();
        const mine = new Set(keys);
        for (const granularity of ['hour', 'day'] as const) {
          assert.deepEqual(
            await storedCounters(db, granularity, mine),
            recountCounters([...distinct.values()], granularity),
            granularity,
          );
        }
      }),
      { numRuns: Number(process.env.ANALYTICS_RUNS ?? 8) },
    );
  });
});
