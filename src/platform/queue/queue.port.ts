import type { z } from 'zod';

/**
 * Background jobs. One typed catalog (src/jobs/job-catalog.ts) names every job, its payload
 * schema and its retry policy; one handler per job type runs in the worker role.
 * Handlers must be idempotent: a job may run again after a crash or a retry.
 */
export interface JobDefinition<Payload extends z.ZodType = z.ZodType> {
  readonly payload: Payload;
  readonly description: string;
  /** Further attempts after the first failure. */
  readonly retryLimit: number;
  readonly retryDelaySeconds: number;
  readonly retryBackoff: boolean;
  /** A running attempt older than this is considered lost and retried. */
  readonly expireInSeconds: number;
  /**
   * A running job's worker proves it is alive this often; a job whose worker stops (killed, lost
   * machine) is retried after it misses its heartbeat instead of after expireInSeconds. ≥ 10;
   * default 10.
   */
  readonly heartbeatSeconds?: number;
  /** Jobs of this type one worker process runs at once; defaults to the worker's concurrency. */
  readonly concurrency?: number;
  /**
   * How `singletonKey` dedupes: 'standard' doesn't; 'stately' keeps at most one queued and one
   * active job per key (a re-run requested while one runs waits its turn, once); 'exclusive' one
   * queued-or-active per key. Fixed when the queue is first created.
   */
  readonly policy?: 'standard' | 'stately' | 'exclusive';
  /** Keep finished jobs this long (admin job history). */
  readonly retentionDays?: number;
  /**
   * A cron expression (UTC, minute resolution): the queue sends this job, with an empty payload,
   * once per tick however many worker processes run — pg-boss files each occurrence under one
   * throttle slot, so concurrent supervisors collapse into one job. Scheduled handlers must be
   * idempotent and catch up by themselves (they read the clock, not the tick).
   */
  readonly schedule?: string;
}

export type JobCatalog = Record<string, JobDefinition>;

export type JobName<C extends JobCatalog> = keyof C & string;
export type JobPayload<C extends JobCatalog, N extends JobName<C>> = z.output<C[N]['payload']>;

export interface SendOptions {
  /** Dedupe key; what it dedupes depends on the job's policy. A dropped send returns null. */
  singletonKey?: string;
  startAfterSeconds?: number;
  priority?: number;
  /**
   * Enqueue inside this open transaction (a Kysely transaction on the application database):
   * the job exists if and only if the transaction commits. Required when enqueueing from inside
   * a transaction on the embedded database, whose single connection the transaction holds.
   */
  transaction?: TransactionLike;
}

/** A Kysely transaction, as far as the queue needs one. */
export interface TransactionLike {
  withoutPlugins(): { executeQuery: (...args: never[]) => unknown };
}

export interface RunningJob<P> {
  id: string;
  name: string;
  payload: P;
  /** 0 on the first attempt. */
  attempt: number;
  /** Aborted when the worker is shutting down or the job was cancelled: finish the current step and stop. */
  signal: AbortSignal;
}

export type JobHandler<P> = (job: RunningJob<P>) => Promise<void>;

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export interface JobRecord {
  id: string;
  name: string;
  state: JobState;
  payload: unknown;
  output: unknown;
  attempt: number;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface QueueDepth {
  name: string;
  queued: number;
  active: number;
  failed: number;
}

export interface JobQueue<C extends JobCatalog> {
  readonly catalog: C;
  send<N extends JobName<C>>(
    name: N,
    payload: z.input<C[N]['payload']>,
    options?: SendOptions,
  ): Promise<string | null>;
  /** `concurrency` overrides the catalog's, e.g. from config (TRANSCODE_CONCURRENCY). */
  work<N extends JobName<C>>(
    name: N,
    handler: JobHandler<JobPayload<C, N>>,
    options?: { concurrency?: number },
  ): Promise<void>;
  getJob(name: JobName<C>, id: string): Promise<JobRecord | undefined>;
  cancel(name: JobName<C>, id: string): Promise<void>;
  retry(name: JobName<C>, id: string): Promise<void>;
  depth(): Promise<QueueDepth[]>;
  ping(): Promise<void>;
  /** Stops fetching, lets running handlers finish their current step (their signal is aborted), then closes. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}
