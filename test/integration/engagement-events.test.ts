import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGAGEMENT_EVENTS_CHANNEL, type EngagementEvent } from '../../src/modules/engagement/index.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { catalogMaker } from '../support/engagement-catalog.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/**
 * The domain events engagement publishes on the pub/sub port (channel `engagement.events`), as a
 * subscriber — recommendations, analytics — receives them: each one's exact payload.
 */
describe('engagement: events on the pub/sub port', () => {
  let context: TestContext;
  let clock: ManualClock;
  let viewer: SignedIn;
  let profileKey: string;
  let others: SignedIn[];
  let support: SignedIn;
  let movie: string;
  let series: { id: string; episodes: string[][] };
  const received: EngagementEvent[] = [];

  before(async () => {
    clock = new ManualClock(new Date());
    context = await createTestApp({
      clock,
      env: { ENGAGEMENT_PROGRESS_FLUSH_MS: '20', COMMENT_HIDE_AFTER_REPORTS: '2' },
    });
    await allowDevices(context);
    const editor = await signInWithRoles(context, ['content_manager']);
    const make = catalogMaker(context, editor);
    movie = await make.movie('Eventful', { maturityRating: 'G' });
    series = await make.series('Serial', [2]);
    viewer = await registerViewer(context.app, { name: 'Eve' });
    const profile = await context.deps.database.db
      .selectFrom('profiles')
      .select('id')
      .where('userId', '=', viewer.userId)
      .executeTakeFirstOrThrow();
    profileKey = profile.id;
    others = [await registerViewer(context.app), await registerViewer(context.app)];
    support = await signInWithRoles(context, ['support']);
    await context.deps.pubsub.subscribe(ENGAGEMENT_EVENTS_CHANNEL, (message) =>
      received.push(message as EngagementEvent),
    );
  });
  after(() => context.close());

  const call = (as: SignedIn, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    context.app.inject({ method, url, headers: as.headers, ...(payload && { payload }) });
  /** The events of these types published by what `act` did (delivery is asynchronous). */
  async function published<T extends EngagementEvent['type']>(
    types: T[],
    act: () => Promise<void>,
  ): Promise<Array<Extract<EngagementEvent, { type: T }>>> {
    const from = received.length;
    await act();
    await new Promise((resolve) => setTimeout(resolve, 200));
    return received
      .slice(from)
      .filter((event): event is Extract<EngagementEvent, { type: T }> => types.includes(event.type as T));
  }
  const now = () => clock.now().toISOString();

  it('TitleReacted: the thumb given, then null when taken back; none for the same thumb twice', async () => {
    const who = { userId: viewer.userId, profileKey, at: now() };
    const events = await published(['TitleReacted'], async () => {
      await call(viewer, 'PUT', `/api/titles/${movie}/reaction`, { reaction: 'up' });
      await call(viewer, 'PUT', `/api/titles/${movie}/reaction`, { reaction: 'up' });
      await call(viewer, 'DELETE', `/api/titles/${movie}/reaction`);
    });
    assert.deepEqual(events, [
      { type: 'TitleReacted', ...who, titleId: movie, reaction: 'up' },
      { type: 'TitleReacted', ...who, titleId: movie, reaction: null },
    ]);
  });

  it('TitleRated: the stars, the previous ones and the title’s new aggregates', async () => {
    const who = { userId: viewer.userId, profileKey, at: now() };
    let first: { ratingCount: number; ratingAverage: number; ratingScore: number } | undefined;
    let second: typeof first;
    const events = await published(['TitleRated'], async () => {
      first = (await call(viewer, 'PUT', `/api/titles/${movie}/rating`, { stars: 4 })).json();
      second = (await call(viewer, 'PUT', `/api/titles/${movie}/rating`, { stars: 2.5 })).json();
    });
    assert.ok(first && second);
    assert.deepEqual(events, [
      {
        type: 'TitleRated',
        ...who,
        titleId: movie,
        stars: 4,
        previous: null,
        ratingCount: 1,
        ratingAverage: 4,
        ratingScore: first.ratingScore,
      },
      {
        type: 'TitleRated',
        ...who,
        titleId: movie,
        stars: 2.5,
        previous: 4,
        ratingCount: 1,
        ratingAverage: 2.5,
        ratingScore: second.ratingScore,
      },
    ]);
    assert.ok(second.ratingScore < first.ratingScore, 'the score follows the stars');
  });

  it('ProgressRecorded with the last position written; TitleFinished names the next episode', async () => {
    const [[e1, e2]] = series.episodes as [[string, string]];
    const at = (seconds: number) => new Date(clock.now().getTime() - 60_000 + seconds * 1000).toISOString();
    const events = await published(['ProgressRecorded', 'TitleFinished'], async () => {
      for (const [position, second] of [
        [100, 1],
        [1490, 2],
      ] as const) {
        const posted = await call(viewer, 'POST', '/api/progress', {
          itemId: e1,
          positionSeconds: position,
          durationSeconds: 1500,
          at: at(second),
        });
        assert.equal(posted.statusCode, 202, posted.body);
      }
    });
    const who = { userId: viewer.userId, profileKey, at: at(2) };
    // The two reports may land in one flush (one event, the last position) or in two.
    const recorded = events.filter((event) => event.type === 'ProgressRecorded');
    assert.ok(recorded.length === 1 || recorded.length === 2, `${recorded.length}`);
    assert.deepEqual(recorded.at(-1), {
      type: 'ProgressRecorded',
      ...who,
      itemId: e1,
      titleId: series.id,
      positionSeconds: 1490,
      durationSeconds: 1500,
      country: null,
    });
    assert.deepEqual(
      events.filter((event) => event.type === 'TitleFinished'),
      [{ type: 'TitleFinished', ...who, itemId: e1, titleId: series.id, nextItemId: e2, country: null }],
    );
  });

  it('CommentPosted for comments and replies; CommentHidden by reports and by a moderator; CommentRestored', async () => {
    const [first, second] = others as [SignedIn, SignedIn];
    const who = { userId: viewer.userId, profileKey, at: now() };
    let commentId = '';
    let replyId = '';
    const posted = await published(['CommentPosted'], async () => {
      commentId = (await call(viewer, 'POST', `/api/titles/${movie}/comments`, { body: 'Loved it' })).json<{
        id: string;
      }>().id;
      replyId = (
        await call(viewer, 'POST', `/api/titles/${movie}/comments`, { body: 'Me again', parentId: commentId })
      ).json<{ id: string }>().id;
    });
    assert.deepEqual(posted, [
      { type: 'CommentPosted', ...who, commentId, titleId: movie, parentId: null },
      { type: 'CommentPosted', ...who, commentId: replyId, titleId: movie, parentId: commentId },
    ]);

    const hidden = await published(['CommentHidden'], async () => {
      await call(first, 'POST', `/api/comments/${commentId}/report`);
      await call(second, 'POST', `/api/comments/${commentId}/report`);
    });
    assert.deepEqual(hidden, [
      { type: 'CommentHidden', ...who, commentId, titleId: movie, reason: 'reports' },
    ]);
    const restored = await published(['CommentRestored'], async () => {
      assert.equal((await call(support, 'POST', `/api/admin/comments/${commentId}/restore`)).statusCode, 204);
    });
    assert.deepEqual(restored, [{ type: 'CommentRestored', ...who, commentId, titleId: movie }]);
    const removed = await published(['CommentHidden'], async () => {
      assert.equal((await call(support, 'DELETE', `/api/admin/comments/${replyId}`)).statusCode, 204);
    });
    assert.deepEqual(removed, [
      { type: 'CommentHidden', ...who, commentId: replyId, titleId: movie, reason: 'moderator' },
    ]);
  });
});
