import { redisUrl, createTestRedis } from '../../../test/support/test-redis.ts';
import { cacheContract } from './cache.contract.ts';
import { MemoryCache } from './memory.cache.ts';
import { RedisCache } from './redis.cache.ts';

cacheContract('in-process LRU', async () => {
  const cache = new MemoryCache();
  return { cache, close: () => cache.close() };
});

// The Redis adapter runs in the real-services pass (REDIS_URL set, as in CI's second run).
if (redisUrl) {
  const url = redisUrl;
  cacheContract('Redis', async () => {
    const testRedis = await createTestRedis(url);
    return { cache: new RedisCache(testRedis.redis), close: () => testRedis.cleanup() };
  });
}
