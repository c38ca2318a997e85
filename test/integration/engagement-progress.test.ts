import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPlayableItems } from '../../src/modules/catalog/index.ts';
import {
  ENGAGEMENT_EVENTS_CHANNEL,
  EngagementEvents,
  ProgressRecorder,
  WatchProgressRepository,
  type EngagementEvent,
} from '../../src/modules/engagement/index.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { AppError } from '../../src/shared/errors.ts';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { catalogMaker, kidsDevice } from '../support/engagement-catalog.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

interface Continuing {
  itemId: string;
  titleId: string;
  positionSeconds: number;
}

/**
 * Watch progress through the buffer: POST /api/progress, the last position by the player's time,
 * clamping, continue watching with its next-episode rule, history per profile, back-pressure and
 * the flush at shutdown.
 */
describe('engagement: progress, continue watching, history', () => {
  let context: TestContext;
  let viewer: SignedIn;
  let movie: string;
  let longMovie: string;
  let series: { id: string; episodes: string[][] };
  const events: EngagementEvent[] = [];

  before(async () => {
    context = await createTestApp({ env: { ENGAGEMENT_PROGRESS_FLUSH_MS: '20' } });
    const editor = await signInWithRoles(context, ['content_manager']);
    const make = catalogMaker(context, editor);
    movie = await make.movie('Short film', { maturityRating: 'G' });
    longMovie = await make.movie('Epic', { maturityRating: 'G' });
    series = await make.series('Saga', [2, 1]);
    viewer = await registerViewer(context.app);
    await context.deps.pubsub.subscribe(ENGAGEMENT_EVENTS_CHANNEL, (message) =>
      events.push(message as EngagementEvent),
    );
  });
  after(() => context.close());

  const report = (as: SignedIn, payload: object) =>
    context.app.inject({ method: 'POST', url: '/api/progress', headers: as.headers, payload });
  const get = (as: SignedIn, url: string) => context.app.inject({ url, headers: as.headers });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
  const continuing = async (as: SignedIn) =>
    (await get(as, '/api/me/continue-watching')).json<{ items: Continuing[] }>().items;
  const stored = (itemId: string, as: SignedIn = viewer) =>
    context.deps.database.db
      .selectFrom('watchProgress')
      .selectAll()
      .where('userId', '=', as.userId)
      .where('itemId', '=', itemId)
      .executeTakeFirst();

  it('records a position without a stream, clamps one past the end, refuses a negative one', async () => {
    const accepted = await report(viewer, { itemId: movie, positionSeconds: 60, durationSeconds: 1000 });
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.deepEqual(accepted.json(), { positionSeconds: 60, finished: false });
    const clamped = await report(viewer, {
      itemId: longMovie,
      positionSeconds: 99_999,
      durationSeconds: 7200,
    });
    assert.deepEqual(clamped.json(), { positionSeconds: 7200, finished: true });
    for (const payload of [
      { itemId: movie, positionSeconds: -1 },
      { itemId: movie, positionSeconds: 10, durationSeconds: 0 },
      { itemId: movie, positionSeconds: 'ten' },
      { itemId: 'nope', positionSeconds: 10 },
    ]) {
      const refused = await report(viewer, payload);
      assert.equal(refused.statusCode, 400, JSON.stringify(payload));
      assert.match(refused.headers['content-type'] as string, /application\/problem\+json/);
    }
    const missing = await report(viewer, {
      itemId: '00000000-0000-4000-8000-000000000000',
      positionSeconds: 1,
    });
    assert.equal(missing.statusCode, 404);
    const aSeries = await report(viewer, { itemId: series.id, positionSeconds: 1 });
    assert.ok(aSeries.statusCode >= 400 && aSeries.statusCode < 500, aSeries.body);
    await settle();
    assert.equal((await stored(longMovie))?.positionSeconds, 7200);
    assert.equal((await stored(movie))?.positionSeconds, 60);
  });

  it('clamps a report without a length to the length an earlier report gave (waiting or stored)', async () => {
    const player = await registerViewer(context.app);
    await report(player, { itemId: movie, positionSeconds: 60, durationSeconds: 1000 });
    const waiting = await report(player, { itemId: movie, positionSeconds: 5000 });
    assert.deepEqual(waiting.json(), { positionSeconds: 1000, finished: true });
    await settle();
    await report(player, { itemId: longMovie, positionSeconds: 100, durationSeconds: 7200 });
    await settle();
    const stored = await report(player, { itemId: longMovie, positionSeconds: 1_000_000 });
    assert.deepEqual(stored.json(), { positionSeconds: 7200, finished: true });
    await settle();
    const rows = await context.deps.database.db
      .selectFrom('watchProgress')
      .select(['itemId', 'positionSeconds', 'durationSeconds', 'finished'])
      .where('userId', '=', player.userId)
      .orderBy('positionSeconds')
      .execute();
    assert.deepEqual(rows, [
      { itemId: movie, positionSeconds: 1000, durationSeconds: 1000, finished: true },
      { itemId: longMovie, positionSeconds: 7200, durationSeconds: 7200, finished: true },
    ]);
  });

  it('keeps the latest position by the player’s time, whatever order reports arrive in', async () => {
    const player = await registerViewer(context.app);
    const at = (minute: number) => `2026-01-01T10:${String(minute).padStart(2, '0')}:00Z`;
    await report(player, { itemId: movie, positionSeconds: 300, durationSeconds: 1000, at: at(30) });
    await settle();
    // An offline device syncs an older position later: it must not move the resume point back.
    await report(player, { itemId: movie, positionSeconds: 100, durationSeconds: 1000, at: at(10) });
    await settle();
    assert.equal((await stored(movie, player))?.positionSeconds, 300);
    await report(player, { itemId: movie, positionSeconds: 400, durationSeconds: 1000, at: at(40) });
    await report(player, { itemId: movie, positionSeconds: 350, durationSeconds: 1000, at: at(35) });
    await settle();
    assert.equal((await stored(movie, player))?.positionSeconds, 400);
    // A device clock in the future counts as now, not as a position nobody can replace.
    await report(player, {
      itemId: movie,
      positionSeconds: 500,
      durationSeconds: 1000,
      at: '2099-01-01T00:00:00Z',
    });
    await settle();
    const row = await stored(movie, player);
    assert.equal(row?.positionSeconds, 500);
    assert.ok(row.updatedAt.getTime() <= Date.now());
  });

  it('two instances flushing out of order still end on the last position', async () => {
    const repository = new WatchProgressRepository(context.deps.database.db);
    const entry = (positionSeconds: number, at: string) => ({
      userId: viewer.userId,
      profileKey: 'instance-test',
      itemId: longMovie,
      titleId: longMovie,
      positionSeconds,
      durationSeconds: 7200,
      finished: false,
      country: null,
      at: new Date(at),
    });
    const newer = await repository.upsertMany([entry(900, '2026-02-01T10:05:00Z')]);
    const older = await repository.upsertMany([entry(600, '2026-02-01T10:00:00Z')]);
    assert.equal(newer.length, 1);
    assert.equal(older.length, 0, 'the older position is not written');
    const row = await repository.find({ userId: viewer.userId, profileKey: 'instance-test' }, longMovie);
    assert.equal(row?.positionSeconds, 900);
  });

  it('shows in-progress items by recency; a finished episode gives way to the next one', async () => {
    const [[e1, e2], [s2e1]] = series.episodes as [[string, string], [string]];
    await report(viewer, { itemId: e1, positionSeconds: 200, durationSeconds: 1500 });
    await settle();
    let items = await continuing(viewer);
    assert.equal(items[0]?.itemId, e1, 'the latest first');
    assert.ok(!items.some((item) => item.itemId === longMovie), 'a finished movie leaves it');
    assert.equal(items.filter((item) => item.titleId === series.id).length, 1, 'one row per series');

    await report(viewer, { itemId: e1, positionSeconds: 1490, durationSeconds: 1500 });
    await settle();
    items = await continuing(viewer);
    assert.deepEqual(
      items.filter((item) => item.titleId === series.id).map((item) => [item.itemId, item.positionSeconds]),
      [[e2, 0]],
      'the next episode took its place',
    );
    await report(viewer, { itemId: e2, positionSeconds: 1500, durationSeconds: 1500 });
    await settle();
    items = await continuing(viewer);
    assert.equal(items.find((item) => item.titleId === series.id)?.itemId, s2e1, 'across seasons');
    await report(viewer, { itemId: s2e1, positionSeconds: 1500, durationSeconds: 1500 });
    await settle();
    items = await continuing(viewer);
    assert.ok(!items.some((item) => item.titleId === series.id), 'after the last episode the series leaves');
    const rows = (await get(viewer, '/api/me/rows')).json<{
      continueWatching: Continuing[];
      myList: unknown[];
    }>();
    assert.deepEqual(rows.continueWatching, items, 'the personal rows carry the same continue watching');
    const finished = events.filter(
      (event) => event.type === 'TitleFinished' && event.userId === viewer.userId,
    );
    assert.deepEqual(
      finished.map((event) => (event.type === 'TitleFinished' ? [event.itemId, event.nextItemId] : [])),
      [
        [longMovie, null],
        [e1, e2],
        [e2, s2e1],
        [s2e1, null],
      ],
    );
    assert.ok(events.some((event) => event.type === 'ProgressRecorded' && event.itemId === e1));
  });

  it('keeps history per profile; clears one item or all, never another account’s', async () => {
    const kids = await kidsDevice(context, viewer);
    const other = await registerViewer(context.app);
    await report(kids, { itemId: movie, positionSeconds: 42, durationSeconds: 1000 });
    await settle();
    const historyOf = async (as: SignedIn) =>
      (await get(as, '/api/me/history?limit=2')).json<{
        items: Array<{ itemId: string; positionSeconds: number }>;
        nextCursor: string | null;
      }>();
    const kidsHistory = await historyOf(kids);
    assert.deepEqual(
      kidsHistory.items.map((item) => [item.itemId, item.positionSeconds]),
      [[movie, 42]],
    );
    const mine = await historyOf(viewer);
    assert.equal(mine.items.length, 2);
    assert.ok(mine.nextCursor);
    const next = await get(viewer, `/api/me/history?limit=2&cursor=${mine.nextCursor}`);
    assert.equal(next.statusCode, 200);
    const seen = [...mine.items, ...next.json<{ items: Array<{ itemId: string }> }>().items].map(
      (item) => item.itemId,
    );
    assert.equal(new Set(seen).size, seen.length, 'pages do not repeat');
    assert.equal((await get(viewer, '/api/me/history?cursor=garbage')).statusCode, 400);

    const otherAccount = await context.app.inject({
      method: 'DELETE',
      url: `/api/me/history/${movie}`,
      headers: other.headers,
    });
    assert.equal(otherAccount.statusCode, 404);
    assert.equal((await historyOf(kids)).items.length, 1, 'untouched by another account');

    const removed = await context.app.inject({
      method: 'DELETE',
      url: `/api/me/history/${movie}`,
      headers: viewer.headers,
    });
    assert.equal(removed.statusCode, 204);
    assert.equal((await historyOf(kids)).items.length, 1, "the kids profile's history is its own");
    assert.ok(!(await continuing(viewer)).some((item) => item.itemId === movie));
    const cleared = await context.app.inject({
      method: 'DELETE',
      url: '/api/me/history',
      headers: viewer.headers,
    });
    assert.equal(cleared.statusCode, 204);
    assert.deepEqual((await historyOf(viewer)).items, []);
    assert.deepEqual(await continuing(viewer), []);
    assert.equal((await historyOf(kids)).items.length, 1);
  });

  it('pushes back when the buffer is full instead of growing, and flushes on close', async () => {
    const { items, close } = await createPlayableItems({
      db: context.deps.database.db,
      cache: context.deps.cache,
      pubsub: context.deps.pubsub,
    });
    const recorder = new ProgressRecorder({
      repository: new WatchProgressRepository(context.deps.database.db),
      items,
      events: new EngagementEvents({
        pubsub: context.deps.pubsub,
        logger: createLogger({ level: 'silent', pretty: false }),
      }),
      clock: systemClock,
      logger: createLogger({ level: 'silent', pretty: false }),
      flushMs: 3_600_000,
      maxEntries: 2,
    });
    const who = (n: number) => ({
      userId: viewer.userId,
      profileId: null,
      positionSeconds: n,
      durationSeconds: 5000,
    });
    const itemIds = [movie, longMovie, ...series.episodes.flat()];
    for (const itemId of itemIds) await recorder.item(itemId);
    const results = await Promise.allSettled(
      itemIds.map((itemId, n) => recorder.record({ ...who(n + 1), itemId })),
    );
    const refused = results.filter((result) => result.status === 'rejected');
    assert.ok(refused.length > 0, 'some reports were refused while a flush was writing');
    for (const result of refused) {
      assert.ok(result.reason instanceof AppError && result.reason.code === 'ENGAGEMENT_PROGRESS_BUSY');
    }
    assert.ok(recorder.pending <= 2, `${recorder.pending} waiting`);
    const waiting = recorder.pending;
    assert.ok(waiting > 0);
    await recorder.close();
    assert.equal(recorder.pending, 0);
    const rows = await context.deps.database.db
      .selectFrom('watchProgress')
      .select('itemId')
      .where('userId', '=', viewer.userId)
      .where('profileKey', '=', 'account')
      .execute();
    const accepted = results.filter((result) => result.status === 'fulfilled').length;
    assert.equal(rows.length, accepted, 'every accepted report was written, the last ones by close()');
    await close();
  });
});
