import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/platform/clock.ts';
import {
  allowDevices,
  loginAs,
  registerViewer,
  signInWithRoles,
  type SignedIn,
} from '../support/accounts.ts';
import { catalogMaker, kidsDevice } from '../support/engagement-catalog.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

interface Comment {
  id: string;
  body: string | null;
  mine: boolean;
}
interface QueueItem {
  id: string;
  titleId: string;
  authorId: string;
  authorName: string;
  body: string;
  hiddenAt: string | null;
  reportCount: number;
  reports: Array<{ reason: string; count: number }>;
  lastReportedAt: string | null;
}
interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
}

/**
 * The moderation queue (support, admin): hidden and reported comments with their reports by
 * reason, restoring and dismissing — audited, and refused to everyone else. Kids profiles read
 * comments but do not post; a comment belongs to the profile that posted it.
 */
describe('engagement: comment moderation queue, kids profiles, per-profile authorship', () => {
  let context: TestContext;
  let clock: ManualClock;
  let author: SignedIn;
  let reporters: SignedIn[];
  let support: SignedIn;
  let admin: SignedIn;
  let movie: string;

  before(async () => {
    clock = new ManualClock(new Date());
    context = await createTestApp({
      clock,
      env: { COMMENT_HIDE_AFTER_REPORTS: '2', COMMENTS_PER_MINUTE: '100' },
    });
    await allowDevices(context);
    const editor = await signInWithRoles(context, ['content_manager']);
    movie = await catalogMaker(context, editor).movie('Argued over', { maturityRating: 'G' });
    author = await registerViewer(context.app, { name: 'Author' });
    reporters = [];
    for (let index = 0; index < 3; index++) reporters.push(await registerViewer(context.app));
    support = await signInWithRoles(context, ['support']);
    admin = await signInWithRoles(context, ['admin']);
  });
  after(() => context.close());

  const call = (
    as: SignedIn | undefined,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => context.app.inject({ method, url, ...(as && { headers: as.headers }), ...(payload && { payload }) });
  const post = async (as: SignedIn, body: string) => {
    clock.advance(1000);
    const posted = await call(as, 'POST', `/api/titles/${movie}/comments`, { body });
    assert.equal(posted.statusCode, 201, posted.body);
    return posted.json<Comment>();
  };
  const reportAs = async (as: SignedIn, id: string, reason?: string) => {
    clock.advance(1000);
    const reported = await call(as, 'POST', `/api/comments/${id}/report`, reason ? { reason } : undefined);
    assert.equal(reported.statusCode, 204, reported.body);
  };
  const queue = async (as: SignedIn, query = '') => {
    const response = await call(as, 'GET', `/api/admin/comments${query}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json<QueuePage>();
  };
  const shown = async (id: string) =>
    (await call(reporters[2], 'GET', `/api/titles/${movie}/comments?limit=100`))
      .json<{ items: Comment[] }>()
      .items.some((comment) => comment.id === id);

  it('lists hidden and reported comments newest first, in cursor pages, with reports by reason', async () => {
    const [first, second, third] = reporters as [SignedIn, SignedIn, SignedIn];
    const quiet = await post(author, 'Nobody minds this');
    const spam = await post(author, 'Buy cheap tickets <a href="x">here</a>');
    const rude = await post(author, 'Something rude');
    await reportAs(first, spam.id, 'spam');
    await reportAs(first, rude.id, 'harassment');
    await reportAs(second, rude.id);
    const again = await call(third, 'POST', `/api/comments/${rude.id}/report`, { reason: 'spam' });
    assert.equal(again.statusCode, 404, 'a hidden comment is out of readers’ sight, reports included');

    const all = await queue(support);
    assert.deepEqual(
      all.items.map((item) => item.id),
      [rude.id, spam.id],
      'newest first; an unreported comment is not queued',
    );
    assert.ok(!all.items.some((item) => item.id === quiet.id));
    const [rudeItem, spamItem] = all.items as [QueueItem, QueueItem];
    assert.equal(rudeItem.authorId, author.userId);
    assert.equal(rudeItem.authorName, 'Author');
    assert.equal(rudeItem.reportCount, 2);
    assert.ok(rudeItem.hiddenAt, 'two reports hid it');
    assert.deepEqual(rudeItem.reports, [
      { reason: 'harassment', count: 1 },
      { reason: 'other', count: 1 },
    ]);
    assert.equal(rudeItem.lastReportedAt, rudeItem.hiddenAt, 'the second report hid it');
    assert.equal(spamItem.body, 'Buy cheap tickets <a href="x">here</a>', 'the text as posted');
    assert.equal(spamItem.hiddenAt, null);
    assert.deepEqual(spamItem.reports, [{ reason: 'spam', count: 1 }]);

    const hidden = await queue(support, '?status=hidden');
    assert.deepEqual(
      hidden.items.map((item) => item.id),
      [rude.id],
    );
    const firstPage = await queue(admin, '?limit=1');
    assert.deepEqual(
      firstPage.items.map((item) => item.id),
      [rude.id],
    );
    const nextPage = await queue(admin, `?limit=1&cursor=${firstPage.nextCursor}`);
    assert.deepEqual(
      nextPage.items.map((item) => item.id),
      [spam.id],
    );

    for (const query of ['?status=everything', '?cursor=nonsense', '?limit=0']) {
      const refused = await call(support, 'GET', `/api/admin/comments${query}`);
      assert.equal(refused.statusCode, 400, query);
      assert.match(refused.headers['content-type'] as string, /application\/problem\+json/);
    }
    const badReason = await call(first, 'POST', `/api/comments/${quiet.id}/report`, { reason: 'boring' });
    assert.equal(badReason.statusCode, 400);
    assert.equal(await shown(quiet.id), true, 'a refused report changed nothing');
  });

  it('restores a hidden comment (its reporters cannot hide it again) and dismisses reports — audited', async () => {
    const [first, second, third] = reporters as [SignedIn, SignedIn, SignedIn];
    const fine = await post(author, 'Actually fine');
    await reportAs(first, fine.id, 'inappropriate');
    await reportAs(second, fine.id, 'inappropriate');
    assert.equal(await shown(fine.id), false);

    assert.equal((await call(support, 'POST', `/api/admin/comments/${fine.id}/restore`)).statusCode, 204);
    assert.equal(await shown(fine.id), true);
    assert.ok(!(await queue(support)).items.some((item) => item.id === fine.id), 'left the queue');
    await reportAs(first, fine.id, 'spam');
    await reportAs(second, fine.id, 'spam');
    assert.equal(await shown(fine.id), true, 'the same reporters count once, even after a dismissal');
    await reportAs(third, fine.id, 'spam');
    const reportedAgain = (await queue(support, '?status=reported')).items.find(
      (item) => item.id === fine.id,
    );
    assert.deepEqual(reportedAgain?.reports, [{ reason: 'spam', count: 1 }], 'a new reporter counts');

    const restoredTwice = await call(support, 'POST', `/api/admin/comments/${fine.id}/restore`);
    assert.equal(restoredTwice.statusCode, 409);
    assert.equal(restoredTwice.json<{ code: string }>().code, 'ENGAGEMENT_COMMENT_NOT_HIDDEN');

    const dismissed = await call(admin, 'POST', `/api/admin/comments/${fine.id}/dismiss-reports`);
    assert.deepEqual(dismissed.json(), { dismissed: 1 });
    assert.deepEqual((await call(admin, 'POST', `/api/admin/comments/${fine.id}/dismiss-reports`)).json(), {
      dismissed: 0,
    });
    assert.ok(!(await queue(support)).items.some((item) => item.id === fine.id));
    assert.equal(await shown(fine.id), true, 'dismissing leaves it shown');

    const nobodyKnows = '00000000-0000-4000-8000-000000000000';
    assert.equal((await call(support, 'POST', `/api/admin/comments/${nobodyKnows}/restore`)).statusCode, 404);
    assert.equal(
      (await call(support, 'POST', `/api/admin/comments/${nobodyKnows}/dismiss-reports`)).statusCode,
      404,
    );
    const removed = await post(author, 'To be removed');
    await reportAs(first, removed.id);
    await reportAs(second, removed.id);
    assert.equal((await call(support, 'DELETE', `/api/admin/comments/${removed.id}`)).statusCode, 204);
    assert.equal((await call(support, 'POST', `/api/admin/comments/${removed.id}/restore`)).statusCode, 404);
    assert.ok(!(await queue(support)).items.some((item) => item.id === removed.id), 'removed: done with');

    const audited = await context.deps.database.db
      .selectFrom('auditLog')
      .select(['action', 'actorId', 'targetId', 'after'])
      .where('targetId', '=', fine.id)
      .orderBy('createdAt')
      .execute();
    assert.deepEqual(audited, [
      {
        action: 'comment.restored',
        actorId: support.userId,
        targetId: fine.id,
        after: { hiddenAt: null, dismissedReports: 2 },
      },
      {
        action: 'comment_reports.dismissed',
        actorId: admin.userId,
        targetId: fine.id,
        after: { dismissed: 1 },
      },
    ]);
  });

  it('refuses the queue and its actions to nobody (401), viewers and the author (403)', async () => {
    const [first, second] = reporters as [SignedIn, SignedIn];
    const hidden = await post(author, 'Hide me');
    await reportAs(first, hidden.id);
    await reportAs(second, hidden.id);
    const auditedBefore = await context.deps.database.db
      .selectFrom('auditLog')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const attempts: Array<['GET' | 'POST', string]> = [
      ['GET', '/api/admin/comments'],
      ['POST', `/api/admin/comments/${hidden.id}/restore`],
      ['POST', `/api/admin/comments/${hidden.id}/dismiss-reports`],
    ];
    for (const [method, url] of attempts) {
      assert.equal((await call(undefined, method, url)).statusCode, 401, `${method} ${url} as nobody`);
      for (const as of [author, first]) {
        const refused = await call(as, method, url);
        assert.equal(refused.statusCode, 403, `${method} ${url} as a viewer`);
        assert.match(refused.headers['content-type'] as string, /application\/problem\+json/);
      }
    }
    assert.equal(await shown(hidden.id), false, 'still hidden');
    const reports = await context.deps.database.db
      .selectFrom('commentReports')
      .select(['dismissedAt'])
      .where('commentId', '=', hidden.id)
      .execute();
    assert.deepEqual(reports, [{ dismissedAt: null }, { dismissedAt: null }], 'nothing dismissed');
    const auditedAfter = await context.deps.database.db
      .selectFrom('auditLog')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(auditedAfter.n, auditedBefore.n);
  });

  it('lets a kids profile read the comments of titles it may see, never post them', async () => {
    const parent = await registerViewer(context.app, { name: 'Parent' });
    const written = await post(parent, 'Great for the family');
    const kids = await kidsDevice(context, parent);
    const read = await call(kids, 'GET', `/api/titles/${movie}/comments?limit=100`);
    assert.equal(read.statusCode, 200);
    const seen = read.json<{ items: Comment[] }>().items.find((comment) => comment.id === written.id);
    assert.equal(seen?.mine, false, 'the parent profile’s comment is not the kids profile’s');
    const refused = await call(kids, 'POST', `/api/titles/${movie}/comments`, { body: 'Me too!' });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json<{ code: string }>().code, 'ENGAGEMENT_COMMENT_KIDS_PROFILE');
    const reply = await call(kids, 'POST', `/api/titles/${movie}/comments`, {
      body: 'Me too!',
      parentId: written.id,
    });
    assert.equal(reply.statusCode, 403);
    assert.equal(
      (await call(kids, 'PATCH', `/api/comments/${written.id}`, { body: 'Changed' })).statusCode,
      404,
    );
    assert.equal((await call(kids, 'DELETE', `/api/comments/${written.id}`)).statusCode, 404);
    const stored = await context.deps.database.db
      .selectFrom('comments')
      .select(['body', 'deletedAt'])
      .where('userId', '=', parent.userId)
      .execute();
    assert.deepEqual(stored, [{ body: 'Great for the family', deletedAt: null }]);
  });

  it('keeps a comment its posting profile’s: another adult profile of the account may not edit or delete it', async () => {
    const household = await registerViewer(context.app, { name: 'First adult' });
    const written = await post(household, 'Mine, not yours');
    const device = await loginAs(context.app, household);
    const created = await call(household, 'POST', '/api/profiles', { name: 'Second adult' });
    assert.equal(created.statusCode, 201, created.body);
    const selected = await call(
      device,
      'POST',
      `/api/profiles/${created.json<{ id: string }>().id}/select`,
      {},
    );
    assert.ok(selected.statusCode < 300, selected.body);
    assert.equal(
      (await call(device, 'PATCH', `/api/comments/${written.id}`, { body: 'Edited' })).statusCode,
      404,
    );
    assert.equal((await call(device, 'DELETE', `/api/comments/${written.id}`)).statusCode, 404);
    const own = await call(household, 'PATCH', `/api/comments/${written.id}`, { body: 'Still mine' });
    assert.equal(own.statusCode, 200);
    assert.equal(own.json<Comment>().mine, true);
  });
});
