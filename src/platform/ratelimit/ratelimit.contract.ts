import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimits } from './ratelimit.port.ts';

/** What every RateLimits adapter must do. */
export function rateLimitsContract(
  name: string,
  open: () => Promise<{ limits: RateLimits; close(): Promise<void> }>,
): void {
  describe(`RateLimits contract: ${name}`, () => {
    let limits: RateLimits;
    let close: () => Promise<void>;
    before(async () => {
      ({ limits, close } = await open());
    });
    after(() => close());

    it('allows N per window, then refuses with the time to wait', async () => {
      const limiter = limits.limiter({ name: `n-${randomUUID()}`, points: 3, durationSeconds: 60 });
      const results = [];
      for (let i = 0; i < 4; i += 1) results.push(await limiter.consume('ip:1'));
      assert.deepEqual(
        results.map((r) => r.allowed),
        [true, true, true, false],
      );
      assert.deepEqual(
        results.map((r) => r.remaining),
        [2, 1, 0, 0],
      );
      assert.ok((results[3]?.retryAfterMs ?? 0) > 50_000);
      assert.equal((await limiter.consume('ip:2')).allowed, true, 'keys are independent');
    });

    it('counts concurrent requests exactly', async () => {
      const limiter = limits.limiter({ name: `c-${randomUUID()}`, points: 10, durationSeconds: 60 });
      const results = await Promise.all(Array.from({ length: 25 }, () => limiter.consume('k')));
      assert.equal(results.filter((r) => r.allowed).length, 10);
    });

    it('opens again when the window ends', async () => {
      const limiter = limits.limiter({ name: `w-${randomUUID()}`, points: 1, durationSeconds: 1 });
      assert.equal((await limiter.consume('k')).allowed, true);
      assert.equal((await limiter.consume('k')).allowed, false);
      await sleep(1100);
      assert.equal((await limiter.consume('k')).allowed, true);
    });

    it('blocks for blockSeconds once exceeded, and can block, peek and reset a key', async () => {
      const limiter = limits.limiter({
        name: `b-${randomUUID()}`,
        points: 1,
        durationSeconds: 1,
        blockSeconds: 30,
      });
      await limiter.consume('k');
      const refused = await limiter.consume('k');
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterMs > 20_000, `blocked for ${refused.retryAfterMs} ms`);
      await limiter.reset('k');
      assert.equal(await limiter.peek('k'), undefined);
      assert.equal((await limiter.consume('k')).allowed, true);
      await limiter.block('other', 10);
      const blocked = await limiter.consume('other');
      assert.equal(blocked.allowed, false);
      assert.ok(blocked.retryAfterMs > 5000);
      assert.equal((await limiter.peek('other'))?.allowed, false);
    });
  });
}
