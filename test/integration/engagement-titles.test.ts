import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENGAGEMENT_EVENTS_CHANNEL, type EngagementEvent } from '../../src/modules/engagement/index.ts';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { catalogMaker, kidsDevice } from '../support/engagement-catalog.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/** Thumbs, star ratings with exact aggregates, My List: per profile, and only one's own. */
describe('engagement: reactions, ratings, My List', () => {
  let context: TestContext;
  let viewer: SignedIn;
  let other: SignedIn;
  let movies: string[];
  let mature: string;
  let draft: string;
  const events: EngagementEvent[] = [];

  before(async () => {
    context = await createTestApp();
    const editor = await signInWithRoles(context, ['content_manager']);
    const make = catalogMaker(context, editor);
    movies = [];
    for (const title of ['Alpha', 'Bravo', 'Charlie', 'Delta']) {
      movies.push(await make.movie(title, { maturityRating: 'G' }));
    }
    mature = await make.movie('Grown-ups only', { maturityRating: 'R' });
    draft = (
      await context.app.inject({
        method: 'POST',
        url: '/api/admin/titles',
        headers: editor.headers,
        payload: { kind: 'movie', title: 'Unreleased' },
      })
    ).json<{ id: string }>().id;
    viewer = await registerViewer(context.app);
    other = await registerViewer(context.app);
    await context.deps.pubsub.subscribe(ENGAGEMENT_EVENTS_CHANNEL, (message) =>
      events.push(message as EngagementEvent),
    );
  });
  after(() => context.close());

  const call = (as: SignedIn, method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    context.app.inject({ method, url, headers: as.headers, ...(payload && { payload }) });
  const eventsOf = async (type: EngagementEvent['type']) => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return events.filter((event) => event.type === type);
  };

  it('keeps one thumb per profile and title: the same one twice changes nothing', async () => {
    const before = (await eventsOf('TitleReacted')).length;
    const first = await call(viewer, 'PUT', `/api/titles/${movies[0]}/reaction`, { reaction: 'up' });
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { titleId: movies[0], reaction: 'up' });
    const again = await call(viewer, 'PUT', `/api/titles/${movies[0]}/reaction`, { reaction: 'up' });
    assert.deepEqual(again.json(), first.json());
    assert.equal((await eventsOf('TitleReacted')).length, before + 1, 'an unchanged thumb is no event');
    await call(viewer, 'PUT', `/api/titles/${movies[0]}/reaction`, { reaction: 'down' });
    const opinion = await call(viewer, 'GET', `/api/titles/${movies[0]}/opinion`);
    assert.equal(opinion.json<{ reaction: string }>().reaction, 'down');
    const rows = await context.deps.database.db
      .selectFrom('titleReactions')
      .selectAll()
      .where('titleId', '=', movies[0]!)
      .execute();
    assert.equal(rows.length, 1);
    assert.equal((await call(viewer, 'DELETE', `/api/titles/${movies[0]}/reaction`)).statusCode, 204);
    assert.equal((await call(viewer, 'DELETE', `/api/titles/${movies[0]}/reaction`)).statusCode, 204);
    assert.equal(
      (await call(viewer, 'GET', `/api/titles/${movies[0]}/opinion`)).json<{ reaction: null }>().reaction,
      null,
    );
    const bad = await call(viewer, 'PUT', `/api/titles/${movies[0]}/reaction`, { reaction: 'love' });
    assert.equal(bad.statusCode, 400);
  });

  it('refuses ratings of 6, 0 and 2.7 with a problem naming the field', async () => {
    for (const stars of [6, 0, 2.7, -1, '4']) {
      const response = await call(viewer, 'PUT', `/api/titles/${movies[1]}/rating`, { stars });
      assert.equal(response.statusCode, 400, `${String(stars)} → ${response.statusCode}`);
      assert.match(response.headers['content-type'] as string, /application\/problem\+json/);
      assert.match(response.body, /stars/);
    }
    const stored = await context.deps.database.db
      .selectFrom('titleRatings')
      .selectAll()
      .where('titleId', '=', movies[1]!)
      .execute();
    assert.deepEqual(stored, []);
  });

  it('keeps count, average and score exact through random changes (checked against a recount)', async () => {
    const raters = [viewer, other];
    for (let index = 0; index < 6; index++) raters.push(await registerViewer(context.app));
    const halves = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 120; step++) {
      const rater = raters[random(raters.length)]!;
      const title = movies[random(movies.length)]!;
      if (random(5) === 0) {
        assert.equal((await call(rater, 'DELETE', `/api/titles/${title}/rating`)).statusCode, 204);
      } else {
        const stars = halves[random(halves.length)]!;
        const response = await call(rater, 'PUT', `/api/titles/${title}/rating`, { stars });
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.json<{ stars: number }>().stars, stars);
      }
    }
    const db = context.deps.database.db;
    const prior = (await db.selectFrom('titleRatingPrior').select('mean').executeTakeFirstOrThrow()).mean;
    for (const title of movies) {
      const scores = (
        await db.selectFrom('titleRatings').select('score').where('titleId', '=', title).execute()
      ).map((row) => Number(row.score));
      const row = await db
        .selectFrom('titles')
        .select(['ratingCount', 'ratingAverage', 'ratingScore', 'ratingSum', 'popularity'])
        .where('id', '=', title)
        .executeTakeFirstOrThrow();
      const sum = scores.reduce((total, score) => total + score, 0);
      assert.equal(row.ratingCount, scores.length);
      assert.equal(Number(row.ratingSum), sum);
      assert.equal(row.popularity, scores.length);
      if (scores.length === 0) {
        assert.equal(row.ratingAverage, null);
        assert.equal(row.ratingScore, null);
      } else {
        assert.ok(
          Math.abs(row.ratingAverage! - sum / scores.length) < 1e-12,
          `${row.ratingAverage} vs recount`,
        );
        const expected = (sum + 10 * prior) / (scores.length + 10);
        assert.ok(Math.abs(row.ratingScore! - expected) < 1e-12, `${row.ratingScore} vs ${expected}`);
      }
    }
    // The bulk recount (catalog's) lands on the same aggregates, whatever the increments did.
    const incremental = await db
      .selectFrom('titles')
      .select(['id', 'ratingCount', 'ratingAverage', 'ratingSum'])
      .where('id', 'in', movies)
      .orderBy('id')
      .execute();
    const rated = (await eventsOf('TitleRated')).length;
    assert.ok(rated > 0);
    const { TitleRatingsRepository } = await import('../../src/modules/catalog/title-ratings.repository.ts');
    await new TitleRatingsRepository(db).recomputeTitleStats();
    const recounted = await db
      .selectFrom('titles')
      .select(['id', 'ratingCount', 'ratingAverage', 'ratingSum'])
      .where('id', 'in', movies)
      .orderBy('id')
      .execute();
    assert.deepEqual(recounted, incremental);
  });

  it('refuses to rate, react to or list a title the profile may not see, as if it did not exist', async () => {
    const kids = await kidsDevice(context, viewer);
    for (const [url, payload] of [
      [`/api/titles/${mature}/rating`, { stars: 4 }],
      [`/api/titles/${mature}/reaction`, { reaction: 'up' }],
      [`/api/me/list/${mature}`, undefined],
    ] as const) {
      const response = await call(kids, 'PUT', url, payload);
      assert.equal(response.statusCode, 404, `${url} ${response.body}`);
    }
    const unpublished = await call(viewer, 'PUT', `/api/titles/${draft}/rating`, { stars: 4 });
    assert.equal(unpublished.statusCode, 404);
    assert.equal((await call(viewer, 'PUT', `/api/titles/${mature}/rating`, { stars: 4 })).statusCode, 200);
  });

  it('keeps My List per profile, in its own order, and nobody else’s', async () => {
    const kids = await kidsDevice(context, other);
    const listOf = async (as: SignedIn) =>
      (await call(as, 'GET', '/api/me/list'))
        .json<{ items: Array<{ titleId: string }> }>()
        .items.map((item) => item.titleId);
    for (const id of [movies[0], movies[1], movies[2]]) {
      assert.equal((await call(other, 'PUT', `/api/me/list/${id}`)).statusCode, 204);
    }
    assert.equal((await call(other, 'PUT', `/api/me/list/${movies[1]}`)).statusCode, 204, 'idempotent');
    assert.deepEqual(await listOf(other), [movies[2], movies[1], movies[0]], 'newest on top');
    assert.deepEqual(await listOf(kids), [], "a kids profile's list is its own");
    assert.equal((await call(kids, 'PUT', `/api/me/list/${movies[3]}`)).statusCode, 204);
    assert.deepEqual(await listOf(kids), [movies[3]]);
    assert.deepEqual(await listOf(viewer), [], "another account's list is not mine");

    const reordered = await call(other, 'PUT', '/api/me/list', { titleIds: [movies[0], movies[2]] });
    assert.equal(reordered.statusCode, 204, reordered.body);
    assert.deepEqual(await listOf(other), [movies[0], movies[2], movies[1]]);
    for (const titleIds of [[movies[0], movies[0]], [movies[3]]]) {
      const refused = await call(other, 'PUT', '/api/me/list', { titleIds });
      assert.equal(refused.json<{ code: string }>().code, 'ENGAGEMENT_LIST_ORDER_MISMATCH');
    }
    // Another account can neither remove from nor reorder this list.
    assert.equal((await call(viewer, 'DELETE', `/api/me/list/${movies[0]}`)).statusCode, 404);
    assert.equal(
      (await call(viewer, 'PUT', '/api/me/list', { titleIds: [movies[1]] })).json<{ code: string }>().code,
      'ENGAGEMENT_LIST_ORDER_MISMATCH',
    );
    assert.deepEqual(await listOf(other), [movies[0], movies[2], movies[1]]);
    assert.equal((await call(other, 'DELETE', `/api/me/list/${movies[2]}`)).statusCode, 204);
    assert.deepEqual(await listOf(other), [movies[0], movies[1]]);
    const changes = (await eventsOf('ListChanged')).filter((event) => event.userId === other.userId);
    assert.deepEqual(
      changes.map((event) => (event.type === 'ListChanged' ? event.change : '')),
      ['added', 'added', 'added', 'added', 'reordered', 'removed'],
    );
  });

  it('keeps a rating per profile, and another account cannot remove it', async () => {
    await call(viewer, 'PUT', `/api/titles/${movies[3]}/rating`, { stars: 5 });
    assert.equal((await call(other, 'DELETE', `/api/titles/${movies[3]}/rating`)).statusCode, 204);
    const mine = await call(viewer, 'GET', `/api/titles/${movies[3]}/opinion`);
    assert.equal(mine.json<{ stars: number }>().stars, 5);
  });
});
