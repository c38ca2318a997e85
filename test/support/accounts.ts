import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app.ts';
import { AuditLog } from '../../src/modules/audit/index.ts';
import { ensureAdmin } from '../../src/modules/identity/index.ts';
import type { TestContext } from './test-app.ts';

export interface SignedIn {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  headers: { authorization: string };
}

export const strongPassword = () => `Tr0ub4dor&3-${randomUUID().slice(0, 8)}`;
export const uniqueEmail = (label = 'viewer') => `${label}-${randomUUID().slice(0, 8)}@example.com`;
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface AuthBody {
  user: { id: string };
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

function signedIn(body: AuthBody, email: string, password: string): SignedIn {
  return {
    userId: body.user.id,
    email,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    sessionId: body.sessionId,
    headers: bearer(body.accessToken),
  };
}

export async function registerViewer(
  app: App,
  options: { email?: string; password?: string; name?: string; device?: { name: string; type: string } } = {},
): Promise<SignedIn> {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? strongPassword();
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: { email, password, name: options.name ?? 'Test Viewer' },
  });
  assert.equal(response.statusCode, 202, response.body);
  return loginAs(app, { email, password }, options.device ? { device: options.device } : {});
}

export async function loginAs(
  app: App,
  account: { email: string; password: string },
  extra: Record<string, unknown> = {},
): Promise<SignedIn> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { ...account, ...extra },
  });
  assert.equal(response.statusCode, 200, response.body);
  return signedIn(response.json<AuthBody>(), account.email, account.password);
}

/** An account with these roles, signed in: made admin the way an operator would (ensureAdmin), then re-roled. */
export async function signInWithRoles(context: TestContext, roles: string[]): Promise<SignedIn> {
  const email = uniqueEmail(roles.join('-'));
  const password = strongPassword();
  const { userId } = await ensureAdmin(context.deps.database.db, new AuditLog(context.deps.database.db), {
    email,
    password,
  });
  await context.deps.database.db.updateTable('users').set({ roles }).where('id', '=', userId).execute();
  return loginAs(context.app, { email, password });
}

/** A fresh viewer on a plan, set directly (for tests about what a plan may play, not billing). */
export async function signInOnPlan(context: TestContext, plan: string): Promise<SignedIn> {
  const viewer = await signInWithRoles(context, ['viewer']);
  await context.deps.database.db
    .updateTable('users')
    .set({ planId: plan })
    .where('id', '=', viewer.userId)
    .execute();
  return viewer;
}

/**
 * Lets every plan of this test file's database sign in `devices` devices at once: for tests about
 * something else (OIDC, lockouts, comments) whose accounts sign in more often than the Free plan's
 * device cap allows. The cap itself is tested in auth.test.ts and subscriptions.test.ts.
 */
export async function allowDevices(context: TestContext, devices = 20): Promise<void> {
  await context.deps.database.db.updateTable('plans').set({ maxDevices: devices }).execute();
}
