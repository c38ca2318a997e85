import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/**
 * Attacks every endpoint the OpenAPI document lists (PeerTube's "check-params" idea, driven by
 * the document so a new route is covered the day it is added):
 *  - a secured endpoint answers 401 to an anonymous caller;
 *  - no endpoint answers a malformed request with a 5xx, whoever calls it;
 *  - every 4xx is a problem+json with a code.
 */
interface Operation {
  method: string;
  path: string;
  secured: boolean;
}

const garbageBodies: unknown[] = [
  {},
  { x: 1 },
  [],
  'not json at all',
  { email: { $ne: null }, password: { $gt: '' } },
  { id: "1' OR '1'='1", name: '<script>alert(1)</script>', limit: -1 },
  { name: 'x'.repeat(20_000) },
];
const garbageIds = ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '..%2F..%2Fetc%2Fpasswd', "1'--"];

describe('every endpoint, attacked', () => {
  let context: TestContext;
  let admin: SignedIn;
  let operations: Operation[];
  before(async () => {
    context = await createTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '100000' } });
    admin = await signInWithRoles(context, ['admin']);
    const document = (await context.app.inject('/api/openapi.json')).json<{
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    }>();
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        secured: (operation.security?.length ?? 0) > 0,
      })),
    );
  });
  after(() => context.close());

  const fill = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id);
  const assertProblem = (
    response: { statusCode: number; headers: Record<string, unknown>; body: string },
    label: string,
  ) => {
    assert.ok(response.statusCode < 500, `${label} → ${response.statusCode} ${response.body.slice(0, 300)}`);
    if (response.statusCode >= 400) {
      assert.match(String(response.headers['content-type']), /application\/problem\+json/, label);
      assert.ok((JSON.parse(response.body) as { code?: string }).code, label);
    }
  };

  it('finds the API in the document', () => {
    assert.ok(operations.length > 20, `${operations.length} operations`);
    assert.ok(operations.filter((operation) => operation.secured).length > 10);
  });

  it('answers 401 to anonymous callers on every secured endpoint', async () => {
    for (const operation of operations.filter((op) => op.secured)) {
      const response = await context.app.inject({
        method: operation.method as 'GET',
        url: fill(operation.path, garbageIds[0] as string),
        ...(operation.method !== 'GET' && operation.method !== 'DELETE' && { payload: {} }),
      });
      assert.equal(response.statusCode, 401, `${operation.method} ${operation.path}`);
      assertProblem(response, `${operation.method} ${operation.path}`);
    }
  });

  it('never answers malformed input with a 5xx, even to an admin', async () => {
    for (const operation of operations) {
      // Signing out or rotating credentials mid-sweep would end the admin's session; tested elsewhere.
      if (/logout|\/password$|oidc\/.*\/start/.test(operation.path)) continue;
      for (const id of garbageIds) {
        const url = fill(operation.path, encodeURIComponent(id));
        if (operation.method === 'GET' || operation.method === 'DELETE') {
          for (const query of ['', '?limit=abc&cursor=%00%ff', `?q=${'%'.repeat(300)}`]) {
            const response = await context.app.inject({
              method: operation.method as 'GET',
              url: `${url}${query}`,
              headers: admin.headers,
            });
            assertProblem(response, `${operation.method} ${url}${query}`);
          }
          continue;
        }
        for (const body of garbageBodies) {
          const response = await context.app.inject({
            method: operation.method as 'POST',
            url,
            headers: { ...admin.headers, 'content-type': 'application/json' },
            payload: typeof body === 'string' ? body : JSON.stringify(body),
          });
          assertProblem(response, `${operation.method} ${url} ${JSON.stringify(body).slice(0, 60)}`);
        }
      }
    }
  });
});
