import { cached, type Cache } from '../../platform/cache/cache.port.ts';

/** A status answer may be this old when something changed that does not invalidate it (a coupon's name, a plan's limits). */
const STATUS_TTL_MS = 60_000;
/** Longer than any cached answer, so a generation that lapses back to 0 finds no old answer there. */
const GENERATION_TTL_MS = 86_400_000;

/**
 * `GET /api/subscription/status` from the shared cache: the answer is keyed by the account's
 * generation, which every change to its subscriptions bumps after its commit (`invalidate`). A read
 * that raced a change stores its answer under the old generation, where nobody looks again — so a
 * change is never hidden behind a stale answer, across instances and the worker alike.
 */
export class StatusCache {
  readonly #cache: Cache;

  constructor(cache: Cache) {
    this.#cache = cache;
  }

  async read<T>(userId: string, compute: () => Promise<T>): Promise<T> {
    const generation = (await this.#cache.get<number>(generationKey(userId))) ?? 0;
    return cached(this.#cache, `subscriptions:status:${userId}:${generation}`, STATUS_TTL_MS, compute);
  }

  /** The cached answer without waiting, where the cache can say so (in process); else undefined. */
  peek(userId: string): object | undefined {
    if (!this.#cache.peek) return undefined;
    const generation = this.#cache.peek<number>(generationKey(userId)) ?? 0;
    return this.#cache.peek<object>(`subscriptions:status:${userId}:${generation}`);
  }

  async invalidate(userId: string): Promise<void> {
    await this.#cache.increment(generationKey(userId), { ttlMs: GENERATION_TTL_MS });
  }
}

const generationKey = (userId: string) => `subscriptions:status-generation:${userId}`;
