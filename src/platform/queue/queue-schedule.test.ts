import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { createTestDatabase, serverUrl, type TestDatabase } from '../../../test/support/test-database.ts';
import { createLogger } from '../logger.ts';
import { PgBossQueue } from './pgboss.queue.ts';
import type { JobDefinition } from './queue.port.ts';

const define = <P extends z.ZodType>(definition: JobDefinition<P>) => definition;
const catalog = {
  'test.tick': define({
    description: 'runs every minute',
    payload: z.object({}),
    retryLimit: 0,
    retryDelaySeconds: 1,
    retryBackoff: false,
    expireInSeconds: 60,
    schedule: '* * * * *',
  }),
};

describe(`Job queue schedules: pg-boss on ${serverUrl ? 'PostgreSQL' : 'PGlite'}`, () => {
  let testDatabase: TestDatabase;
  const queues: Array<PgBossQueue<typeof catalog>> = [];
  const logger = createLogger({ level: 'silent', pretty: false });

  before(async () => {
    testDatabase = await createTestDatabase();
  });
  after(async () => {
    for (const queue of queues) await queue.stop({ timeoutMs: 1000 });
    await testDatabase.drop();
  });

  it(
    'fires a catalog schedule once per tick across two supervising workers',
    { timeout: 120_000 },
    async () => {
      // Two worker processes on one database, each supervising and each working the job.
      const runs: Array<{ worker: number; jobId: string }> = [];
      for (const worker of [1, 2]) {
        const queue = await PgBossQueue.start({
          database: testDatabase.database,
          catalog,
          logger,
          supervise: true,
          concurrency: 2,
          pollingIntervalSeconds: 0.5,
          scheduleCheckSeconds: 1,
        });
        queues.push(queue);
        await queue.work('test.tick', async (job) => {
          runs.push({ worker, jobId: job.id });
        });
      }
      const deadline = Date.now() + 75_000;
      while (runs.length === 0 && Date.now() < deadline) await sleep(200);
      assert.ok(runs.length > 0, 'the schedule fired within a minute');
      // Both supervisors check every second: give the other several chances to fire the same tick.
      await sleep(5000);
      const ticks = new Map<number, number>();
      for (const run of runs) {
        const job = await queues[0]!.getJob('test.tick', run.jobId);
        assert.ok(job);
        const minute = Math.floor(job.createdAt.getTime() / 60_000);
        ticks.set(minute, (ticks.get(minute) ?? 0) + 1);
      }
      assert.deepEqual(
        [...new Set(ticks.values())],
        [1],
        `one run per tick, got ${JSON.stringify([...ticks])}`,
      );
      assert.equal(new Set(runs.map((run) => run.jobId)).size, runs.length, 'no job ran twice');
    },
  );
});
