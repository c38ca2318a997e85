import { LRUCache } from 'lru-cache';

/** Writes between two sweeps: a sweep walks every entry, so it is paid once per this many writes. */
const WRITES_PER_SWEEP = 1_000;

/**
 * An LRU cache with TTLs that also drops its expired entries every thousand writes.
 * lru-cache removes a stale entry only when it is read or pushed out by the size bound, so a
 * cache of short-lived things (playlists rendered for one token, verified tokens) otherwise
 * fills to its bound and stays there: memory follows the bound, not the working set, and a
 * soak shows it as growth (bench:soak). `ttlAutopurge` would do it with a timer per entry.
 */
export class SweptLRUCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>> extends LRUCache<
  K,
  V
> {
  #writes = 0;

  override set(key: K, value: V | undefined, options?: LRUCache.SetOptions<K, V, unknown>): this {
    this.#writes += 1;
    if (this.#writes >= WRITES_PER_SWEEP) {
      this.#writes = 0;
      this.purgeStale();
    }
    return super.set(key, value, options);
  }
}
