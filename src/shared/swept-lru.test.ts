import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SweptLRUCache } from './swept-lru.ts';

test('expired entries are swept by later writes, not kept until the size bound pushes them out', () => {
  let now = 1; // lru-cache takes a start time of 0 as "no TTL"
  const cache = new SweptLRUCache<string, string>({
    max: 10_000,
    ttl: 1_000,
    ttlResolution: 0,
    perf: { now: () => now },
  });
  for (let index = 0; index < 900; index++) cache.set(`old-${index}`, 'value');
  assert.equal(cache.size, 900);
  now = 2_001; // every old entry is past its TTL
  for (let index = 0; index < 200; index++) cache.set(`new-${index}`, 'value');
  // The thousandth write swept the 900 stale entries; the 200 fresh ones remain.
  assert.equal(cache.size, 200);
  assert.equal(cache.has('old-0'), false);
  assert.equal(cache.get('new-199'), 'value');
});

test('fresh entries survive a sweep', () => {
  const cache = new SweptLRUCache<string, number>({ max: 10_000, ttl: 60_000 });
  for (let index = 0; index < 2_500; index++) cache.set(`key-${index}`, index);
  assert.equal(cache.size, 2_500);
});
