import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type App, type AppDeps } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { jobCatalog } from '../../src/jobs/job-catalog.ts';
import { registerJobHandlers } from '../../src/jobs/job-handlers.ts';
import type { Cache } from '../../src/platform/cache/cache.port.ts';
import { MemoryCache } from '../../src/platform/cache/memory.cache.ts';
import { RedisCache } from '../../src/platform/cache/redis.cache.ts';
import { systemClock, type Clock } from '../../src/platform/clock.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { OutboxMailer } from '../../src/platform/mail/outbox.mail.ts';
import { MemoryPubSub } from '../../src/platform/pubsub/memory.pubsub.ts';
import type { PubSub } from '../../src/platform/pubsub/pubsub.port.ts';
import { RedisPubSub } from '../../src/platform/pubsub/redis.pubsub.ts';
import { FlexibleRateLimits } from '../../src/platform/ratelimit/flexible.ratelimit.ts';
import { PgBossQueue } from '../../src/platform/queue/pgboss.queue.ts';
import { LocalStorage } from '../../src/platform/storage/local.storage.ts';
import type { Storage } from '../../src/platform/storage/storage.port.ts';
import { createTestDatabase } from './test-database.ts';
import { createTestRedis, redisUrl } from './test-redis.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { createRedis } from '../../src/platform/platform.ts';

export interface TestContext {
  app: App;
  deps: AppDeps;
  dataDir: string;
  /**
   * Another API instance on the same PostgreSQL database, Redis (keys and channels) and storage,
   * through connections of its own and with services of its own — what a second server is. Only
   * on real services (a PGlite database belongs to one process): undefined otherwise.
   */
  anotherInstance(): Promise<{ app: App; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Another storage adapter (S3 on s3rver); a temp directory by default. */
  storage?: Storage;
  /** false: no job handlers in this process (a test runs jobs by hand, as several workers would). */
  jobHandlers?: boolean;
  /** Another Redis than the environment's REDIS_URL (a test's own, to stop and restart). */
  redisUrl?: string;
}

/** Waits for a mail to reach the outbox (delivered by the mail.send job) and returns it. */
export async function waitForMail(
  context: TestContext,
  to: string,
  options: { subject?: RegExp; after?: Date } = {},
) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mail = await context.deps.database.db
      .selectFrom('mailOutbox')
      .selectAll()
      .where('toAddress', '=', to)
      .where('createdAt', '>=', options.after ?? new Date(0))
      .orderBy('createdAt', 'desc')
      .execute();
    const match = mail.find((row) => !options.subject || options.subject.test(row.subject));
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The token in a Marquee mail (verification, reset). */
export const tokenIn = (text: string): string => {
  const match = /token=([A-Za-z0-9_-]{20,})/.exec(text);
  if (!match?.[1]) throw new Error(`no token in mail: ${text}`);
  return match[1];
};

/** A test config: quiet, on a temp data dir; the environment's DATABASE_URL/REDIS_URL pick the adapters. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOG_PRETTY: 'false',
    DATA_DIR: dataDir,
    PUBLIC_URL: 'http://localhost:3000',
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
}

/**
 * The whole application on real parts — its own database (PGlite, or a fresh database on the
 * PostgreSQL server when DATABASE_URL is set), Redis when REDIS_URL is set, a temp directory for
 * storage — driven through app.inject(). One per test file: PGlite takes seconds to start.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestContext> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'marquee-test-'));
  const config = testConfig(dataDir, options.env);
  const logger = createLogger({ level: config.log.level, pretty: false });
  const testDatabase = await createTestDatabase();
  const cleanups: Array<() => Promise<void>> = [
    () => testDatabase.drop(),
    () => rm(dataDir, { recursive: true, force: true }),
  ];

  let cache: Cache = new MemoryCache();
  let pubsub: PubSub = new MemoryPubSub();
  let rateLimits = new FlexibleRateLimits();
  const chosenRedis = options.redisUrl ?? redisUrl;
  let redisPrefix: string | undefined;
  if (chosenRedis) {
    const testRedis = await createTestRedis(chosenRedis);
    redisPrefix = testRedis.prefix;
    cache = new RedisCache(testRedis.redis, { logger });
    pubsub = new RedisPubSub(testRedis.redis, testRedis.prefix);
    rateLimits = new FlexibleRateLimits({ redis: testRedis.redis });
    cleanups.unshift(() => testRedis.cleanup());
  }
  cleanups.unshift(() => pubsub.close());

  const queue = await PgBossQueue.start({
    database: testDatabase.database,
    catalog: jobCatalog,
    logger,
    supervise: false,
    concurrency: 2,
    pollingIntervalSeconds: 0.5,
  });
  cleanups.unshift(() => queue.stop({ timeoutMs: 1000 }));

  const deps: AppDeps = {
    config,
    logger,
    database: testDatabase.database,
    cache,
    pubsub,
    rateLimits,
    storage: options.storage ?? new LocalStorage(path.join(dataDir, 'storage')),
    mailer: new OutboxMailer(testDatabase.database.db),
    queue,
    clock: options.clock ?? systemClock,
  };
  // Like ROLE=all: the job handlers run in the test process, so queued mail reaches the outbox.
  if (options.jobHandlers !== false) {
    const workers = await registerJobHandlers(deps);
    cleanups.unshift(() => workers.close());
  }
  const app = await buildApp(deps);
  cleanups.unshift(() => app.close());
  async function anotherInstance() {
    if (!testDatabase.url || !chosenRedis || !redisPrefix)
      throw new Error('a second instance needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)');
    const database = await openDatabase({
      kind: 'postgres',
      url: testDatabase.url,
      poolMax: 5,
      statementTimeoutMs: 30_000,
    });
    const redis = await createRedis(chosenRedis, redisPrefix);
    redis.on('error', () => undefined);
    const secondPubsub = new RedisPubSub(redis, redisPrefix);
    const secondQueue = await PgBossQueue.start({
      database,
      catalog: jobCatalog,
      logger,
      supervise: false,
      concurrency: 2,
      pollingIntervalSeconds: 0.5,
    });
    const second = await buildApp({
      ...deps,
      database,
      cache: new RedisCache(redis, { logger }),
      pubsub: secondPubsub,
      rateLimits: new FlexibleRateLimits({ redis }),
      storage: options.storage ?? new LocalStorage(path.join(dataDir, 'storage')),
      mailer: new OutboxMailer(database.db),
      queue: secondQueue,
    });
    return {
      app: second,
      async close() {
        await second.close();
        await secondQueue.stop({ timeoutMs: 1000 });
        await secondPubsub.close();
        await redis.quit();
        await database.close();
      },
    };
  }
  return {
    app,
    deps,
    dataDir,
    anotherInstance,
    async close() {
      for (const cleanup of cleanups) await cleanup();
    },
  };
}
