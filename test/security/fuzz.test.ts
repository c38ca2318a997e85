import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { catalogMaker } from '../support/engagement-catalog.ts';
import {
  assertProblem,
  operationsOf,
  type Document,
  type JsonSchema,
  type Operation,
} from '../support/openapi-operations.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/**
 * A property-based walk over the OpenAPI document (fast-check): for every operation, requests
 * built from its own schemas — mostly shaped like valid input, with boundary numbers, odd
 * Unicode, over-long strings, real ids of things that exist, other callers' ids and arbitrary
 * JSON — sent as an admin (who reaches the deepest code), a viewer and nobody. Whatever arrives,
 * the answer is never a 5xx, and every 4xx is a problem+json with a code and no stack trace.
 * The endpoint sweep (endpoints.test.ts) tries fixed attacks; this one looks for the inputs
 * nobody thought of. A failure prints the seed and the shrunk request: `FUZZ_SEED=… npm test`
 * replays it. `FUZZ_RUNS` sets requests per operation (default 12).
 */
const runsPerOperation = Number(process.env.FUZZ_RUNS ?? 12);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const oddStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202e',
  '😀',
  'ｆｕｌｌ',
  '../../etc/passwd',
  "' or 1=1 --",
  '%00',
  '<script>',
  '-1',
  '1e309',
  'null',
];

function resolve(schema: JsonSchema, document: Document): JsonSchema {
  let node = schema;
  for (let hops = 0; node.$ref && hops < 10; hops++)
    node = document.components.schemas?.[node.$ref.split('/').pop() ?? ''] ?? {};
  return node;
}

/** Values for one schema: usually of its shape, sometimes just outside it. */
function arbitraryFor(
  schema: JsonSchema,
  context: { document: Document; ids: () => string[]; depth: number },
): fc.Arbitrary<unknown> {
  const node = resolve(schema, context.document);
  const deeper = { ...context, depth: context.depth + 1 };
  if (context.depth > 6) return fc.constant(null);
  if (node.enum) return fc.oneof(fc.constantFrom(...node.enum), fc.string({ maxLength: 8 }));
  if (node.const !== undefined) return fc.constant(node.const);
  const branches = [...(node.anyOf ?? []), ...(node.oneOf ?? [])];
  if (branches.length > 0) return fc.oneof(...branches.map((branch) => arbitraryFor(branch, deeper)));
  if (node.allOf?.length) return arbitraryFor(node.allOf[0] as JsonSchema, deeper);
  const type = [node.type ?? 'object'].flat()[0];
  switch (type) {
    case 'string':
      return stringFor(node, context.ids);
    case 'integer':
    case 'number': {
      const min = node.minimum ?? node.exclusiveMinimum ?? -1e6;
      const max = node.maximum ?? node.exclusiveMaximum ?? 1e6;
      const inRange =
        type === 'integer'
          ? fc.integer({
              min: Math.ceil(Math.max(min, -(2 ** 31))),
              max: Math.floor(Math.min(max, 2 ** 31 - 1)),
            })
          : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      return fc.oneof(
        { weight: 4, arbitrary: inRange },
        fc.constantFrom(min - 1, max + 1, 0, -1, 0.5, Number.MAX_SAFE_INTEGER, 1e308),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(node.items ? arbitraryFor(node.items, deeper) : fc.jsonValue(), {
        maxLength: Math.min(node.maxItems ?? 4, 4) + 1,
      });
    default: {
      const properties = Object.entries(node.properties ?? {});
      if (properties.length === 0)
        return fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue(), { maxKeys: 3 });
      const shape = Object.fromEntries(
        properties.map(([name, property]) => [name, arbitraryFor(property, deeper)]),
      );
      // Required fields mostly present; now and then one goes missing.
      const required = node.required ?? [];
      return fc
        .record(shape, { requiredKeys: [] })
        .chain((value) =>
          fc
            .constantFrom(...required, undefined)
            .map((dropped) =>
              Object.fromEntries(
                Object.entries({ ...value, ...fillRequired(value, required, shape) }).filter(
                  ([name]) => name !== dropped,
                ),
              ),
            ),
        );
    }
  }
}

/** Required properties the generated record left out, filled with a fixed sample of their own kind. */
function fillRequired(
  value: Record<string, unknown>,
  required: string[],
  shape: Record<string, fc.Arbitrary<unknown>>,
) {
  const filled: Record<string, unknown> = {};
  for (const name of required)
    if (!(name in value) && shape[name]) filled[name] = fc.sample(shape[name], { numRuns: 1, seed })[0];
  return filled;
}

function stringFor(node: JsonSchema, ids: () => string[]): fc.Arbitrary<unknown> {
  const maxLength = Math.min(node.maxLength ?? 40, 40);
  const odd = fc.oneof(
    fc.constantFrom(...oddStrings),
    fc.constant('x'.repeat((node.maxLength ?? 200) + 1)),
    fc.string({ unit: 'binary', maxLength }),
  );
  const shaped = (() => {
    switch (node.format) {
      case 'uuid':
        return fc.oneof(fc.constantFrom(...ids()), fc.uuid());
      case 'email':
        return fc.emailAddress();
      case 'date-time':
        return fc
          .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
          .map((date) => date.toISOString());
      case 'date':
        return fc
          .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
          .map((date) => date.toISOString().slice(0, 10));
      case 'uri':
        return fc.webUrl();
      default:
        return fc.string({
          minLength: node.minLength ?? 0,
          maxLength: Math.max(maxLength, node.minLength ?? 0),
        });
    }
  })();
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: odd });
}

describe('a property-based walk over every endpoint', () => {
  let context: TestContext;
  let document: Document;
  let operations: Operation[];
  const callers = new Map<'admin' | 'viewer', SignedIn>();
  const knownIds = new Set<string>();

  /** Signs in again whoever the walk signed out, demoted or locked (a password change, a revoke). */
  async function keepCallersSignedIn() {
    const admin = callers.get('admin');
    const check = admin
      ? await context.app.inject({ url: '/api/admin/users?limit=1', headers: admin.headers })
      : undefined;
    if (check?.statusCode !== 200) callers.set('admin', await signInWithRoles(context, ['admin']));
    const viewer = callers.get('viewer');
    const me = viewer ? await context.app.inject({ url: '/api/me', headers: viewer.headers }) : undefined;
    if (me?.statusCode !== 200) {
      const fresh = await registerViewer(context.app, { name: 'Fuzz Viewer' });
      await context.deps.database.db
        .updateTable('users')
        .set({ planId: 'basic' })
        .where('id', '=', fresh.userId)
        .execute();
      callers.set('viewer', fresh);
    }
  }

  before(async () => {
    context = await createTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '100000' } });
    await allowDevices(context, 1000);
    await keepCallersSignedIn();
    const make = catalogMaker(context, callers.get('admin') as SignedIn);
    await make.movie('Fuzz Movie', { maturityRating: 'PG' });
    await make.series('Fuzz Series', [2]);
    document = (await context.app.inject('/api/openapi.json')).json<Document>();
    operations = operationsOf(document);
    // Ids of things that exist (titles, profiles, plans, sessions…), so requests reach past "not found".
    for (const operation of operations) {
      if (operation.method !== 'GET' || operation.path.includes('{')) continue;
      for (const caller of callers.values()) {
        const response = await context.app.inject({ url: operation.path, headers: caller.headers });
        for (const id of response.body.match(
          /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
        ) ?? [])
          knownIds.add(id);
      }
    }
  });
  after(async () => {
    await context.close();
  });

  it('never answers a 5xx, and every refusal is a problem+json', { timeout: 600_000 }, async () => {
    process.stderr.write(`fuzz: seed ${seed}, ${runsPerOperation} requests per operation\n`);
    const ids = () => [...knownIds];
    const failures: string[] = [];
    const tally = new Map<string, number>();
    for (const [index, operation] of operations.entries()) {
      const generation = { document, ids, depth: 0 };
      const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path');
      const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query');
      const request = fc.record({
        caller: fc.constantFrom('admin', 'viewer', 'nobody'),
        path: fc.record(
          Object.fromEntries(
            pathParameters.map((parameter) => [
              parameter.name,
              fc.oneof(
                { weight: 3, arbitrary: stringFor(parameter.schema, ids) },
                { weight: 1, arbitrary: fc.constantFrom(...oddStrings) },
              ),
            ]),
          ),
        ),
        query: fc.record(
          Object.fromEntries(
            queryParameters.map((parameter) => [parameter.name, arbitraryFor(parameter.schema, generation)]),
          ),
          { requiredKeys: [] },
        ),
        body: operation.body
          ? fc.oneof({ weight: 5, arbitrary: arbitraryFor(operation.body, generation) }, fc.jsonValue())
          : fc.constant(undefined),
      });
      const failure = await fc.check(
        fc.asyncProperty(request, async ({ caller, path, query, body }) => {
          const text = (value: unknown) =>
            typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
          const search = new URLSearchParams(
            Object.entries(query).map(([name, value]): [string, string] => [name, text(value)]),
          ).toString();
          const url =
            operation.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
              encodeURIComponent(text(path[name])),
            ) + (search ? `?${search}` : '');
          const who = caller === 'nobody' ? undefined : callers.get(caller);
          const response = await context.app.inject({
            method: operation.method as 'GET',
            url,
            headers: {
              ...who?.headers,
              ...(body !== undefined && { 'content-type': 'application/json' }),
            },
            ...(body !== undefined && { payload: JSON.stringify(body) }),
          });
          const status = `${Math.floor(response.statusCode / 100)}xx`;
          tally.set(status, (tally.get(status) ?? 0) + 1);
          assertProblem(
            response,
            `${operation.method} ${url} as ${caller} with ${JSON.stringify(body)?.slice(0, 300)}`,
          );
        }),
        { numRuns: runsPerOperation, seed: seed + index },
      );
      process.stderr.write(
        `${operation.operationId} runs=${failure.numRuns} skips=${failure.numSkips} failed=${failure.failed} ${String(failure.errorInstance).slice(0, 200)}\n`,
      );
      if (failure.failed)
        failures.push(fc.defaultReportMessage(failure) ?? `${operation.operationId} failed`);
      await keepCallersSignedIn();
    }
    process.stderr.write(`fuzz: ${operations.length} operations, answers ${JSON.stringify([...tally])}\n`);
    // Every operation walked before reporting, so one run shows every finding.
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });
});
