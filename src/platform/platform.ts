import type { Redis } from 'ioredis';
import type { Config } from '../config/config.ts';
import type { Cache } from './cache/cache.port.ts';
import { MemoryCache } from './cache/memory.cache.ts';
import { systemClock, type Clock } from './clock.ts';
import { openConfiguredDatabase } from './db/configured-database.ts';
import type { Database } from './db/database.ts';
import { migrate } from './db/migrator.ts';
import type { Logger } from './logger.ts';
import type { Mailer } from './mail/mail.port.ts';
import { OutboxMailer } from './mail/outbox.mail.ts';
import { MemoryPubSub } from './pubsub/memory.pubsub.ts';
import type { PubSub } from './pubsub/pubsub.port.ts';
import { FlexibleRateLimits } from './ratelimit/flexible.ratelimit.ts';
import type { RateLimits } from './ratelimit/ratelimit.port.ts';
import { PgBossQueue } from './queue/pgboss.queue.ts';
import type { JobCatalog, JobQueue } from './queue/queue.port.ts';
import { LocalStorage } from './storage/local.storage.ts';
import type { Storage } from './storage/storage.port.ts';

/**
 * The infrastructure one process runs on, chosen by config: embedded defaults (PGlite, memory,
 * local disk, outbox) or real servers. This is the composition root's raw material; features
 * never see it whole — buildApp and the worker hand each feature only the ports it uses.
 */
export interface Platform<C extends JobCatalog> {
  readonly database: Database;
  readonly cache: Cache;
  readonly pubsub: PubSub;
  readonly rateLimits: RateLimits;
  readonly storage: Storage;
  readonly mailer: Mailer;
  readonly queue: JobQueue<C>;
  readonly clock: Clock;
  close(): Promise<void>;
}

/*
 * Adapters for real servers are imported when configured: an embedded start doesn't pay for
 * loading the AWS SDK, ioredis or nodemailer.
 */

/** No Redis command waits longer than this: a hung or vanished Redis costs a request at most this. */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;

export async function createRedis(url: string, keyPrefix: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  return new Redis(url, {
    keyPrefix,
    maxRetriesPerRequest: 2,
    connectTimeout: 5000,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    enableAutoPipelining: true,
  });
}

export async function createStorage(config: Config['storage']): Promise<Storage> {
  if (config.kind === 'local') return new LocalStorage(config.dir);
  const { S3Storage } = await import('./storage/s3.storage.ts');
  return new S3Storage(config);
}

export interface PlatformOptions<C extends JobCatalog> {
  config: Config;
  logger: Logger;
  catalog: C;
  /** Run queue maintenance in this process (the worker role does). */
  superviseQueue: boolean;
  /**
   * A CLI command, not a server: beside a running server on the embedded database, reach it
   * through the server's local socket (and open no socket of its own).
   */
  client?: boolean;
  onMigration?: (name: string) => void;
}

export async function createPlatform<C extends JobCatalog>(
  options: PlatformOptions<C>,
): Promise<Platform<C>> {
  const { config, logger } = options;
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => logger.warn({ err: error }, 'error while closing'));
    }
  };
  try {
    const database = await openConfiguredDatabase({
      config,
      as: options.client ? 'client' : 'server',
      logger,
    });
    closers.push(() => database.close());
    const report = await migrate(database, { onApplied: options.onMigration });
    if (report.applied.length > 0) logger.info({ applied: report.applied }, 'database migrated');

    let cache: Cache;
    let pubsub: PubSub;
    let rateLimits: RateLimits;
    if (config.redis) {
      const redis = await createRedis(config.redis.url, config.redis.keyPrefix);
      const [{ RedisCache }, { RedisPubSub }] = await Promise.all([
        import('./cache/redis.cache.ts'),
        import('./pubsub/redis.pubsub.ts'),
      ]);
      redis.on('error', (error: unknown) => logger.warn({ err: error }, 'redis connection error'));
      closers.push(async () => {
        await redis.quit().catch(() => redis.disconnect());
      });
      cache = new RedisCache(redis, { logger: logger.child({ component: 'cache' }) });
      pubsub = new RedisPubSub(redis, config.redis.keyPrefix);
      rateLimits = new FlexibleRateLimits({ redis });
    } else {
      cache = new MemoryCache();
      pubsub = new MemoryPubSub();
      rateLimits = new FlexibleRateLimits();
    }
    closers.push(
      () => cache.close(),
      () => pubsub.close(),
    );

    const storage = await createStorage(config.storage);
    closers.push(() => storage.close());

    let mailer: Mailer = new OutboxMailer(database.db);
    if (config.mail.smtpUrl) {
      const { SmtpMailer } = await import('./mail/smtp.mail.ts');
      mailer = new SmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from });
    }
    closers.push(() => mailer.close());

    const queue = await PgBossQueue.start({
      database,
      catalog: options.catalog,
      logger: logger.child({ component: 'queue' }),
      supervise: options.superviseQueue,
      concurrency: config.worker.concurrency,
    });
    // Stopped explicitly (with the shutdown deadline) before close(); this is the fallback.
    closers.push(() => queue.stop({ timeoutMs: 2000 }));

    return {
      database,
      cache,
      pubsub,
      rateLimits,
      storage,
      mailer,
      queue,
      clock: systemClock,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
