import { fromKysely, fromPglite, PgBoss, type KyselyTransactionLike } from 'pg-boss';
import type { z } from 'zod';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type {
  JobCatalog,
  JobHandler,
  JobName,
  JobPayload,
  JobQueue,
  JobRecord,
  QueueDepth,
  SendOptions,
} from './queue.port.ts';

/**
 * Every job proves its worker alive this often unless its definition says otherwise: a worker
 * killed mid-job gets its jobs retried within heartbeat + supervise interval (about 25 s), not
 * after the job's expiry (minutes to hours). Short jobs never send one (pg-boss refreshes at half).
 */
const DEFAULT_HEARTBEAT_SECONDS = 10;

export interface PgBossQueueOptions<C extends JobCatalog> {
  database: Database;
  catalog: C;
  logger: Logger;
  /** Run pg-boss maintenance (expiry, retention, schedules). The worker role does; a pure API instance doesn't. */
  supervise: boolean;
  /** Default jobs per type run at once by this process. */
  concurrency: number;
  pollingIntervalSeconds?: number;
  /**
   * How often the supervising process looks for expired jobs and missed heartbeats (default 15 s:
   * a transcode whose worker was killed is retried within heartbeat + this, not pg-boss's 60 s).
   */
  superviseIntervalSeconds?: number;
  /** How often a supervising process looks for due schedules (pg-boss's cron monitor; default 30 s). */
  scheduleCheckSeconds?: number;
  schema?: string;
}

/**
 * The job queue on pg-boss, in the application's own database: embedded PGlite and PostgreSQL
 * alike, so enqueueing can share a transaction's fate in later work and no broker is needed.
 */
export class PgBossQueue<C extends JobCatalog> implements JobQueue<C> {
  readonly catalog: C;
  readonly #boss: PgBoss;
  readonly #options: PgBossQueueOptions<C>;
  readonly #stopping = new AbortController();
  #stopped: Promise<void> | undefined;

  private constructor(boss: PgBoss, options: PgBossQueueOptions<C>) {
    this.#boss = boss;
    this.#options = options;
    this.catalog = options.catalog;
  }

  static async start<C extends JobCatalog>(options: PgBossQueueOptions<C>): Promise<PgBossQueue<C>> {
    const { database } = options;
    const common = {
      schema: options.schema ?? 'pgboss',
      supervise: options.supervise,
      superviseIntervalSeconds: options.superviseIntervalSeconds ?? 15,
      monitorIntervalSeconds: options.superviseIntervalSeconds ?? 15,
      // Workers burst through a backlog while the queue's cached ready count is above zero
      // (burstWhenReadyExceeds below); pg-boss's default refresh of 60 s would let a burst of
      // webhook events wait a minute at one job per worker per polling interval first.
      queueCacheIntervalSeconds: 5,
      schedule: options.supervise,
      ...(options.scheduleCheckSeconds !== undefined && {
        cronMonitorIntervalSeconds: options.scheduleCheckSeconds,
        cronWorkerIntervalSeconds: options.scheduleCheckSeconds,
      }),
      useListenNotify: true,
      registerInstance: false,
      monitorVacuum: false,
    };
    const boss = database.pglite
      ? new PgBoss({ ...common, db: fromPglite(database.pglite), backend: 'pglite' })
      : new PgBoss({
          ...common,
          connectionString: database.connectionString,
          max: 4,
          application_name: 'marquee-queue',
        });
    boss.on('error', (error: unknown) => options.logger.error({ err: error }, 'job queue error'));
    boss.on('warning', (warning: unknown) => options.logger.warn({ warning }, 'job queue warning'));
    await boss.start();
    const existing = new Set((await boss.getQueues()).map((queue) => queue.name));
    for (const [name, definition] of Object.entries(options.catalog)) {
      const policy = {
        retryLimit: definition.retryLimit,
        retryDelay: definition.retryDelaySeconds,
        retryBackoff: definition.retryBackoff,
        expireInSeconds: definition.expireInSeconds,
        heartbeatSeconds: definition.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
        retentionSeconds: 14 * 24 * 3600,
        deleteAfterSeconds: (definition.retentionDays ?? 7) * 24 * 3600,
        notify: true,
      };
      if (existing.has(name)) await boss.updateQueue(name, policy);
      else await boss.createQueue(name, { ...policy, policy: definition.policy ?? 'standard' });
    }
    // Schedules live in the database; every supervisor writes the catalog's (an upsert), and a job
    // that lost its schedule in the catalog loses it here too.
    if (options.supervise) {
      const scheduled = new Set((await boss.getSchedules()).map((schedule) => schedule.name));
      for (const [name, definition] of Object.entries(options.catalog)) {
        if (definition.schedule) await boss.schedule(name, definition.schedule, {}, { tz: 'UTC' });
        else if (scheduled.has(name)) await boss.unschedule(name);
      }
    }
    return new PgBossQueue(boss, options);
  }

  async send<N extends JobName<C>>(
    name: N,
    payload: z.input<C[N]['payload']>,
    options: SendOptions = {},
  ): Promise<string | null> {
    const data = this.catalog[name]?.payload.parse(payload) as object;
    // pg-boss validates present keys, so absent options must be absent, not undefined.
    return this.#boss.send(name, data, {
      ...(options.singletonKey !== undefined && { singletonKey: options.singletonKey }),
      ...(options.startAfterSeconds !== undefined && { startAfter: options.startAfterSeconds }),
      ...(options.priority !== undefined && { priority: options.priority }),
      // Results go back to pg-boss untouched: our Kysely's camelCase plugin must not rename its columns.
      ...(options.transaction && {
        db: fromKysely(options.transaction.withoutPlugins() as unknown as KyselyTransactionLike),
      }),
    });
  }

  async work<N extends JobName<C>>(
    name: N,
    handler: JobHandler<JobPayload<C, N>>,
    options: { concurrency?: number } = {},
  ): Promise<void> {
    const definition = this.catalog[name];
    if (!definition) throw new Error(`job ${name} is not in the catalog`);
    const logger = this.#options.logger;
    await this.#boss.work<object>(
      name,
      {
        localConcurrency: options.concurrency ?? definition.concurrency ?? this.#options.concurrency,
        batchSize: 1,
        pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 2,
        // NOTIFY wakes workers for new jobs at once, but nothing notifies when a retry's delay
        // ends; pg-boss's 30 s notify-mode backstop would leave retries waiting that long.
        notifyPollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 2,
        // While jobs are waiting (more than one), fetch again at once: a backlog (a burst of webhook events) drains
        // at the handlers' speed, not one job per worker per polling interval. (pg-boss ignores
        // `burstWhenBatchFull` at batchSize 1; the ready count is its cached queue statistic.)
        burstWhenReadyExceeds: 1,
      },
      async ([job]) => {
        if (!job) return;
        const payload = definition.payload.parse(job.data) as JobPayload<C, N>;
        const started = performance.now();
        const jobLogger = logger.child({ job: name, jobId: job.id, attempt: job.retryCount });
        try {
          await handler({
            id: job.id,
            name,
            payload,
            attempt: job.retryCount,
            signal: AbortSignal.any([job.signal, this.#stopping.signal]),
          });
          jobLogger.info({ ms: Math.round(performance.now() - started) }, 'job completed');
        } catch (error) {
          jobLogger.warn({ err: error, ms: Math.round(performance.now() - started) }, 'job failed');
          throw error;
        }
      },
    );
  }

  async getJob(name: JobName<C>, id: string): Promise<JobRecord | undefined> {
    const [job] = await this.#boss.findJobs<unknown>(name, { id });
    if (!job) return undefined;
    return {
      id: job.id,
      name: job.name,
      state: job.state,
      payload: job.data,
      output: job.output,
      attempt: job.retryCount,
      createdAt: job.createdOn,
      startedAt: job.startedOn ?? null,
      completedAt: job.completedOn,
    };
  }

  async cancel(name: JobName<C>, id: string): Promise<void> {
    await this.#boss.cancel(name, id);
  }

  async retry(name: JobName<C>, id: string): Promise<void> {
    await this.#boss.retry(name, id);
  }

  async depth(): Promise<QueueDepth[]> {
    const queues = await this.#boss.getQueues(Object.keys(this.catalog));
    return queues.map((queue) => ({
      name: queue.name,
      queued: queue.queuedCount,
      active: queue.activeCount,
      failed: queue.failedCount,
    }));
  }

  async ping(): Promise<void> {
    await this.#boss.getQueue(Object.keys(this.catalog)[0] ?? '__none__');
  }

  stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping.abort(new Error('worker shutting down'));
      // close: pg-boss owns its pool on a server; on PGlite the instance is the platform's.
      await this.#boss.stop({ graceful: true, close: true, timeout: options.timeoutMs ?? 8000 });
    })();
    return this.#stopped;
  }
}
