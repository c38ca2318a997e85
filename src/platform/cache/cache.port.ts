import { AppError, defineError } from '../../shared/errors.ts';

/**
 * A shared cache of JSON values with per-entry TTLs. In-process LRU by default; Redis when
 * REDIS_URL is set, so every instance sees the same entries and invalidations.
 */
export interface Cache {
  /** Values come back as JSON would give them (Dates as strings), deep-frozen: read, don't mutate. */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * The value at once, without a promise, when the adapter holds it in this process (the
   * in-process LRU); adapters that must ask a server (Redis) leave it out, and callers then use
   * `get`. For the per-request session check, where a promise per request is a visible cost.
   */
  peek?<T>(key: string): T | undefined;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Atomically adds `by` (default 1) to a counter, creating it at 0; returns the new value. */
  increment(key: string, options?: { by?: number; ttlMs?: number }): Promise<number>;
  /** Sets the key only if absent; true when it was set (a cheap cross-instance lock or dedupe). */
  setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Redis is unreachable and the operation can't be skipped (a lock, a counter): retry shortly. */
export const CacheUnavailable = defineError(
  'CACHE_UNAVAILABLE',
  'unavailable',
  'A shared service is briefly unavailable; retry shortly',
);

/**
 * Read-through helper: returns the cached value or computes, stores and returns it.
 * `undefined` is never cached (it means "absent"); cache `null` to remember a miss.
 */
export async function cached<T>(
  cache: Cache,
  key: string,
  ttlMs: number,
  compute: () => Promise<T>,
): Promise<T> {
  const hit = await cache.get<T>(key);
  if (hit !== undefined) return hit;
  const value = await compute();
  if (value !== undefined) await cache.set(key, value, ttlMs);
  return value;
}

/**
 * setIfAbsent for what may be skipped — filling the cache from the database, "at most once a
 * minute" markers: false (not set) while the shared cache is unavailable, instead of failing.
 */
export async function trySetIfAbsent(
  cache: Cache,
  key: string,
  value: unknown,
  ttlMs: number,
): Promise<boolean> {
  try {
    return await cache.setIfAbsent(key, value, ttlMs);
  } catch (error) {
    if (error instanceof AppError && error.code === 'CACHE_UNAVAILABLE') return false;
    throw error;
  }
}
