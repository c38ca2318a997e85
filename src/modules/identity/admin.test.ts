import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loginAs, registerViewer, signInWithRoles, type SignedIn } from '../../../test/support/accounts.ts';
import { createTestApp, type TestContext } from '../../../test/support/test-app.ts';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describe('identity: admin console, roles, audit, service keys', () => {
  let context: TestContext;
  let admin: SignedIn;
  let support: SignedIn;
  let viewer: SignedIn;
  before(async () => {
    context = await createTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '10000' } });
    admin = await signInWithRoles(context, ['admin']);
    support = await signInWithRoles(context, ['support']);
    viewer = await registerViewer(context.app);
  });
  after(() => context.close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    as?: { headers: Record<string, string> },
    payload?: object,
  ) => context.app.inject({ method, url, headers: as?.headers ?? {}, ...(payload && { payload }) });

  it('answers every admin route with 401 anonymously and 403 to a viewer', async () => {
    const document = (await context.app.inject('/api/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const adminRoutes = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/admin/'))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
      );
    assert.ok(adminRoutes.length >= 6, `found ${adminRoutes.length} admin routes`);
    for (const route of adminRoutes) {
      const url = route.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const anonymous = await context.app.inject({
        method: route.method as 'GET',
        url,
        payload: route.method === 'GET' ? undefined : {},
      });
      assert.equal(anonymous.statusCode, 401, `${route.method} ${route.path} anonymously`);
      const asViewer = await context.app.inject({
        method: route.method as 'GET',
        url,
        headers: viewer.headers,
        payload: route.method === 'GET' ? undefined : {},
      });
      assert.equal(asViewer.statusCode, 403, `${route.method} ${route.path} as a viewer`);
      assert.equal(asViewer.json<{ code: string }>().code, 'FORBIDDEN');
    }
  });

  it('finds users by part of their email or name, page by page', async () => {
    const marker = `findme${Date.now()}`;
    for (let i = 0; i < 3; i += 1)
      await registerViewer(context.app, { email: `${marker}-${i}@example.com`, name: `Person ${i}` });
    const first = await call('GET', `/api/admin/users?q=${marker}&limit=2`, admin);
    assert.equal(first.statusCode, 200);
    const page = first.json<Page<{ email: string; activeSessions: number }>>();
    assert.equal(page.items.length, 2);
    assert.ok(page.nextCursor);
    assert.ok(page.items.every((user) => user.activeSessions === 1));
    const second = (
      await call('GET', `/api/admin/users?q=${marker}&limit=2&cursor=${page.nextCursor}`, admin)
    ).json<Page<{ email: string }>>();
    assert.equal(second.items.length, 1);
    assert.equal(second.nextCursor, null);
    const all = [...page.items, ...second.items].map((user) => user.email).sort();
    assert.deepEqual(
      all,
      [0, 1, 2].map((i) => `${marker}-${i}@example.com`),
    );
    assert.equal(
      (await call('GET', '/api/admin/users?cursor=garbage', admin)).json<{ code: string }>().code,
      'INVALID_CURSOR',
    );
    assert.equal(
      (await call('GET', '/api/admin/users?q=%25', support)).statusCode,
      200,
      'support may read users; % is literal',
    );
  });

  it('changes roles (admin only) and writes who, what, when, before and after to the audit log', async () => {
    const target = await registerViewer(context.app);
    // A title route that needs content_manager's permission: refused now, then allowed (404 for an
    // unknown id) on the same token at once — the actor reused per session state is rebuilt.
    const unpublished = `/api/admin/titles/00000000-0000-4000-8000-000000000000`;
    assert.equal((await call('GET', unpublished, target)).statusCode, 403);
    const bySupport = await call('PATCH', `/api/admin/users/${target.userId}`, support, {
      roles: ['content_manager'],
    });
    assert.equal(bySupport.json<{ code: string }>().code, 'ROLE_NOT_ASSIGNABLE');
    const changed = await call('PATCH', `/api/admin/users/${target.userId}`, admin, {
      roles: ['viewer', 'content_manager'],
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json<{ roles: string[] }>().roles, ['viewer', 'content_manager']);
    assert.equal((await call('GET', unpublished, target)).statusCode, 404);
    const audit = (await call('GET', `/api/admin/audit?targetId=${target.userId}`, admin)).json<
      Page<{
        actor: { type: string; id: string };
        action: string;
        before: { roles: string[] };
        after: { roles: string[] };
        requestId: string;
      }>
    >();
    const [entry] = audit.items;
    assert.equal(entry?.action, 'user.updated');
    assert.deepEqual(entry?.actor, { type: 'user', id: admin.userId });
    assert.deepEqual(entry?.before.roles, ['viewer']);
    assert.deepEqual(entry?.after.roles, ['viewer', 'content_manager']);
    assert.ok(entry?.requestId);
    assert.equal((await call('GET', '/api/admin/audit', viewer)).statusCode, 403);
  });

  it('disabling an account signs it out everywhere and keeps it out', async () => {
    const target = await registerViewer(context.app);
    const disabled = await call('PATCH', `/api/admin/users/${target.userId}`, support, { disabled: true });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal((await call('GET', '/api/me', target)).statusCode, 401);
    const login = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: target.email, password: target.password },
    });
    assert.equal(login.json<{ code: string }>().code, 'AUTH_ACCOUNT_DISABLED');
    assert.equal(
      (await call('PATCH', `/api/admin/users/${admin.userId}`, support, { disabled: true })).statusCode,
      403,
      'support cannot disable an admin',
    );
    assert.equal(
      (await call('PATCH', `/api/admin/users/${admin.userId}`, admin, { disabled: true })).statusCode,
      403,
      'nobody disables themselves',
    );
    await call('PATCH', `/api/admin/users/${target.userId}`, support, { disabled: false });
    await loginAs(context.app, target);
  });

  it("lists an account's signed-in devices and signs one out, audited; never above the actor's rights", async () => {
    const target = await registerViewer(context.app, { device: { name: 'Living room TV', type: 'tv' } });
    const phone = await loginAs(context.app, target, { device: { name: 'Pocket', type: 'mobile' } });
    const listed = await call('GET', `/api/admin/users/${target.userId}/sessions`, support);
    assert.equal(listed.statusCode, 200, listed.body);
    const sessions = listed.json<{
      sessions: Array<{ id: string; deviceName: string; deviceType: string }>;
    }>().sessions;
    assert.deepEqual(sessions.map((s) => s.deviceName).sort(), ['Living room TV', 'Pocket']);
    assert.equal(sessions.find((s) => s.id === phone.sessionId)?.deviceType, 'mobile');

    const revoked = await call(
      'DELETE',
      `/api/admin/users/${target.userId}/sessions/${phone.sessionId}`,
      support,
    );
    assert.equal(revoked.statusCode, 204, revoked.body);
    // That device is out at once (its token, and its refresh token); the other stays in.
    assert.equal((await call('GET', '/api/me', phone)).statusCode, 401);
    const refresh = await context.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: phone.refreshToken },
    });
    assert.equal(refresh.statusCode, 401);
    assert.equal((await call('GET', '/api/me', target)).statusCode, 200);
    const after = (await call('GET', `/api/admin/users/${target.userId}/sessions`, admin)).json<{
      sessions: Array<{ id: string }>;
    }>().sessions;
    assert.deepEqual(
      after.map((s) => s.id),
      [target.sessionId],
    );
    const audit = (await call('GET', `/api/admin/audit?targetId=${target.userId}`, admin)).json<
      Page<{ action: string; actor: { id: string } }>
    >();
    assert.equal(audit.items[0]?.action, 'user.session_revoked');
    assert.equal(audit.items[0]?.actor.id, support.userId);

    // Already ended, or another account's session under this account's address: not found.
    for (const [userId, sessionId] of [
      [target.userId, phone.sessionId],
      [target.userId, admin.sessionId],
      ['00000000-0000-4000-8000-000000000000', target.sessionId],
    ]) {
      const refused = await call('DELETE', `/api/admin/users/${userId}/sessions/${sessionId}`, admin);
      assert.equal(refused.statusCode, 404, `${userId} ${sessionId}`);
      assert.match(refused.headers['content-type'] ?? '', /application\/problem\+json/);
    }
    assert.equal(
      (await call('GET', '/api/me', admin)).statusCode,
      200,
      "the admin's own session is untouched",
    );
    // Support may not sign an admin out; a viewer may not even look; nobody is asked to sign in.
    const onAdmin = await call(
      'DELETE',
      `/api/admin/users/${admin.userId}/sessions/${admin.sessionId}`,
      support,
    );
    assert.equal(onAdmin.statusCode, 403);
    assert.equal((await call('GET', `/api/admin/users/${target.userId}/sessions`, viewer)).statusCode, 403);
    assert.equal(
      (await call('DELETE', `/api/admin/users/${target.userId}/sessions/${target.sessionId}`, viewer))
        .statusCode,
      403,
    );
    assert.equal((await call('GET', `/api/admin/users/${target.userId}/sessions`)).statusCode, 401);
    assert.equal((await call('GET', '/api/me', target)).statusCode, 200);
    assert.equal((await call('GET', `/api/admin/users/not-a-uuid/sessions`, admin)).statusCode, 400);
  });

  it('refuses bad admin input with 4xx and changes nothing', async () => {
    const target = await registerViewer(context.app);
    for (const payload of [{}, { roles: [] }, { roles: ['emperor'] }, { disabled: 'yes' }]) {
      assert.equal(
        (await call('PATCH', `/api/admin/users/${target.userId}`, admin, payload)).statusCode,
        400,
        JSON.stringify(payload),
      );
    }
    assert.equal(
      (await call('PATCH', '/api/admin/users/not-a-uuid', admin, { disabled: true })).statusCode,
      400,
    );
    assert.equal(
      (
        await call('PATCH', '/api/admin/users/00000000-0000-4000-8000-000000000000', admin, {
          disabled: true,
        })
      ).statusCode,
      404,
    );
  });

  it('issues service API keys that do exactly what their scopes say, shown once, revocable, last use tracked', async () => {
    const created = await call('POST', '/api/admin/api-keys', admin, {
      name: 'analytics exporter',
      scopes: ['audit:read'],
      expiresInDays: 30,
    });
    assert.equal(created.statusCode, 201, created.body);
    const { key, apiKey } = created.json<{
      key: string;
      apiKey: { id: string; prefix: string; scopes: string[] };
    }>();
    assert.match(key, /^mq_[\w-]{40,}$/);
    assert.ok(key.startsWith(apiKey.prefix));
    const asKey = { headers: { 'x-api-key': key } };
    assert.equal((await call('GET', '/api/admin/audit', asKey)).statusCode, 200);
    assert.equal((await call('GET', '/api/admin/users', asKey)).statusCode, 403, 'not in its scopes');
    assert.equal((await call('GET', '/api/me', asKey)).statusCode, 403, 'a key is not a person');
    const listed = (await call('GET', '/api/admin/api-keys', admin)).json<{
      apiKeys: Array<{ id: string; lastUsedAt: string | null }>;
    }>();
    assert.ok(listed.apiKeys.find((k) => k.id === apiKey.id)?.lastUsedAt);
    assert.ok(!JSON.stringify(listed).includes(key), 'never shown again');
    const stored = await context.deps.database.db
      .selectFrom('apiKeys')
      .select('keyHash')
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(stored.keyHash, key, 'stored hashed');

    assert.equal((await call('DELETE', `/api/admin/api-keys/${apiKey.id}`, admin)).statusCode, 204);
    assert.equal((await call('GET', '/api/admin/audit', asKey)).statusCode, 401, 'revoked at once');
    assert.equal(
      (await call('GET', '/api/admin/audit', { headers: { 'x-api-key': 'mq_not-a-real-key' } })).statusCode,
      401,
    );
    const actions = (await call('GET', `/api/admin/audit?targetId=${apiKey.id}`, admin))
      .json<Page<{ action: string }>>()
      .items.map((e) => e.action);
    assert.deepEqual(actions.sort(), ['api_key.created', 'api_key.revoked']);
  });

  it('never lets a key creator grant what they do not hold', async () => {
    const manager = await signInWithRoles(context, ['content_manager']);
    assert.equal(
      (await call('POST', '/api/admin/api-keys', manager, { name: 'x', scopes: ['content:write'] }))
        .statusCode,
      403,
      'needs api-keys:manage',
    );
    const adminKey = (
      await call('POST', '/api/admin/api-keys', admin, { name: 'key maker', scopes: ['api-keys:manage'] })
    ).json<{ key: string }>().key;
    const escalation = await call(
      'POST',
      '/api/admin/api-keys',
      { headers: { 'x-api-key': adminKey } },
      { name: 'x', scopes: ['users:manage'] },
    );
    assert.equal(escalation.json<{ code: string }>().code, 'API_KEY_SCOPE_NOT_GRANTABLE');
  });

  it('lets an admin read the mail outbox', async () => {
    const response = await call('GET', `/api/admin/mail?to=${encodeURIComponent(viewer.email)}`, admin);
    const page = response.json<Page<{ subject: string }>>();
    assert.ok(page.items.some((mail) => /Confirm your email/.test(mail.subject)));
    assert.equal((await call('GET', '/api/admin/mail', viewer)).statusCode, 403);
  });
});
