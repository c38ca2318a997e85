import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cached, type Cache } from './cache.port.ts';

/** What every Cache adapter must do. Run against the in-process LRU and against Redis. */
export function cacheContract(
  name: string,
  open: () => Promise<{ cache: Cache; close(): Promise<void> }>,
): void {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;
    let close: () => Promise<void>;
    before(async () => {
      ({ cache, close } = await open());
    });
    after(() => close());

    it('stores and returns JSON values, and misses as undefined', async () => {
      await cache.set('a', { title: 'Interstellar', year: 2014, tags: ['space'] }, 10_000);
      assert.deepEqual(await cache.get('a'), { title: 'Interstellar', year: 2014, tags: ['space'] });
      assert.equal(await cache.get('missing'), undefined);
      await cache.set('null', null, 10_000);
      assert.equal(await cache.get('null'), null);
    });

    it('keeps JSON semantics on every adapter: a Date comes back as its ISO string', async () => {
      await cache.set('date', { at: new Date('2026-01-02T03:04:05.000Z') }, 10_000);
      assert.deepEqual(await cache.get('date'), { at: '2026-01-02T03:04:05.000Z' });
    });

    it('hands back frozen values: nobody can change what the cache holds', async () => {
      const stored = { n: 1, inner: { list: [1, 2] } };
      await cache.set('copy', stored, 10_000);
      stored.n = 99; // changing what was given doesn't reach the cache either
      const first = await cache.get<typeof stored>('copy');
      assert.ok(first);
      assert.throws(() => {
        first.n = 2;
      }, TypeError);
      assert.throws(() => first.inner.list.push(3), TypeError);
      assert.deepEqual(await cache.get('copy'), { n: 1, inner: { list: [1, 2] } });
    });

    it('expires entries after their TTL', async () => {
      await cache.set('short', 'x', 40);
      assert.equal(await cache.get('short'), 'x');
      await sleep(120);
      assert.equal(await cache.get('short'), undefined);
    });

    it('deletes one or many keys', async () => {
      await cache.set('d1', 1, 10_000);
      await cache.set('d2', 2, 10_000);
      await cache.delete('d1', 'd2', 'never-there');
      assert.equal(await cache.get('d1'), undefined);
      assert.equal(await cache.get('d2'), undefined);
      await cache.delete();
    });

    it('increments counters atomically, keeping or setting a TTL', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => cache.increment('counter')));
      assert.deepEqual(
        [...results].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      assert.equal(await cache.increment('counter', { by: 5 }), 25);
      assert.equal(await cache.increment('windowed', { ttlMs: 50 }), 1);
      assert.equal(await cache.increment('windowed', { ttlMs: 50 }), 2);
      await sleep(120);
      assert.equal(await cache.increment('windowed', { ttlMs: 50 }), 1);
    });

    it('sets only when absent', async () => {
      assert.equal(await cache.setIfAbsent('lock', 'me', 10_000), true);
      assert.equal(await cache.setIfAbsent('lock', 'you', 10_000), false);
      assert.equal(await cache.get('lock'), 'me');
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () => cache.setIfAbsent('race', 1, 10_000)),
      );
      assert.equal(outcomes.filter(Boolean).length, 1);
    });

    it('reads through with cached(), computing once', async () => {
      let computed = 0;
      const compute = async () => {
        computed += 1;
        return { value: 42 };
      };
      assert.deepEqual(await cached(cache, 'rt', 10_000, compute), { value: 42 });
      assert.deepEqual(await cached(cache, 'rt', 10_000, compute), { value: 42 });
      assert.equal(computed, 1);
    });

    it('answers ping', async () => {
      await cache.ping();
    });
  });
}
