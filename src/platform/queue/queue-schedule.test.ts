import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
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
      // pg-boss forwards each occurrence through its send-it queue, filed under the minute slot the
      // occurrence falls in. Counting by slot (not by job creation time) tells a tick that was sent
      // twice from a late tick caught up in the next minute beside that minute's own.
      const forwarded = await sql<{ slot: string; forwards: number }>`
        select data->>'slot' as slot, count(*)::int as forwards from pgboss.job
        where name = '__pgboss__send-it' and data->>'name' = 'test.tick' group by 1 order by 1`.execute(
        testDatabase.database.db,
      );
      const slots = forwarded.rows;
      assert.ok(slots.length > 0, 'the occurrences went through the send-it queue');
      assert.deepEqual(
        slots.filter((slot) => slot.forwards !== 1),
        [],
        `each occurrence forwarded once: ${JSON.stringify(slots)}`,
      );
      // Every run is one forwarded occurrence (a run per slot, none extra); the last slot may
      // still be on its way to a worker.
      assert.ok(
        runs.length === slots.length || runs.length === slots.length - 1,
        `one run per tick: ${runs.length} runs for ${slots.length} ticks ${JSON.stringify(slots)}`,
      );
      assert.equal(new Set(runs.map((run) => run.jobId)).size, runs.length, 'no job ran twice');
    },
  );
});
