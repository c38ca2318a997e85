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
  'test.echo': define({
    description: 'records its payload',
    payload: z.object({ value: z.number().int() }),
    retryLimit: 0,
    retryDelaySeconds: 1,
    retryBackoff: false,
    expireInSeconds: 60,
  }),
  'test.flaky': define({
    description: 'fails twice, then succeeds',
    payload: z.object({ key: z.string() }),
    retryLimit: 3,
    retryDelaySeconds: 1,
    retryBackoff: false,
    expireInSeconds: 60,
  }),
  'test.slow': define({
    description: 'takes a while, in steps',
    payload: z.object({ steps: z.number().int() }),
    retryLimit: 2,
    retryDelaySeconds: 1,
    retryBackoff: true,
    expireInSeconds: 60,
    concurrency: 1,
    policy: 'stately',
  }),
};

async function until<T>(
  read: () => Promise<T> | T,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await sleep(50);
  }
}

describe(`Job queue contract: pg-boss on ${serverUrl ? 'PostgreSQL' : 'PGlite'}`, () => {
  let testDatabase: TestDatabase;
  let queue: PgBossQueue<typeof catalog>;
  const logger = createLogger({ level: 'silent', pretty: false });

  before(async () => {
    testDatabase = await createTestDatabase();
    queue = await PgBossQueue.start({
      database: testDatabase.database,
      catalog,
      logger,
      supervise: true,
      concurrency: 2,
      pollingIntervalSeconds: 0.5,
    });
  });
  after(async () => {
    await queue.stop({ timeoutMs: 1000 });
    await testDatabase.drop();
  });

  it('runs a job once with its typed payload and reports it completed', async () => {
    const seen: number[] = [];
    await queue.work('test.echo', async (job) => {
      seen.push(job.payload.value);
      assert.equal(job.attempt, 0);
    });
    const id = await queue.send('test.echo', { value: 7 });
    assert.ok(id);
    const record = await until(
      () => queue.getJob('test.echo', id),
      (job) => job?.state === 'completed',
    );
    assert.deepEqual(record?.payload, { value: 7 });
    assert.deepEqual(seen, [7]);
  });

  it('refuses a payload that does not match the catalog', async () => {
    await assert.rejects(queue.send('test.echo', { value: 'seven' } as never), z.ZodError);
  });

  it('retries a failing job and records the attempts', async () => {
    const attempts: number[] = [];
    await queue.work('test.flaky', async (job) => {
      attempts.push(job.attempt);
      if (job.attempt < 2) throw new Error(`transient failure ${job.attempt}`);
    });
    const id = await queue.send('test.flaky', { key: 'k' });
    assert.ok(id);
    const record = await until(
      () => queue.getJob('test.flaky', id),
      (job) => job?.state === 'completed',
      20_000,
    );
    assert.equal(record?.attempt, 2);
    assert.deepEqual(attempts, [0, 1, 2]);
  });

  it('drops a duplicate send with the same singleton key while one is queued', async () => {
    const first = await queue.send(
      'test.slow',
      { steps: 0 },
      { singletonKey: 'only-one', startAfterSeconds: 60 },
    );
    const second = await queue.send(
      'test.slow',
      { steps: 0 },
      { singletonKey: 'only-one', startAfterSeconds: 60 },
    );
    assert.ok(first);
    assert.equal(second, null);
    await queue.cancel('test.slow', first);
    assert.equal((await queue.getJob('test.slow', first))?.state, 'cancelled');
  });

  it('reports depth per job type', async () => {
    const depth = await queue.depth();
    assert.deepEqual(depth.map((entry) => entry.name).sort(), Object.keys(catalog).sort());
    for (const entry of depth) assert.ok(entry.queued >= 0 && entry.active >= 0 && entry.failed >= 0);
    await queue.ping();
  });

  it('on stop, lets a running handler finish its step (its signal aborts) before closing', async () => {
    const events: string[] = [];
    await queue.work('test.slow', async (job) => {
      events.push('started');
      for (let step = 0; step < job.payload.steps; step += 1) {
        await sleep(100);
        events.push(`step ${step}`);
        if (job.signal.aborted) {
          events.push('stopping after current step');
          return;
        }
      }
      events.push('finished');
    });
    const id = await queue.send('test.slow', { steps: 50 });
    assert.ok(id);
    await until(() => events.includes('step 1'), Boolean);
    await queue.stop({ timeoutMs: 5000 });
    assert.equal(events.at(-1), 'stopping after current step');
    assert.ok(!events.includes('finished'));
  });
});
