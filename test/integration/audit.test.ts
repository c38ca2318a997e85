import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

interface Entry {
  id: string;
  action: string;
  targetType: string;
  targetId: string | null;
  actor: { type: string; id: string | null };
  createdAt: string;
}
interface Page {
  items: Entry[];
  nextCursor: string | null;
}

describe('audit log: the admin list', () => {
  let context: TestContext;
  let admin: SignedIn;
  const genreIds: string[] = [];

  const list = (query: string) =>
    context.app.inject({ url: `/api/admin/audit${query}`, headers: admin.headers });

  before(async () => {
    context = await createTestApp();
    admin = await signInWithRoles(context, ['admin']);
    for (const name of ['Western', 'Noir', 'Musical', 'Horror', 'Comedy']) {
      const created = await context.app.inject({
        method: 'POST',
        url: '/api/admin/genres',
        headers: admin.headers,
        payload: { name },
      });
      assert.equal(created.statusCode, 201, created.body);
      genreIds.push(created.json<{ id: string }>().id);
    }
  });
  after(() => context.close());

  it('pages newest first, every entry once, filtered by target and actor', async () => {
    const seen: Entry[] = [];
    let cursor: string | null = null;
    do {
      const response = await list(`?targetType=genre&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(response.statusCode, 200, response.body);
      const page: Page = response.json<Page>();
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen.map((entry) => entry.targetId),
      [...genreIds].reverse(),
    );
    assert.ok(seen.every((entry) => entry.action === 'genre.created'));
    const mine = (await list(`?actorId=${admin.userId}&targetId=${genreIds[0]}`)).json<Page>();
    assert.deepEqual(
      mine.items.map((entry) => [entry.action, entry.actor.id]),
      [['genre.created', admin.userId]],
    );
  });

  it('refuses a forged or malformed cursor with 400 INVALID_CURSOR, never a 500', async () => {
    const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const id = genreIds[0] as string;
    for (const cursor of [
      forge({ createdAt: 'not-a-date', id }),
      forge({ createdAt: '2026-02-30T00:00:00Z', id }),
      forge({ createdAt: 12, id }),
      forge({ createdAt: '2026-01-01T00:00:00Z', id: 'not-a-uuid' }),
      forge({ createdAt: '2026-01-01T00:00:00Z' }),
      Buffer.from('not json').toString('base64url'),
    ]) {
      const response = await list(`?cursor=${cursor}`);
      const label = Buffer.from(cursor, 'base64url').toString();
      assert.equal(response.statusCode, 400, `${label} → ${response.statusCode} ${response.body}`);
      assert.equal(response.json<{ code: string }>().code, 'INVALID_CURSOR', label);
    }
  });

  it('refuses control characters and malformed ids in its filters with 400, never a 500', async () => {
    for (const query of [
      '?action=genre.created%00',
      '?targetType=genre%00',
      '?targetId=a%00',
      '?actorId=a%00',
      '?actorId=not-a-uuid',
      '?action=%E2%80%AE',
    ]) {
      const response = await list(query);
      assert.equal(response.statusCode, 400, `${query} → ${response.statusCode} ${response.body}`);
      assert.match(String(response.headers['content-type']), /problem\+json/);
    }
  });
});
