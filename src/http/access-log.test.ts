import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { AccessLog } from './access-log.ts';
import { HttpMetrics } from './metrics.ts';

const request = (id: string, url: string) =>
  ({
    id,
    url,
    method: 'GET',
    ip: '127.0.0.1',
    routeOptions: { url: '/api/me', config: {} },
  }) as unknown as FastifyRequest;
const reply = { statusCode: 200, elapsedTime: 1.25 } as unknown as FastifyReply;

describe('access log (unit)', () => {
  const writes: string[] = [];
  const logger = pino({ level: 'info' }, { write: (chunk: string) => void writes.push(chunk) });
  const log = new AccessLog(
    logger,
    new HttpMetrics({
      poolStats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
      queueDepth: async () => [],
    }),
  );

  it('hands the lines of one turn over in one write, in order, as pino lines without the query', async () => {
    log.requestCompleted(null, request('r1', '/api/me?secret=1'), reply);
    log.requestCompleted(null, request('r2', '/api/me'), reply);
    assert.equal(writes.length, 0, 'not before the turn ends');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 1);
    const lines = (writes[0] ?? '')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((line) => [line.level, line.msg, line.reqId, line.url, line.status, line.ms]),
      [
        [30, 'request', 'r1', '/api/me', 200, 1.3],
        [30, 'request', 'r2', '/api/me', 200, 1.3],
      ],
    );
  });

  it('hands over at once on flush (the app flushes it on close)', () => {
    writes.length = 0;
    log.requestCompleted(null, request('r3', '/api/me'), reply);
    log.flush();
    assert.equal(writes.length, 1);
    assert.match(writes[0] ?? '', /"reqId":"r3"/);
  });
});
