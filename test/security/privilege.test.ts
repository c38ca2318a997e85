import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loginAs, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { openApiDocumentOf } from '../support/openapi-document.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

interface Document {
  paths: Record<string, Record<string, { operationId?: string }>>;
}

/**
 * The endpoint sweep, grown by issue 11: lesser actors against every operation that could touch
 * what they outrank. A `support` person and a narrowly scoped key attack an `admin` through every
 * admin operation; a device on a kids profile attacks every profile operation. Whatever each
 * answers, the admin and the household's locks are unchanged afterwards.
 */
describe('privilege sweep: lesser actors never change what outranks them', () => {
  let context: TestContext;
  let document: Document;
  let admin: SignedIn;
  before(async () => {
    context = await createTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '100000' } });
    admin = await signInWithRoles(context, ['admin']);
    document = JSON.parse(await openApiDocumentOf(context)) as Document;
  });
  after(() => context.close());

  const operations = (prefix: string) =>
    Object.entries(document.paths)
      .filter(([path]) => path.startsWith(prefix))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({
          method: method.toUpperCase() as 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
          path,
          operationId: operation.operationId ?? '',
        })),
      );
  const fill = (path: string, id: string) => path.replace(/\{[^}]+\}/g, id);

  it('a support person and a narrowly scoped key, on every admin operation, never change an admin', async () => {
    const target = await signInWithRoles(context, ['admin']);
    const targetKey = (
      await context.app.inject({
        method: 'POST',
        url: '/api/admin/api-keys',
        headers: target.headers,
        payload: { name: "the admin's key", scopes: ['users:read', 'users:manage', 'audit:read'] },
      })
    ).json<{ key: string; apiKey: { id: string } }>();
    const narrow = (
      await context.app.inject({
        method: 'POST',
        url: '/api/admin/api-keys',
        headers: admin.headers,
        payload: {
          name: 'narrow',
          scopes: ['users:read', 'users:manage', 'roles:assign', 'api-keys:manage', 'mail:read'],
        },
      })
    ).json<{ key: string }>().key;
    const support = await signInWithRoles(context, ['support']);
    const attackers = [
      { label: 'support', headers: support.headers },
      { label: 'narrow key', headers: { 'x-api-key': narrow } },
    ];
    const damaging = [{ roles: ['viewer'] }, { disabled: true }, { roles: ['support'], disabled: true }, {}];
    const adminOperations = operations('/api/admin/');
    assert.ok(adminOperations.length > 10, `${adminOperations.length} admin operations`);
    let tries = 0;
    for (const attacker of attackers) {
      for (const operation of adminOperations) {
        for (const id of [target.userId, targetKey.apiKey.id]) {
          for (const payload of operation.method === 'GET' || operation.method === 'DELETE'
            ? [undefined]
            : damaging) {
            const response = await context.app.inject({
              method: operation.method,
              url: fill(operation.path, id),
              headers: attacker.headers,
              ...(payload && { payload }),
            });
            tries += 1;
            const label = `${attacker.label}: ${operation.method} ${operation.path} ${JSON.stringify(payload ?? '')}`;
            assert.ok(response.statusCode < 500, `${label} → ${response.statusCode}`);
          }
        }
      }
    }
    const state = await context.deps.database.db
      .selectFrom('users')
      .select(['roles', 'disabledAt'])
      .where('id', '=', target.userId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(state.roles, ['admin'], `after ${tries} tries`);
    assert.equal(state.disabledAt, null);
    assert.equal((await context.app.inject({ url: '/api/me', headers: target.headers })).statusCode, 200);
    const keyStillWorks = await context.app.inject({
      url: '/api/admin/audit',
      headers: { 'x-api-key': targetKey.key },
    });
    assert.equal(keyStillWorks.statusCode, 200, "the admin's key was not revoked");
  });

  it('a device on a kids profile, on every profile operation, never loosens a limit nor unlocks a profile', async () => {
    const parent = await registerViewer(context.app, { name: 'Parent' });
    const call = (method: string, url: string, as: SignedIn, payload?: object) =>
      context.app.inject({ method: method as 'GET', url, headers: as.headers, ...(payload && { payload }) });
    const adultId = (await call('GET', '/api/profiles', parent)).json<{ profiles: Array<{ id: string }> }>()
      .profiles[0]?.id as string;
    const kidsId = (await call('POST', '/api/profiles', parent, { name: 'Kids', isKids: true })).json<{
      id: string;
    }>().id;
    const teenId = (await call('POST', '/api/profiles', parent, { name: 'Teen', maturityLimit: 13 })).json<{
      id: string;
    }>().id;
    assert.equal((await call('PATCH', `/api/profiles/${adultId}`, parent, { pin: '8642' })).statusCode, 200);
    const snapshot = async () =>
      (
        await context.deps.database.db
          .selectFrom('profiles')
          .select(['id', 'name', 'isKids', 'maturityLimit', 'pinHash'])
          .where('userId', '=', parent.userId)
          .orderBy('createdAt')
          .execute()
      ).map((row) => ({ ...row, pinHash: row.pinHash !== null }));
    const before = await snapshot();
    const tablet = await loginAs(context.app, parent);
    assert.equal((await call('POST', `/api/profiles/${kidsId}/select`, tablet, {})).statusCode, 200);
    const loosening = [
      { maturityLimit: 21, isKids: false },
      { pin: null },
      { pin: '0000' },
      { name: 'Renamed', maturityLimit: null },
    ];
    const profileOperations = operations('/api/profiles');
    assert.ok(profileOperations.length >= 5, `${profileOperations.length} profile operations`);
    for (const operation of profileOperations) {
      for (const id of [adultId, kidsId, teenId]) {
        for (const payload of operation.method === 'GET' || operation.method === 'DELETE'
          ? [undefined]
          : loosening) {
          const url = fill(operation.path, id);
          const response = await call(operation.method, url, tablet, payload);
          const label = `${operation.method} ${url} ${JSON.stringify(payload ?? '')}`;
          assert.ok(response.statusCode < 500, `${label} → ${response.statusCode}`);
          if (
            operation.method !== 'GET' &&
            response.statusCode < 300 &&
            operation.operationId !== 'selectProfile'
          )
            assert.fail(`${label} was allowed from the kids profile`);
        }
      }
      // Whatever was tried, the tablet is back on the kids profile for the next operation.
      await call('POST', `/api/profiles/${kidsId}/select`, tablet, {});
    }
    const me = (await call('GET', '/api/me', tablet)).json<{ activeProfile: { id: string } }>();
    assert.notEqual(me.activeProfile.id, adultId, 'the adult profile was never entered without its PIN');
    assert.deepEqual(await snapshot(), before);
  });
});
