import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { RateLimitDecision, RateLimiter, RateLimitRule, RateLimits } from './ratelimit.port.ts';

function decision(result: RateLimiterRes, rule: RateLimitRule, allowed: boolean): RateLimitDecision {
  return {
    allowed,
    remaining: allowed ? Math.max(0, result.remainingPoints) : 0,
    consumed: result.consumedPoints,
    retryAfterMs: Math.max(0, result.msBeforeNext),
  };
}

class FlexibleLimiter implements RateLimiter {
  readonly rule: RateLimitRule;
  readonly #limiter: RateLimiterAbstract;

  constructor(rule: RateLimitRule, limiter: RateLimiterAbstract) {
    this.rule = rule;
    this.#limiter = limiter;
  }

  async consume(key: string, points = 1): Promise<RateLimitDecision> {
    try {
      return decision(await this.#limiter.consume(key, points), this.rule, true);
    } catch (error) {
      // rate-limiter-flexible rejects with its result object when the limit is exceeded.
      if (error instanceof RateLimiterRes) return decision(error, this.rule, false);
      throw error;
    }
  }

  async peek(key: string): Promise<RateLimitDecision | undefined> {
    const result = await this.#limiter.get(key);
    if (!result) return undefined;
    return decision(result, this.rule, result.consumedPoints <= this.rule.points);
  }

  async reset(key: string): Promise<void> {
    await this.#limiter.delete(key);
  }

  async block(key: string, seconds: number): Promise<void> {
    await this.#limiter.block(key, seconds);
  }
}

/** rate-limiter-flexible in process memory (one instance) or in Redis (shared by all). */
export class FlexibleRateLimits implements RateLimits {
  readonly #redis: Redis | undefined;
  readonly #prefix: string;

  constructor(options: { redis?: Redis; prefix?: string } = {}) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'rl';
  }

  limiter(rule: RateLimitRule): RateLimiter {
    const common = {
      keyPrefix: `${this.#prefix}:${rule.name}`,
      points: rule.points,
      duration: rule.durationSeconds,
      blockDuration: rule.blockSeconds ?? 0,
    };
    // With Redis away, each instance limits on its own (in memory) rather than failing requests
    // or letting them through unlimited; Redis takes over again once it is back.
    const limiter = this.#redis
      ? new RateLimiterRedis({
          ...common,
          storeClient: this.#redis,
          useRedisPackage: false,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(common),
        })
      : new RateLimiterMemory(common);
    return new FlexibleLimiter(rule, limiter);
  }
}
