import { createTestRedis, redisUrl } from '../../../test/support/test-redis.ts';
import { MemoryPubSub } from './memory.pubsub.ts';
import { pubsubContract } from './pubsub.contract.ts';
import { RedisPubSub } from './redis.pubsub.ts';

pubsubContract('in-process', async () => {
  const bus = new MemoryPubSub();
  return { a: bus, b: bus, close: () => bus.close() };
});

if (redisUrl) {
  const url = redisUrl;
  pubsubContract('Redis', async () => {
    const first = await createTestRedis(url);
    const a = new RedisPubSub(first.redis, first.prefix);
    const secondConnection = first.redis.duplicate();
    const b = new RedisPubSub(secondConnection, first.prefix);
    return {
      a,
      b,
      async close() {
        await Promise.all([a.close(), b.close()]);
        await secondConnection.quit();
        await first.cleanup();
      },
    };
  });
}
