import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import { AppError } from '../../shared/errors.ts';

const GLOBAL_KEY = 'recs:version';
const CHANNEL = 'recommendations.changed';
/** How long an instance trusts its copy of the global version when no message arrived (best-effort). */
const RECHECK_MS = 5000;
/**
 * An account's stamp outlives every answer built under it (rows are cached 60 s), so a stamp that
 * lapses back to 0 finds nothing old stored under 0.
 */
const ACCOUNT_TTL_MS = 86_400_000;
const accountKey = (userId: string) => `recs:stamp:${userId}`;

/**
 * Small counters in the shared cache that name the state a served answer was built from, so each
 * instance can keep parsed and filtered rows in its own memory and still see every change made on
 * any instance (or the worker) on the next request:
 *
 * - the account's stamp, bumped after a profile's rows are recomputed from its own events ("not
 *   interested", a finish, a thumb) and after the account's plan changes — read on every request
 *   (one small cache read);
 * - the global version, bumped after a training run wrote new rows and after an admin's rule
 *   change — kept in memory, updated at once by a pub/sub message and re-read every few seconds
 *   in case one was lost (as the catalog's version is).
 *
 * Catalog changes are the catalog's version (the title directory reloads when it moves).
 */
export class ServingVersions {
  readonly #cache: Cache;
  readonly #pubsub: PubSub;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #global = 0;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: { cache: Cache; pubsub: PubSub; clock: Clock; logger: Logger }) {
    this.#cache = options.cache;
    this.#pubsub = options.pubsub;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#pubsub.subscribe(CHANNEL, (message) => {
      // Any different value, not only a larger one: a flushed cache restarts the count.
      if (typeof message === 'number') this.#global = message;
    });
    await this.#refresh();
  }

  async stop(): Promise<void> {
    await this.#unsubscribe?.();
  }

  /** The global version: in memory, re-read from the shared cache every few seconds. */
  async global(): Promise<number> {
    if (this.#clock.now().getTime() - this.#checkedAt > RECHECK_MS) await this.#refresh();
    return this.#global;
  }

  /**
   * The account's stamp: in-process without a promise where the cache can (the embedded one),
   * else one read. Absent (never bumped, lapsed, or the shared cache away) reads as 0 — an
   * answer built under a higher stamp is then not reused, and none built under 0 is still kept.
   */
  account(userId: string): number | Promise<number> {
    if (this.#cache.peek) return this.#cache.peek<number>(accountKey(userId)) ?? 0;
    return this.#cache.get<number>(accountKey(userId)).then((stamp) => stamp ?? 0);
  }

  async bumpAccount(userId: string): Promise<void> {
    await this.#tolerant(() => this.#cache.increment(accountKey(userId), { ttlMs: ACCOUNT_TTL_MS }));
  }

  async bumpGlobal(): Promise<void> {
    const bumped = await this.#tolerant(() => this.#cache.increment(GLOBAL_KEY));
    this.#global = bumped ?? this.#global + 1;
    this.#checkedAt = this.#clock.now().getTime();
    await this.#pubsub.publish(CHANNEL, this.#global);
  }

  /**
   * While the shared cache is away its adapter redoes a failed increment once it is back; the
   * change itself is already stored, so the caller goes on (other instances read through to the
   * database meanwhile: their stamp reads miss).
   */
  async #tolerant(increment: () => Promise<number>): Promise<number | undefined> {
    try {
      return await increment();
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'CACHE_UNAVAILABLE')) throw error;
      this.#logger.warn({ err: error }, 'recommendation stamp not bumped yet: the shared cache is away');
      return undefined;
    }
  }

  async #refresh(): Promise<void> {
    const shared = await this.#cache.get<number>(GLOBAL_KEY);
    if (typeof shared === 'number') this.#global = shared;
    this.#checkedAt = this.#clock.now().getTime();
  }
}
