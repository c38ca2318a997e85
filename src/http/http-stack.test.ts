import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildApp, type App } from '../app.ts';
import { LocalStorage } from '../platform/storage/local.storage.ts';
import { defineError } from '../shared/errors.ts';
import { createTestApp, testConfig, type TestContext } from '../../test/support/test-app.ts';

const Teapot = defineError('TEST_TEAPOT', 'conflict', 'The pot is busy');

// Probe routes are public and left out of the document (no operationId needed).
const probe = { config: { access: 'public' as const }, schema: { hide: true } };

/** Routes that exist only in this test, to attack the stack's conventions. */
const probeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/test/echo',
    {
      ...probe,
      schema: {
        hide: true,
        body: z.object({ name: z.string().min(1), age: z.number().int().positive(), email: z.email() }),
        response: { 200: z.object({ name: z.string() }) },
      },
    },
    (request) => ({ name: request.body.name }),
  );
  app.post(
    '/test/large',
    { ...probe, bodyLimit: 4 * 1024 * 1024, schema: { hide: true, body: z.object({ blob: z.string() }) } },
    (request) => ({
      length: request.body.blob.length,
    }),
  );
  app.get('/test/ip', probe, (request) => ({ ip: request.ip }));
  app.get('/test/domain-error', probe, () => {
    throw Teapot('Try again in a minute', { retryInSeconds: 60 });
  });
  app.get('/test/crash', probe, () => {
    throw new Error('secret internal detail at /srv/app.ts:42');
  });
  // What node-postgres throws while the database restarts, and a refused connection.
  app.get('/test/database-down', probe, () => {
    throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
  });
  app.get('/test/connection-refused', probe, () => {
    throw new Error('could not connect', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    });
  });
};

const isProblem = (
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
) => {
  assert.equal(response.statusCode, status);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(body.type, `urn:marquee:problem:${code.toLowerCase().replaceAll('_', '-')}`);
  assert.equal(typeof body.title, 'string');
  assert.equal(body.requestId, response.headers['x-request-id']);
  return body;
};

describe('HTTP stack', () => {
  let context: TestContext;
  let app: App;
  before(async () => {
    context = await createTestApp({ env: { TRUST_PROXY: '1', CORS_ORIGINS: 'https://tv.example' } });
    app = context.app;
    await app.register(probeRoutes);
  });
  after(() => context.close());

  it('answers /healthz and /readyz with every dependency up', async () => {
    const health = await app.inject('/healthz');
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    const ready = await app.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    const body = ready.json<{ status: string; checks: Record<string, { status: string }> }>();
    assert.equal(body.status, 'ready');
    assert.deepEqual(Object.keys(body.checks).sort(), ['cache', 'database', 'queue', 'storage']);
    assert.ok(Object.values(body.checks).every((check) => check.status === 'up'));
  });

  it('gives a request id to every response, keeping a sane one from the caller', async () => {
    const generated = await app.inject('/healthz');
    assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const kept = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'edge-7f3a.1' } });
    assert.equal(kept.headers['x-request-id'], 'edge-7f3a.1');
    const replaced = await app.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\u0007<script>' },
    });
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal((await app.inject('/nowhere')).headers['x-request-id'] !== undefined, true);
  });

  it("sends helmet's security headers, with a policy per kind of page", async () => {
    const api = await app.inject('/healthz');
    assert.equal(api.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
    assert.equal(api.headers['x-content-type-options'], 'nosniff');
    assert.equal(api.headers['referrer-policy'], 'no-referrer');
    assert.equal(api.headers['cross-origin-resource-policy'], 'same-site');
    assert.equal(api.headers['x-xss-protection'], undefined, 'no document-only headers on API responses');
    assert.equal(api.headers['x-powered-by'], undefined);
    assert.equal(api.headers['strict-transport-security'], undefined, 'HSTS only when PUBLIC_URL is https');
    const docs = await app.inject('/docs/');
    assert.match(String(docs.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(docs.headers['x-frame-options'], 'SAMEORIGIN', 'documents get the whole helmet set');
    assert.equal(docs.headers['cross-origin-opener-policy'], 'same-origin');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const body = isProblem(await app.inject('/api/no/such/thing?token=secret'), 404, 'ROUTE_NOT_FOUND');
    assert.equal(
      body.instance,
      '/api/no/such/thing',
      'the query string (which may hold tokens) is not echoed',
    );
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "Ana", ',
    });
    isProblem(response, 400, 'MALFORMED_JSON');
  });

  it('answers an empty JSON body with 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['content-type']), /problem\+json/);
  });

  it('answers a wrong content type with 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=Ana',
    });
    isProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a body over the 1 MiB default with 413, and lets a route allow more', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), age: 1, email: 'a@b.co' });
    isProblem(
      await app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': 'application/json' },
        payload: big,
      }),
      413,
      'BODY_TOO_LARGE',
    );
    const allowed = await app.inject({
      method: 'POST',
      url: '/test/large',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ blob: 'y'.repeat(3 * 1024 * 1024) }),
    });
    assert.equal(allowed.statusCode, 200);
  });

  it('lists every invalid field of a request', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { name: '', age: -3.5, email: 'not-an-email', extra: true },
    });
    const body = isProblem(response, 400, 'VALIDATION_FAILED');
    const errors = body.errors as Array<{ in: string; path: string; message: string }>;
    assert.deepEqual([...new Set(errors.map((error) => error.path))].sort(), ['/age', '/email', '/name']);
    assert.ok(errors.every((error) => error.in === 'body' && error.message.length > 0));
    assert.match(String(body.detail), /body\/email/);
  });

  it('renders a domain error with its code, status and extensions', async () => {
    const body = isProblem(await app.inject('/test/domain-error'), 409, 'TEST_TEAPOT');
    assert.equal(body.detail, 'Try again in a minute');
    assert.equal(body.retryInSeconds, 60);
  });

  it('hides an unexpected error behind an opaque 500', async () => {
    const response = await app.inject('/test/crash');
    const body = isProblem(response, 500, 'INTERNAL');
    assert.doesNotMatch(response.body, /secret internal detail|app\.ts|stack/);
    assert.equal(body.detail, undefined);
  });

  it('answers a missing dependency with 503 and Retry-After, not 500', async () => {
    for (const url of ['/test/database-down', '/test/connection-refused']) {
      const response = await app.inject(url);
      const body = isProblem(response, 503, 'DEPENDENCY_UNAVAILABLE');
      assert.ok(Number(response.headers['retry-after']) > 0);
      assert.doesNotMatch(JSON.stringify(body), /5432|administrator|ECONNREFUSED/);
    }
  });

  it('takes the client address from X-Forwarded-For only as far as TRUST_PROXY allows', async () => {
    const response = await app.inject({
      url: '/test/ip',
      remoteAddress: '10.0.0.2',
      headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' },
    });
    assert.equal(
      response.json<{ ip: string }>().ip,
      '198.51.100.7',
      'one trusted hop: the proxy nearest to us',
    );
  });

  it('answers CORS preflights only for allowed origins', async () => {
    const allowed = await app.inject({
      method: 'OPTIONS',
      url: '/healthz',
      headers: { origin: 'https://tv.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://tv.example');
    const refused = await app.inject({
      method: 'OPTIONS',
      url: '/healthz',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
  });

  it('serves a valid OpenAPI 3.1 document, and the docs UI', async () => {
    const response = await app.inject('/api/openapi.json');
    assert.equal(response.statusCode, 200);
    const document = response.json<{ openapi: string; paths: Record<string, unknown> }>();
    assert.equal(document.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(document);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.ok(document.paths['/healthz']);
    assert.ok(
      !Object.keys(document.paths).some((p) => p.startsWith('/docs')),
      'the UI is not part of the API',
    );
    const ui = await app.inject('/docs/');
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger-ui/);
    assert.equal((await app.inject('/docs/static/swagger-ui-bundle.js')).statusCode, 200);
  });

  it('exposes Prometheus metrics: latency by route and status, queue depth, pool', async () => {
    await app.inject('/healthz');
    const response = await app.inject('/metrics');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.match(
      response.body,
      /marquee_http_request_duration_seconds_bucket\{le="0.001",method="GET",route="\/healthz",status_code="200"\}/,
    );
    assert.match(
      response.body,
      /marquee_http_request_duration_seconds_count\{method="GET",route="\(unmatched\)",status_code="404"\}/,
    );
    assert.match(response.body, /marquee_queue_jobs\{queue="mail.send",state="queued"\} \d+/);
    assert.match(response.body, /marquee_db_pool_connections\{state="max"\} \d+/);
    assert.match(response.body, /marquee_process_cpu_seconds_total/);
  });

  it('reports not ready (503) naming the dependency that is down', async () => {
    const blocker = path.join(context.dataDir, 'not-a-directory');
    await writeFile(blocker, 'x');
    const broken = await buildApp({
      ...context.deps,
      storage: new LocalStorage(path.join(blocker, 'storage')),
    });
    try {
      const response = await broken.inject('/readyz');
      assert.equal(response.statusCode, 503);
      const body = response.json<{
        status: string;
        checks: Record<string, { status: string; error?: string }>;
      }>();
      assert.equal(body.status, 'not_ready');
      assert.equal(body.checks.storage?.status, 'down');
      assert.ok(body.checks.storage?.error);
      assert.equal(body.checks.database?.status, 'up');
    } finally {
      await broken.close();
    }
  });

  it('guards /metrics with METRICS_TOKEN when one is set', async () => {
    const token = 'a-long-metrics-token-1234';
    const guarded = await buildApp({
      ...context.deps,
      config: testConfig(context.dataDir, { METRICS_TOKEN: token }),
    });
    try {
      isProblem(await guarded.inject('/metrics'), 401, 'METRICS_TOKEN_REQUIRED');
      isProblem(
        await guarded.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } }),
        401,
        'METRICS_TOKEN_REQUIRED',
      );
      assert.equal(
        (await guarded.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })).statusCode,
        200,
      );
    } finally {
      await guarded.close();
    }
  });

  it('does not shed its first requests for the lag of its own boot', async () => {
    const booting = await buildApp({
      ...context.deps,
      config: testConfig(context.dataDir, { PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '20' }),
    });
    try {
      const address = await booting.listen({ port: 0, host: '127.0.0.1' });
      // A boot that blocks the loop (migrations, first compiles) just before serving.
      const stop = Date.now() + 1200;
      while (Date.now() < stop) {
        /* busy */
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      const response = await fetch(`${address}/api/openapi.json`);
      assert.equal(response.status, 200, await response.text());
    } finally {
      await booting.close();
    }
  });

  it('sheds load with 503 OVERLOADED and Retry-After when the event loop lags', async () => {
    const shedding = await buildApp({
      ...context.deps,
      config: testConfig(context.dataDir, {
        PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '20',
        PRESSURE_RETRY_AFTER_SECONDS: '7',
      }),
    });
    try {
      await shedding.ready();
      // Block the loop in slices so the sampler (every second) sees a long delay.
      const until = Date.now() + 2500;
      let response;
      while (Date.now() < until) {
        const stop = Date.now() + 150;
        while (Date.now() < stop) {
          /* busy */
        }
        await new Promise((resolve) => setImmediate(resolve));
        response = await shedding.inject('/api/openapi.json');
        if (response.statusCode === 503 && response.headers['retry-after']) break;
      }
      assert.ok(response);
      const body = isProblem(response, 503, 'OVERLOADED');
      assert.equal(response.headers['retry-after'], '7');
      assert.ok(body);
      assert.equal((await shedding.inject('/healthz')).statusCode, 200, 'liveness is never shed');
    } finally {
      await shedding.close();
    }
  });
});
