import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/platform/clock.ts';
import {
  loginAs,
  registerViewer,
  signInWithRoles,
  type SignedIn,
  allowDevices,
} from '../support/accounts.ts';
import { catalogMaker, kidsDevice } from '../support/engagement-catalog.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

interface Comment {
  id: string;
  parentId: string | null;
  authorName: string;
  body: string | null;
  replyCount: number;
  mine: boolean;
}
interface CommentPage {
  items: Comment[];
  nextCursor: string | null;
}

/** Comments: replies, edits, soft delete, pages and sorts, and the moderation flow. */
describe('engagement: comments', () => {
  let context: TestContext;
  let clock: ManualClock;
  let author: SignedIn;
  let reader: SignedIn;
  let support: SignedIn;
  let movie: string;
  let mature: string;
  let draft: string;

  before(async () => {
    clock = new ManualClock(new Date());
    context = await createTestApp({
      clock,
      env: {
        COMMENT_HIDE_AFTER_REPORTS: '2',
        COMMENTS_PER_MINUTE: '8',
        COMMENT_BLOCKED_WORDS: 'spoiler, darn',
      },
    });
    await allowDevices(context);
    const editor = await signInWithRoles(context, ['content_manager']);
    const make = catalogMaker(context, editor);
    movie = await make.movie('Talked about', { maturityRating: 'G' });
    mature = await make.movie('Late night', { maturityRating: 'R' });
    draft = (
      await context.app.inject({
        method: 'POST',
        url: '/api/admin/titles',
        headers: editor.headers,
        payload: { kind: 'movie', title: 'Secret' },
      })
    ).json<{ id: string }>().id;
    author = await registerViewer(context.app, { name: 'Ada' });
    reader = await registerViewer(context.app, { name: 'Bob' });
    support = await signInWithRoles(context, ['support']);
  });
  after(() => context.close());

  const call = (
    as: SignedIn,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
  ) => context.app.inject({ method, url, headers: as.headers, ...(payload && { payload }) });
  const post = (as: SignedIn, body: string, parentId?: string, titleId = movie) => {
    clock.advance(1000);
    return call(as, 'POST', `/api/titles/${titleId}/comments`, { body, ...(parentId && { parentId }) });
  };
  const list = async (as: SignedIn, query = '') =>
    (await call(as, 'GET', `/api/titles/${movie}/comments${query}`)).json<CommentPage>();

  it('posts, replies one level deep, pages newest first and sorts by replies', async () => {
    const first = await post(author, 'First!');
    assert.equal(first.statusCode, 201, first.body);
    const firstComment = first.json<Comment>();
    assert.equal(firstComment.mine, true);
    const second = (await post(reader, 'Second thoughts')).json<Comment>();
    const reply = await post(reader, 'I agree', firstComment.id);
    assert.equal(reply.statusCode, 201, reply.body);
    const nested = await post(author, 'Deeper', reply.json<Comment>().id);
    assert.equal(nested.json<{ code: string }>().code, 'ENGAGEMENT_COMMENT_NESTED');

    const newest = await list(reader, '?limit=1');
    assert.deepEqual(
      newest.items.map((comment) => comment.id),
      [second.id],
    );
    const next = await list(reader, `?limit=1&cursor=${newest.nextCursor}`);
    assert.deepEqual(
      next.items.map((comment) => [comment.id, comment.replyCount, comment.mine]),
      [[firstComment.id, 1, false]],
    );
    const top = await list(reader, '?sort=top');
    assert.equal(top.items[0]?.id, firstComment.id, 'the most replied first');
    const replies = (
      await call(reader, 'GET', `/api/comments/${firstComment.id}/replies`)
    ).json<CommentPage>();
    assert.deepEqual(
      replies.items.map((comment) => [comment.body, comment.authorName]),
      [['I agree', 'Bob']],
    );
    assert.equal(
      (await call(reader, 'GET', `/api/titles/${movie}/comments?cursor=nonsense`)).statusCode,
      400,
    );
  });

  it('stores HTML and script as the text sent, and refuses a 1 MB comment and blocked words', async () => {
    const markup = '<script>alert(1)</script><img src=x onerror=alert(2)> & <b>bold</b>';
    const posted = await post(author, markup);
    assert.equal(posted.statusCode, 201);
    assert.match(posted.headers['content-type'] as string, /^application\/json/);
    assert.equal(posted.json<Comment>().body, markup);
    const stored = await context.deps.database.db
      .selectFrom('comments')
      .select('body')
      .where('id', '=', posted.json<Comment>().id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.body, markup);
    const before = await context.deps.database.db
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const huge = await post(author, 'x'.repeat(1024 * 1024));
    assert.ok([400, 413].includes(huge.statusCode), `${huge.statusCode}`);
    assert.match(huge.headers['content-type'] as string, /application\/problem\+json/);
    for (const body of ['', '   ', 'null\u0000byte']) {
      assert.equal((await post(author, body)).statusCode, 400, JSON.stringify(body));
    }
    const blocked = await post(author, 'Huge SPOILER: he was dead');
    assert.equal(blocked.json<{ code: string }>().code, 'ENGAGEMENT_COMMENT_BLOCKED_WORD');
    const after = await context.deps.database.db
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(after.n, before.n, 'nothing stored');
  });

  it('lets only the author edit (within the window) or delete; deleted text leaves, replies stay', async () => {
    const own = (await post(author, 'Typo hear')).json<Comment>();
    assert.equal(
      (await call(reader, 'PATCH', `/api/comments/${own.id}`, { body: 'Hijacked' })).statusCode,
      404,
    );
    assert.equal((await call(reader, 'DELETE', `/api/comments/${own.id}`)).statusCode, 404);
    const edited = await call(author, 'PATCH', `/api/comments/${own.id}`, { body: 'Typo here' });
    assert.equal(edited.json<Comment>().body, 'Typo here');
    await post(reader, 'Reply to keep', own.id);

    clock.advance(16 * 60_000);
    author = await loginAs(context.app, author);
    reader = await loginAs(context.app, reader);
    support = await loginAs(context.app, support);
    const late = await call(author, 'PATCH', `/api/comments/${own.id}`, { body: 'Too late' });
    assert.equal(late.json<{ code: string }>().code, 'ENGAGEMENT_COMMENT_EDIT_CLOSED');

    assert.equal((await call(author, 'DELETE', `/api/comments/${own.id}`)).statusCode, 204);
    const shown = (await list(reader)).items.find((comment) => comment.id === own.id);
    assert.equal(shown?.body, null, 'a deleted comment with replies shows without its text');
    const lonely = (await post(author, 'Nobody answers')).json<Comment>();
    await call(author, 'DELETE', `/api/comments/${lonely.id}`);
    assert.ok(!(await list(reader)).items.some((comment) => comment.id === lonely.id));
  });

  it('hides a comment reported by enough accounts; moderators remove comments and ban accounts', async () => {
    const rude = (await post(author, 'Something rude')).json<Comment>();
    const third = await registerViewer(context.app);
    assert.equal((await call(reader, 'POST', `/api/comments/${rude.id}/report`)).statusCode, 204);
    assert.equal((await call(reader, 'POST', `/api/comments/${rude.id}/report`)).statusCode, 204);
    assert.ok(
      (await list(reader)).items.some((comment) => comment.id === rude.id),
      'one account counts once',
    );
    await call(third, 'POST', `/api/comments/${rude.id}/report`);
    assert.ok(!(await list(reader)).items.some((comment) => comment.id === rude.id), 'hidden after two');

    const other = (await post(author, 'Borderline')).json<Comment>();
    assert.equal((await call(reader, 'DELETE', `/api/admin/comments/${other.id}`)).statusCode, 403);
    assert.equal((await call(support, 'DELETE', `/api/admin/comments/${other.id}`)).statusCode, 204);
    assert.ok(!(await list(reader)).items.some((comment) => comment.id === other.id));
    assert.equal(
      (await call(author, 'PATCH', `/api/comments/${other.id}`, { body: 'Back' })).statusCode,
      404,
    );

    assert.equal(
      (await call(reader, 'PUT', `/api/admin/users/${author.userId}/comment-ban`)).statusCode,
      403,
    );
    assert.equal(
      (await call(support, 'PUT', `/api/admin/users/${author.userId}/comment-ban`)).statusCode,
      204,
    );
    const banned = await post(author, 'Let me speak');
    assert.equal(banned.statusCode, 403);
    assert.equal(banned.json<{ code: string }>().code, 'ENGAGEMENT_COMMENT_BANNED');
    const nobody = '00000000-0000-4000-8000-000000000000';
    assert.equal((await call(support, 'PUT', `/api/admin/users/${nobody}/comment-ban`)).statusCode, 404);
    assert.equal(
      (await call(support, 'DELETE', `/api/admin/users/${author.userId}/comment-ban`)).statusCode,
      204,
    );
    assert.equal((await post(author, 'Thanks')).statusCode, 201);
    const audited = await context.deps.database.db
      .selectFrom('auditLog')
      .select(['action', 'actorId', 'targetId'])
      .where('action', 'like', 'comment%')
      .orderBy('createdAt')
      .execute();
    assert.deepEqual(audited, [
      { action: 'comment.removed', actorId: support.userId, targetId: other.id },
      { action: 'comment_ban.created', actorId: support.userId, targetId: author.userId },
      { action: 'comment_ban.removed', actorId: support.userId, targetId: author.userId },
    ]);
  });

  it('comments only on published titles the profile may see', async () => {
    const kids = await kidsDevice(context, reader);
    assert.equal((await post(kids, 'Can I?', undefined, mature)).statusCode, 404);
    assert.equal((await call(kids, 'GET', `/api/titles/${mature}/comments`)).statusCode, 404);
    assert.equal((await post(reader, 'Early', undefined, draft)).statusCode, 404);
    const grownUp = (await post(reader, 'For grown-ups', undefined, mature)).json<Comment>();
    assert.equal((await call(kids, 'GET', `/api/comments/${grownUp.id}/replies`)).statusCode, 404);
    assert.equal((await call(kids, 'POST', `/api/comments/${grownUp.id}/report`)).statusCode, 404);
  });

  it('limits how fast one account posts', async () => {
    const chatty = await registerViewer(context.app);
    const statuses: number[] = [];
    for (let index = 0; index < 10; index++)
      statuses.push((await post(chatty, `Message ${index}`)).statusCode);
    assert.deepEqual(statuses.slice(0, 8), Array(8).fill(201));
    assert.equal(statuses[8], 429);
  });
});
