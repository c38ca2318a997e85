import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { scratchDir } from '../support/media-clips.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';
import { openApiDocumentOf } from '../support/openapi-document.ts';
import {
  assertProblem,
  fill,
  isReadOnly,
  operationsOf,
  type Document,
  type JsonSchema,
  type Operation,
  type Response,
} from '../support/openapi-operations.ts';

/**
 * Attacks every endpoint the OpenAPI document lists (PeerTube's "check-params" idea, driven by
 * the document so a new route is covered the day it is added):
 *  - the committed docs/openapi.json is what the code generates, and every operation has a
 *    stable operationId and a declared access;
 *  - every string an endpoint accepts refuses control characters (one shared zod type);
 *  - anonymous callers get 401 wherever credentials are needed;
 *  - a viewer gets 403 on every operation that needs a permission;
 *  - a second account using the first's ids gets none of the first's data and changes nothing;
 *  - no endpoint answers a malformed request with a 5xx, whoever calls it;
 *  - every 4xx is a problem+json with a code.
 */
const garbageBodies: unknown[] = [
  {},
  { x: 1 },
  [],
  'not json at all',
  { email: { $ne: null }, password: { $gt: '' } },
  { id: "1' OR '1'='1", name: '<script>alert(1)</script>', limit: -1 },
  { name: 'x'.repeat(20_000) },
  { name: 'a\u0000b', title: 'a\u0000b', q: 'a\u0000', avatar: '\u0000', pin: '\u0000' },
];
// The last is longer than the router's maxParamLength (found by the fuzz walk: it answered plain JSON).
const garbageIds = [
  '00000000-0000-4000-8000-000000000000',
  'not-a-uuid',
  '..%2F..%2Fetc%2Fpasswd',
  "1'--",
  'x'.repeat(300),
];
// Bodies another account might try against the first's ids: plausible enough to pass validation.
const hijackBodies: unknown[] = [
  {},
  { name: 'pwned' },
  { positionSeconds: 1 },
  { maturityLimit: 21, isKids: false, pin: null },
];
// Query strings every GET is also tried with.
const garbageQueries = ['', '?limit=abc&cursor=%00%ff', `?q=${'%'.repeat(300)}`, '?q=a%00&genre=a%00'];

/**
 * Input strings that don't refuse control characters yet, by operationId. The consolidation
 * moves each module's inputs to the shared types in src/shared/schemas.ts; this list only shrinks.
 */
const untypedStringsAllowedIn = new Set<string>([]);

/** Every string schema reachable from a schema, with where it is. */
function stringsIn(schema: JsonSchema, document: Document, where: string, seen = new Set<string>()) {
  const found: Array<{ where: string; schema: JsonSchema }> = [];
  const walk = (node: JsonSchema | undefined, at: string) => {
    if (!node) return;
    if (node.$ref) {
      if (seen.has(node.$ref)) return;
      seen.add(node.$ref);
      walk(document.components.schemas?.[node.$ref.split('/').pop() ?? ''], at);
      return;
    }
    const types = [node.type ?? []].flat();
    if (types.includes('string')) found.push({ where: at, schema: node });
    for (const [name, property] of Object.entries(node.properties ?? {})) walk(property, `${at}.${name}`);
    walk(node.items, `${at}[]`);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${at}.*`);
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])])
      walk(branch, at);
  };
  walk(schema, where);
  return found;
}

/** A string schema that cannot carry a control character: an enum, a constant, or a pattern refusing NUL. */
function refusesControlCharacters(schema: JsonSchema): boolean {
  if (schema.enum || schema.const !== undefined) return true;
  if (!schema.pattern) return false;
  const pattern = new RegExp(schema.pattern, 'u');
  return !pattern.test('a\u0000b') && !pattern.test('\u0000');
}

/** Every UUID in a JSON answer. */
const uuidsIn = (body: string): string[] =>
  body.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];

describe('every endpoint, attacked', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let document: Document;
  let operations: Operation[];
  let admin: SignedIn;
  let viewer: SignedIn;
  let first: SignedIn;
  let second: SignedIn;
  let secondToken: string;
  let movieId: string;
  /** What the first account can read about itself, from every `user` list endpoint. */
  let firstsView: () => Promise<Map<string, string>>;

  const inject = (options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: unknown;
  }): Promise<Response> =>
    h.context.app.inject({
      method: options.method as 'GET',
      url: options.url,
      headers: {
        ...options.headers,
        ...(options.payload !== undefined && { 'content-type': 'application/json' }),
      },
      ...(options.payload !== undefined && {
        payload: typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload),
      }),
    });

  before(async () => {
    h = await harness(undefined, { AUTH_RATE_LIMIT_PER_MINUTE: '100000' });
    scratch = await scratchDir();
    ({ movieId } = await publishedClip(h, { title: 'Sweep clip', dir: scratch.dir, seconds: 2 }));
    const { app, deps } = h.context;
    admin = h.admin;
    viewer = await signInWithRoles(h.context, ['viewer']);
    first = await registerViewer(app, { name: 'First Account' });
    second = await registerViewer(app, { name: 'Second Account' });
    await deps.database.db
      .updateTable('users')
      .set({ planId: 'basic' })
      .where('id', 'in', [first.userId, second.userId])
      .execute();
    document = JSON.parse(await openApiDocumentOf(h.context)) as Document;
    operations = operationsOf(document);

    // The first account owns one of each kind of thing: a second profile, a stream, a download
    // device and a download (besides its sign-in session and default profile).
    const made = [
      await inject({
        method: 'POST',
        url: '/api/profiles',
        headers: first.headers,
        payload: { name: 'Kid', isKids: true },
      }),
      await inject({ method: 'POST', url: `/api/playback/${movieId}`, headers: first.headers, payload: {} }),
    ];
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const device = await inject({
      method: 'POST',
      url: '/api/downloads/devices',
      headers: first.headers,
      payload: { name: 'First phone', publicKey: publicKey.export({ format: 'jwk' }) },
    });
    made.push(
      device,
      await inject({
        method: 'POST',
        url: `/api/downloads/${movieId}`,
        headers: first.headers,
        payload: { deviceId: (JSON.parse(device.body) as { id: string }).id },
      }),
    );
    for (const response of made) assert.ok(response.statusCode < 300, response.body);
    const secondStream = await inject({
      method: 'POST',
      url: `/api/playback/${movieId}`,
      headers: second.headers,
      payload: {},
    });
    assert.equal(secondStream.statusCode, 201, secondStream.body);
    secondToken = (JSON.parse(secondStream.body) as { token: string }).token;

    firstsView = async () => {
      const views = new Map<string, string>();
      for (const operation of operations) {
        if (operation.method !== 'GET' || operation.access !== 'user' || operation.path.includes('{'))
          continue;
        const response = await inject({ method: 'GET', url: operation.path, headers: first.headers });
        // A refusal (a required query left out, e.g. /api/ads/vmap) is no view of the account's data.
        if (response.statusCode >= 400) continue;
        views.set(operation.path, response.body);
      }
      return views;
    };
  });
  after(async () => {
    await h.close();
    await scratch.remove();
  });

  it('is described by the committed docs/openapi.json', async () => {
    const committed = await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    assert.ok(
      committed === (await openApiDocumentOf(h.context)),
      'docs/openapi.json is stale: run `npm run docs:openapi` and review the diff',
    );
  });

  it('gives every operation a unique operationId, a summary and a declared access', () => {
    assert.ok(operations.length > 80, `${operations.length} operations`);
    const ids = new Set<string>();
    for (const operation of operations) {
      const label = `${operation.method} ${operation.path}`;
      assert.match(operation.operationId ?? '', /^[a-z][A-Za-z0-9]+$/, `${label}: operationId`);
      assert.ok(!ids.has(operation.operationId as string), `${label}: operationId used twice`);
      ids.add(operation.operationId as string);
      assert.ok(operation.summary, `${label}: summary`);
      assert.match(operation.access ?? '', /^(public|optional|user|permission:.+|credential:.+)$/, label);
    }
  });

  it('refuses control characters in every string input', () => {
    const offenders: string[] = [];
    for (const operation of operations) {
      if (untypedStringsAllowedIn.has(operation.operationId ?? '')) continue;
      const inputs = [
        ...operation.parameters.flatMap((parameter) =>
          stringsIn(parameter.schema, document, `${parameter.in}.${parameter.name}`),
        ),
        ...(operation.body ? stringsIn(operation.body, document, 'body') : []),
      ];
      for (const input of inputs) {
        if (!refusesControlCharacters(input.schema))
          offenders.push(`${operation.operationId}: ${input.where}`);
      }
    }
    assert.deepEqual(
      offenders,
      [],
      'use text(), multilineText() or opaqueToken() from src/shared/schemas.ts',
    );
  });

  it('answers 401 to anonymous callers wherever credentials are needed', async () => {
    for (const operation of operations) {
      if (operation.access === 'public' || operation.access === 'optional') continue;
      const label = `${operation.method} ${operation.path}`;
      const response = await inject({
        method: operation.method,
        url: fill(operation.path, garbageIds[0] as string),
        ...(!isReadOnly(operation.method) && { payload: {} }),
      });
      assert.equal(response.statusCode, 401, `${label} → ${response.statusCode}`);
      assertProblem(response, label);
    }
  });

  it('answers 403 to a viewer on every operation that needs a permission', async () => {
    const guarded = operations.filter((operation) => operation.access?.startsWith('permission:'));
    assert.ok(guarded.length > 30, `${guarded.length} permission-guarded operations`);
    for (const operation of guarded) {
      const label = `${operation.method} ${operation.path}`;
      const response = await inject({
        method: operation.method,
        url: fill(operation.path, garbageIds[0] as string),
        headers: viewer.headers,
        ...(!isReadOnly(operation.method) && { payload: {} }),
      });
      assert.equal(response.statusCode, 403, `${label} → ${response.statusCode}`);
      assertProblem(response, label);
    }
  });

  it("never gives a second account the first's data, nor lets it change anything", async () => {
    const before = await firstsView();
    const publicIds = new Set([movieId, second.userId, second.sessionId]);
    const firstsIds = new Set(
      [...before.values(), first.userId, first.sessionId].flatMap((body) =>
        body.length === 36 ? [body] : uuidsIn(body),
      ),
    );
    for (const id of publicIds) firstsIds.delete(id);
    assert.ok(firstsIds.size >= 6, `the first account's ids: ${[...firstsIds].join(' ')}`);
    const secrets = [first.email, 'First Account', 'First phone', 'Kid'];

    let tried = 0;
    for (const operation of operations.filter((op) => op.path.includes('{') && op.access !== 'public')) {
      for (const id of firstsIds) {
        const url = fill(operation.path, id);
        const query = operation.access === 'credential:playbackToken' ? `?token=${secondToken}` : '';
        for (const payload of isReadOnly(operation.method) ? [undefined] : hijackBodies) {
          const label = `${operation.method} ${url} ${JSON.stringify(payload) ?? ''}`;
          const response = await inject({
            method: operation.method,
            url: `${url}${query}`,
            headers: second.headers,
            payload,
          });
          tried++;
          assertProblem(response, label);
          assert.ok(
            response.statusCode >= 400,
            `${label} → ${response.statusCode} ${response.body.slice(0, 200)}`,
          );
          const leaked = [...secrets, ...[...firstsIds].filter((other) => other !== id)].filter((secret) =>
            response.body.includes(secret),
          );
          assert.deepEqual(leaked, [], `${label} leaked the first account's data`);
        }
      }
    }
    assert.ok(tried > 100, `${tried} requests`);
    const afterwards = await firstsView();
    for (const [path, body] of before) {
      assert.equal(afterwards.get(path), body, `the first account's ${path} changed`);
    }
  });

  it('never answers malformed input with a 5xx, even to an admin', async () => {
    for (const operation of operations) {
      // Signing out or rotating credentials mid-sweep would end the admin's session; tested elsewhere.
      if (/logout|\/password$|oidc\/.*\/start/.test(operation.path)) continue;
      for (const id of garbageIds) {
        const url = fill(operation.path, encodeURIComponent(id));
        if (isReadOnly(operation.method)) {
          for (const query of garbageQueries) {
            if (query.includes('%00') && untypedStringsAllowedIn.has(operation.operationId ?? '')) continue;
            const response = await inject({
              method: operation.method,
              url: `${url}${query}`,
              headers: admin.headers,
            });
            assertProblem(response, `${operation.method} ${url}${query}`);
          }
          continue;
        }
        for (const body of garbageBodies) {
          if (
            JSON.stringify(body).includes('\\u0000') &&
            untypedStringsAllowedIn.has(operation.operationId ?? '')
          )
            continue;
          const response = await inject({
            method: operation.method,
            url,
            headers: admin.headers,
            payload: body,
          });
          assertProblem(response, `${operation.method} ${url} ${JSON.stringify(body).slice(0, 60)}`);
        }
      }
    }
  });
});
