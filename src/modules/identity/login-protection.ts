import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimiter, RateLimits } from '../../platform/ratelimit/ratelimit.port.ts';
import { TooManyAttempts } from './identity.errors.ts';

export interface LoginProtectionOptions {
  rateLimits: RateLimits;
  /** Requests per minute per client address on sign-in, sign-up, refresh and reset endpoints. */
  perIpPerMinute: number;
  /** Consecutive failures for one account from one address before it pauses there. */
  lockoutAfterFailures: number;
  lockoutMaxSeconds: number;
}

const FAILURE_WINDOW_SECONDS = 24 * 3600;
const FIRST_PAUSE_SECONDS = 30;
/** Failures for one account across all addresses (15 min) above which each attempt is slowed. */
const SLOWDOWN_AFTER = 20;
/** Reset mails per account per hour, however many addresses ask: no flooding a victim's inbox. */
const RESET_MAILS_PER_HOUR = 3;

/**
 * Defences against guessing and credential stuffing (OWASP Authentication Cheat Sheet):
 *
 * 1. Every address has a budget of auth requests per minute.
 * 2. Consecutive failures for one account *from one address* pause that pair: 30 s the first
 *    time, doubling with each further pause that day, up to a maximum. Keyed by address, so an attacker elsewhere cannot lock
 *    the owner out; bounded, so nobody is locked out for ever; reset by a success.
 * 3. Many failures for one account from many addresses (a distributed attack) don't lock
 *    anything: they slow each further attempt on that account by up to 2.5 s.
 */
export class LoginProtection {
  readonly #perIp: RateLimiter;
  readonly #failuresByAccountAndIp: RateLimiter;
  readonly #pausesByAccountAndIp: RateLimiter;
  readonly #failuresByAccount: RateLimiter;
  readonly #resetMailsByAccount: RateLimiter;
  readonly #options: LoginProtectionOptions;

  constructor(options: LoginProtectionOptions) {
    this.#options = options;
    this.#perIp = options.rateLimits.limiter({
      name: 'auth-ip',
      points: options.perIpPerMinute,
      durationSeconds: 60,
    });
    this.#failuresByAccountAndIp = options.rateLimits.limiter({
      name: 'login-fail-account-ip',
      points: options.lockoutAfterFailures,
      durationSeconds: FAILURE_WINDOW_SECONDS,
    });
    // How many pauses the pair has had today: each one lasts twice as long as the last.
    this.#pausesByAccountAndIp = options.rateLimits.limiter({
      name: 'login-pause-account-ip',
      points: 1_000_000,
      durationSeconds: FAILURE_WINDOW_SECONDS,
    });
    this.#failuresByAccount = options.rateLimits.limiter({
      name: 'login-fail-account',
      points: 1_000_000,
      durationSeconds: 15 * 60,
    });
    this.#resetMailsByAccount = options.rateLimits.limiter({
      name: 'reset-mail-account',
      points: RESET_MAILS_PER_HOUR,
      durationSeconds: 3600,
    });
  }

  /** Whether one more password-reset mail may go to this account this hour (whoever asks). */
  async allowResetMail(userId: string): Promise<boolean> {
    return (await this.#resetMailsByAccount.consume(userId)).allowed;
  }

  /** Spends one of the address's auth requests; refuses when its budget for the minute is gone. */
  async admitRequest(ip: string): Promise<void> {
    const decision = await this.#perIp.consume(ip);
    if (!decision.allowed) throw tooMany(decision.retryAfterMs);
  }

  /** Before checking a password: refuse while this account is paused for this address; slow down a hot account. */
  async beforeAttempt(account: string, ip: string): Promise<void> {
    const pair = await this.#failuresByAccountAndIp.peek(pairKey(account, ip));
    if (pair && !pair.allowed) throw tooMany(pair.retryAfterMs);
    const overall = await this.#failuresByAccount.peek(account);
    if (overall && overall.consumed > SLOWDOWN_AFTER) {
      await sleep(Math.min(overall.consumed - SLOWDOWN_AFTER, 5) * 500);
    }
  }

  /** After a failed attempt: count it, and pause the pair once over the threshold. Returns the pause in seconds (0: none). */
  async failed(account: string, ip: string): Promise<number> {
    const key = pairKey(account, ip);
    const [pair] = await Promise.all([
      this.#failuresByAccountAndIp.consume(key),
      this.#failuresByAccount.consume(account),
    ]);
    if (pair.consumed < this.#options.lockoutAfterFailures) return 0;
    // The pause replaces the count: after it, the pair gets the same number of tries again.
    const pauses = await this.#pausesByAccountAndIp.consume(key);
    const seconds = Math.min(
      FIRST_PAUSE_SECONDS * 2 ** Math.min(pauses.consumed - 1, 20),
      this.#options.lockoutMaxSeconds,
    );
    await this.#failuresByAccountAndIp.block(key, seconds);
    return seconds;
  }

  async succeeded(account: string, ip: string): Promise<void> {
    const key = pairKey(account, ip);
    await Promise.all([this.#failuresByAccountAndIp.reset(key), this.#pausesByAccountAndIp.reset(key)]);
  }
}

const pairKey = (account: string, ip: string) => `${account}|${ip}`;

function tooMany(retryAfterMs: number) {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return TooManyAttempts(`Too many attempts; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}
