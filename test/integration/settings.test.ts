import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { catalogMaker } from '../support/engagement-catalog.ts';
import { AuditLog } from '../../src/modules/audit/index.ts';
import { createSettings } from '../../src/modules/settings/index.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/** What the settings other than the word filter are until an admin changes them. */
const codeDefaults = { signUpsOpen: true, announcement: null };

/**
 * Admin-editable settings (src/modules/settings): defaults from the environment, a change stored
 * in app_settings and applied at once (the word filter of comments), audited, and only for
 * settings:manage — anonymous 401, a viewer, support and a content manager 403.
 */
describe('settings', () => {
  let context: TestContext;
  let admin: SignedIn;
  let author: SignedIn;
  let movie: string;
  before(async () => {
    context = await createTestApp({ env: { COMMENT_BLOCKED_WORDS: 'spoiler' } });
    await allowDevices(context);
    admin = await signInWithRoles(context, ['admin']);
    movie = await catalogMaker(context, await signInWithRoles(context, ['content_manager'])).movie(
      'Talked about',
    );
    author = await registerViewer(context.app, { name: 'Ada' });
  });
  after(() => context.close());

  const call = (method: 'GET' | 'PATCH', as: SignedIn | null, payload?: unknown) =>
    context.app.inject({
      method,
      url: '/api/admin/settings',
      headers: as?.headers ?? {},
      ...(payload !== undefined && { payload: payload as object }),
    });
  const comment = (body: string) =>
    context.app.inject({
      method: 'POST',
      url: `/api/titles/${movie}/comments`,
      headers: author.headers,
      payload: { body },
    });

  it('starts from the environment, and a change applies to the next comment without a restart', async () => {
    const read = await call('GET', admin);
    assert.equal(read.statusCode, 200, read.body);
    assert.deepEqual(read.json(), { blockedWords: ['spoiler'], ...codeDefaults });
    assert.equal((await comment('What a plot twist')).statusCode, 201);

    const changed = await call('PATCH', admin, { blockedWords: ['Spoiler', ' twist '] });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json(), { blockedWords: ['spoiler', 'twist'], ...codeDefaults });
    const refused = await comment('What a plot twist');
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(refused.json<{ code: string }>().code, 'ENGAGEMENT_COMMENT_BLOCKED_WORD');

    const stored = await context.deps.database.db
      .selectFrom('appSettings')
      .selectAll()
      .where('key', '=', 'blockedWords')
      .executeTakeFirstOrThrow();
    assert.deepEqual(stored.value, ['spoiler', 'twist']);
    assert.equal(stored.updatedBy, admin.userId);
    const audit = await context.app.inject({
      url: '/api/admin/audit?targetType=settings',
      headers: admin.headers,
    });
    const entry = audit.json<{ items: Array<{ action: string; before: unknown; after: unknown }> }>()
      .items[0];
    assert.equal(entry?.action, 'settings.updated');
    assert.deepEqual(entry?.before, { blockedWords: ['spoiler'] });
    assert.deepEqual(entry?.after, { blockedWords: ['spoiler', 'twist'] });

    // An empty list lifts the filter.
    assert.deepEqual((await call('PATCH', admin, { blockedWords: [] })).json(), {
      blockedWords: [],
      ...codeDefaults,
    });
    assert.equal((await comment('Another twist')).statusCode, 201);
  });

  it('reaches another instance through the pub/sub channel, without a restart', async () => {
    // A second instance over the same database and pub/sub (in-process here, Redis in the
    // real-services pass): it hears of the change and reads the table again.
    const other = await createSettings({
      db: context.deps.database.db,
      pubsub: context.deps.pubsub,
      audit: new AuditLog(context.deps.database.db),
      clock: context.deps.clock,
      logger: context.deps.logger,
      defaults: { blockedWords: ['spoiler'] },
    });
    try {
      await call('PATCH', admin, { blockedWords: ['cliffhanger'] });
      for (const deadline = Date.now() + 5000; ;) {
        if (other.settings.current().blockedWords.includes('cliffhanger')) break;
        assert.ok(
          Date.now() < deadline,
          `the other instance still has ${other.settings.current().blockedWords.join(', ')}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(other.settings.current(), { blockedWords: ['cliffhanger'], ...codeDefaults });
    } finally {
      await other.settings.close();
    }
  });

  it('refuses bad input with a problem naming the field, and changes nothing', async () => {
    await call('PATCH', admin, { blockedWords: ['darn'] });
    for (const payload of [
      {},
      { blockedWords: 'darn' },
      { blockedWords: [''] },
      { blockedWords: ['a\u0000b'] },
      { blockedWords: ['x'.repeat(61)] },
      { blockedWords: Array.from({ length: 501 }, (_, i) => `w${i}`) },
      { signUpsOpen: 'no' },
      { announcement: { message: '', tone: 'info' } },
      { announcement: { message: 'Down at noon', tone: 'loud' } },
      { announcement: { message: 'Down\u0007 at noon', tone: 'info' } },
      { announcement: { message: 'x'.repeat(281), tone: 'info' } },
      { announcement: 'Down at noon' },
    ]) {
      const refused = await call('PATCH', admin, payload);
      assert.equal(refused.statusCode, 400, JSON.stringify(payload).slice(0, 80));
      assert.match(refused.headers['content-type'] ?? '', /application\/problem\+json/);
    }
    assert.deepEqual((await call('GET', admin)).json(), { blockedWords: ['darn'], ...codeDefaults });
  });

  it('closes sign-ups: a new account is refused for any address, existing ones still sign in', async () => {
    const existing = await registerViewer(context.app);
    const register = (email: string) =>
      context.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email, password: 'a long and unusual passphrase 42', name: 'New' },
      });
    assert.equal((await call('PATCH', admin, { signUpsOpen: false })).statusCode, 200);
    // The same answer for a new address and a known one: closing says nothing of who has an account.
    for (const email of [`closed-${Date.now()}@example.com`, existing.email]) {
      const refused = await register(email);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json<{ code: string }>().code, 'AUTH_SIGN_UPS_CLOSED');
    }
    assert.equal(
      await context.deps.database.db
        .selectFrom('users')
        .select('id')
        .where('email', 'like', 'closed-%')
        .executeTakeFirst(),
      undefined,
    );
    const login = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: existing.email, password: existing.password },
    });
    assert.equal(login.statusCode, 200, 'existing accounts sign in');
    assert.equal((await call('PATCH', admin, { signUpsOpen: true })).statusCode, 200);
    assert.equal((await register(`open-${Date.now()}@example.com`)).statusCode, 202);
  });

  it('serves the announcement to every viewer, anonymous too, from the moment it is set', async () => {
    const announcement = () => context.app.inject({ url: '/api/announcement' });
    assert.deepEqual((await announcement()).json(), { announcement: null });
    const banner = { message: 'Maintenance tonight 02:00–03:00 UTC', tone: 'warning' };
    assert.equal((await call('PATCH', admin, { announcement: banner })).statusCode, 200);
    const served = await announcement();
    assert.equal(served.statusCode, 200);
    assert.deepEqual(served.json(), { announcement: banner });
    assert.equal(served.headers['cache-control'], 'public, max-age=30');
    assert.deepEqual(
      (await call('PATCH', admin, { announcement: null })).json<{ announcement: null }>().announcement,
      null,
    );
    assert.deepEqual((await announcement()).json(), { announcement: null });
  });

  it('is for settings:manage only: 401 anonymously, 403 to a viewer, support and a content manager', async () => {
    const viewer = await registerViewer(context.app);
    const support = await signInWithRoles(context, ['support']);
    const manager = await signInWithRoles(context, ['content_manager']);
    assert.equal((await call('GET', null)).statusCode, 401);
    assert.equal((await call('PATCH', null, { blockedWords: [] })).statusCode, 401);
    for (const who of [viewer, support, manager]) {
      assert.equal((await call('GET', who)).statusCode, 403);
      assert.equal((await call('PATCH', who, { blockedWords: [] })).statusCode, 403);
    }
    assert.deepEqual((await call('GET', admin)).json(), { blockedWords: ['darn'], ...codeDefaults });
  });
});
