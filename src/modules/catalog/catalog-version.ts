import type { Cache } from '../../platform/cache/cache.port.ts';
import { AppError } from '../../shared/errors.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';

const KEY = 'catalog:version';
const CHANNEL = 'catalog.changed';
/** How long an instance trusts its copy when no change message arrived (messages are best-effort). */
const RECHECK_MS = 5000;

/**
 * A counter that names the current state of the catalog. Every cached read embeds it in its
 * key; every admin write bumps it, so all cached pages become unreachable at once (no key
 * scanning). The shared value lives in the cache port; each instance keeps a copy, updated
 * immediately by a pub/sub message and re-read every few seconds in case one was lost.
 */
export class CatalogVersion {
  readonly #cache: Cache;
  readonly #pubsub: PubSub;
  readonly #clock: Clock;
  #value = 0;
  #checkedAt = 0;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: { cache: Cache; pubsub: PubSub; clock: Clock }) {
    this.#cache = options.cache;
    this.#pubsub = options.pubsub;
    this.#clock = options.clock;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#pubsub.subscribe(CHANNEL, (message) => {
      // Any different value, not only a larger one: a flushed cache restarts the count.
      if (typeof message === 'number') this.#value = message;
    });
    await this.#refresh();
  }

  async current(): Promise<number> {
    if (this.#clock.now().getTime() - this.#checkedAt > RECHECK_MS) await this.#refresh();
    return this.#value;
  }

  async bump(): Promise<number> {
    try {
      this.#value = await this.#cache.increment(KEY);
    } catch (error) {
      // The shared cache is away (its adapter redoes the increment when it is back): this
      // instance moves on now, and the others stop serving from it meanwhile anyway.
      if (!(error instanceof AppError && error.code === 'CACHE_UNAVAILABLE')) throw error;
      this.#value += 1;
    }
    this.#checkedAt = this.#clock.now().getTime();
    await this.#pubsub.publish(CHANNEL, this.#value);
    return this.#value;
  }

  async stop(): Promise<void> {
    await this.#unsubscribe?.();
  }

  async #refresh(): Promise<void> {
    const shared = await this.#cache.get<number>(KEY);
    if (typeof shared === 'number') this.#value = shared;
    this.#checkedAt = this.#clock.now().getTime();
  }
}

/**
 * The transactions of catalog writes: each bumps the catalog version once it has committed, so
 * no admin change can leave cached pages showing the old catalog (and a rolled-back one bumps
 * nothing).
 */
export const bumpingAfterCommit = (transactor: Transactor, version: CatalogVersion): Transactor => ({
  async run(work) {
    const result = await transactor.run(work);
    await version.bump();
    return result;
  },
});
