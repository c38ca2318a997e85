import { createTestRedis, redisUrl } from '../../../test/support/test-redis.ts';
import { FlexibleRateLimits } from './flexible.ratelimit.ts';
import { rateLimitsContract } from './ratelimit.contract.ts';

rateLimitsContract('in-process', async () => ({ limits: new FlexibleRateLimits(), close: async () => {} }));

if (redisUrl) {
  const url = redisUrl;
  rateLimitsContract('Redis', async () => {
    const testRedis = await createTestRedis(url);
    return { limits: new FlexibleRateLimits({ redis: testRedis.redis }), close: () => testRedis.cleanup() };
  });
}
