/**
 * Counting limits shared by every instance: "at most N of these per key per window", with an
 * optional block once exceeded. In-process by default, Redis when REDIS_URL is set (so a client
 * can't multiply its allowance by the number of instances).
 */
export interface RateLimitRule {
  /** Unique per rule; becomes part of the storage key. */
  name: string;
  points: number;
  durationSeconds: number;
  /** Once over the limit, refuse for this long (default: until the window ends). */
  blockSeconds?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Points left in the window (0 when refused). */
  remaining: number;
  /** Points consumed in the window, including this request. */
  consumed: number;
  /** When the caller may try again (refused) or when the window resets (allowed). */
  retryAfterMs: number;
}

export interface RateLimiter {
  readonly rule: RateLimitRule;
  consume(key: string, points?: number): Promise<RateLimitDecision>;
  /** The key's state without consuming; undefined when it has none. */
  peek(key: string): Promise<RateLimitDecision | undefined>;
  reset(key: string): Promise<void>;
  /** Refuse the key for `seconds` regardless of its count. */
  block(key: string, seconds: number): Promise<void>;
}

export interface RateLimits {
  limiter(rule: RateLimitRule): RateLimiter;
}
