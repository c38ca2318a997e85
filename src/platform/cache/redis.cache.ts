import type { Redis } from 'ioredis';
import type { Cache } from './cache.port.ts';
import { deepFreeze } from './freeze.ts';

/** Redis-backed cache; values are JSON. The connection is owned by the caller (platform). */
export class RedisCache implements Cache {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.#redis.get(key);
    return raw === null ? undefined : deepFreeze(JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.#redis.set(key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.#redis.del(...keys);
  }

  async increment(key: string, options: { by?: number; ttlMs?: number } = {}): Promise<number> {
    if (options.ttlMs === undefined) return this.#redis.incrby(key, options.by ?? 1);
    const [[, value] = []] =
      (await this.#redis
        .multi()
        .incrby(key, options.by ?? 1)
        .pexpire(key, Math.max(1, Math.round(options.ttlMs)))
        .exec()) ?? [];
    return Number(value);
  }

  async setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    const result = await this.#redis.set(
      key,
      JSON.stringify(value),
      'PX',
      Math.max(1, Math.round(ttlMs)),
      'NX',
    );
    return result === 'OK';
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  close(): Promise<void> {
    // The shared connection is closed by the platform.
    return Promise.resolve();
  }
}
