import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/platform/platform.ts';

export const redisUrl = process.env.REDIS_URL || undefined;

/** A Redis connection whose keys and channels live under a prefix of this test's own. */
export async function createTestRedis(
  url: string,
): Promise<{ redis: Redis; prefix: string; cleanup(): Promise<void> }> {
  const prefix = `marquee-test:${randomBytes(5).toString('hex')}:`;
  const redis = await createRedis(url, prefix);
  // Connection errors reach the commands that fail; fault tests stop Redis on purpose.
  redis.on('error', () => undefined);
  await redis.ping();
  return {
    redis,
    prefix,
    async cleanup() {
      // keyPrefix is not applied to SCAN's MATCH, nor to the keys it returns.
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
