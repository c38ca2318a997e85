import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.port.ts';

interface Entry {
  value: unknown;
}

/**
 * In-process cache. Values are stored as given and returned as structured clones, so a caller
 * mutating what it got back can't corrupt the cache — and it behaves like the Redis adapter,
 * which hands back fresh objects parsed from JSON.
 */
export class MemoryCache implements Cache {
  readonly #lru: LRUCache<string, Entry>;

  constructor(options: { maxEntries?: number } = {}) {
    this.#lru = new LRUCache<string, Entry>({ max: options.maxEntries ?? 50_000, ttlAutopurge: false });
  }

  get<T>(key: string): Promise<T | undefined> {
    const entry = this.#lru.get(key);
    return Promise.resolve(entry === undefined ? undefined : (structuredClone(entry.value) as T));
  }

  set(key: string, value: unknown, ttlMs: number): Promise<void> {
    this.#lru.set(key, { value: structuredClone(value) }, { ttl: ttlMs });
    return Promise.resolve();
  }

  delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.#lru.delete(key);
    return Promise.resolve();
  }

  increment(key: string, options: { by?: number; ttlMs?: number } = {}): Promise<number> {
    const current = this.#lru.get(key);
    const next = (typeof current?.value === 'number' ? current.value : 0) + (options.by ?? 1);
    if (current && options.ttlMs === undefined) {
      // Keep the remaining TTL, as Redis INCRBY does.
      const remaining = this.#lru.getRemainingTTL(key);
      this.#lru.set(
        key,
        { value: next },
        Number.isFinite(remaining) && remaining > 0 ? { ttl: remaining } : {},
      );
    } else {
      this.#lru.set(key, { value: next }, options.ttlMs === undefined ? {} : { ttl: options.ttlMs });
    }
    return Promise.resolve(next);
  }

  setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    if (this.#lru.has(key)) return Promise.resolve(false);
    this.#lru.set(key, { value: structuredClone(value) }, { ttl: ttlMs });
    return Promise.resolve(true);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#lru.clear();
    return Promise.resolve();
  }
}
