import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Cache } from './cache.port.ts';
import { CacheUnavailable } from './cache.port.ts';
import { deepFreeze } from './freeze.ts';

/** Invalidations remembered while Redis is away, replayed when it is back (beyond: logged). */
const MAX_PENDING = 10_000;
/** After a command fails, Redis is skipped this long: requests don't each wait for a timeout. */
const COOLDOWN_MS = 1000;

/**
 * Redis-backed cache; values are JSON. The connection is owned by the caller (platform).
 *
 * A cache outage must not be an API outage: while Redis is unreachable, reads miss (callers fall
 * through to the database) at once instead of queueing, and writes are skipped. A write that
 * could not reach Redis may leave an older value there (a session's state before its sign-out,
 * a page before an admin's change), so its key is deleted — and a lost counter increment redone
 * — as soon as the connection is back, before anything else is sent on it. Only the
 * coordination primitives (`setIfAbsent`, `increment`) refuse with CACHE_UNAVAILABLE (503):
 * a lock or a counter that silently did nothing would be wrong.
 */
export class RedisCache implements Cache {
  readonly #redis: Redis;
  readonly #logger: Logger | undefined;
  /** Keys to delete and counters to bump once Redis answers again. */
  readonly #stale = new Set<string>();
  readonly #increments = new Map<string, number>();
  #skipUntil = 0;
  #lostInvalidations = 0;
  #replaying: Promise<void> | undefined;

  constructor(redis: Redis, options: { logger?: Logger } = {}) {
    this.#redis = redis;
    this.#logger = options.logger;
    redis.on('ready', () => void this.#replayPending());
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (!(await this.#ready())) return undefined;
    let raw: string | null;
    try {
      raw = await this.#redis.get(key);
    } catch (error) {
      this.#failed(error);
      return undefined;
    }
    return raw === null ? undefined : deepFreeze(JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.#write([key], () =>
      this.#redis.set(key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs))),
    );
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.#write(keys, () => this.#redis.del(...keys));
  }

  async increment(key: string, options: { by?: number; ttlMs?: number } = {}): Promise<number> {
    const by = options.by ?? 1;
    if (!(await this.#ready())) {
      this.#increments.set(key, (this.#increments.get(key) ?? 0) + by);
      throw CacheUnavailable();
    }
    try {
      if (options.ttlMs === undefined) return await this.#redis.incrby(key, by);
      const [[, value] = []] =
        (await this.#redis
          .multi()
          .incrby(key, by)
          .pexpire(key, Math.max(1, Math.round(options.ttlMs)))
          .exec()) ?? [];
      return Number(value);
    } catch (error) {
      this.#failed(error);
      this.#increments.set(key, (this.#increments.get(key) ?? 0) + by);
      throw CacheUnavailable();
    }
  }

  async setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    if (!(await this.#ready())) throw CacheUnavailable();
    try {
      const result = await this.#redis.set(
        key,
        JSON.stringify(value),
        'PX',
        Math.max(1, Math.round(ttlMs)),
        'NX',
      );
      return result === 'OK';
    } catch (error) {
      this.#failed(error);
      throw CacheUnavailable();
    }
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  close(): Promise<void> {
    // The shared connection is closed by the platform.
    return Promise.resolve();
  }

  #available(): boolean {
    return this.#redis.status === 'ready' && performance.now() >= this.#skipUntil;
  }

  /**
   * Whether to talk to Redis now. What an outage left stale is put right first, whether the
   * connection dropped and came back ('ready') or Redis only stopped answering for a while.
   */
  async #ready(): Promise<boolean> {
    if (!this.#available()) return false;
    if (this.#stale.size === 0 && this.#increments.size === 0) return true;
    await this.#replayPending();
    return this.#available();
  }

  #replayPending(): Promise<void> {
    this.#replaying ??= this.#replay().finally(() => {
      this.#replaying = undefined;
    });
    return this.#replaying;
  }

  #failed(error: unknown): void {
    this.#skipUntil = performance.now() + COOLDOWN_MS;
    this.#logger?.warn({ err: error }, 'cache unavailable: reading through to the database');
  }

  async #write(keys: readonly string[], send: () => Promise<unknown>): Promise<void> {
    if (await this.#ready()) {
      try {
        await send();
        return;
      } catch (error) {
        this.#failed(error);
      }
    }
    for (const key of keys) {
      if (this.#stale.size < MAX_PENDING) this.#stale.add(key);
      else this.#lostInvalidations += 1;
    }
  }

  /** Back online: undo what the outage may have left stale. */
  async #replay(): Promise<void> {
    if (this.#stale.size === 0 && this.#increments.size === 0) return;
    const keys = [...this.#stale];
    const increments = [...this.#increments];
    this.#stale.clear();
    this.#increments.clear();
    if (this.#lostInvalidations > 0) {
      this.#logger?.error(
        { lost: this.#lostInvalidations },
        'cache invalidations lost during a Redis outage: entries may be stale until their TTL',
      );
      this.#lostInvalidations = 0;
    }
    try {
      for (let index = 0; index < keys.length; index += 500)
        await this.#redis.del(...keys.slice(index, index + 500));
      for (const [key, by] of increments) await this.#redis.incrby(key, by);
      this.#skipUntil = 0;
      if (keys.length + increments.length > 0)
        this.#logger?.info(
          { keys: keys.length, counters: increments.length },
          'cache invalidations replayed',
        );
    } catch (error) {
      // Down again: keep them for the next reconnection.
      for (const key of keys) this.#stale.add(key);
      for (const [key, by] of increments) this.#increments.set(key, (this.#increments.get(key) ?? 0) + by);
      this.#failed(error);
    }
  }
}
