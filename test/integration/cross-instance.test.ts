import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.ts';
import { createCatalogFacts, createPlayableItems } from '../../src/modules/catalog/index.ts';
import { createRecommendations } from '../../src/modules/recommendations/index.ts';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { catalogMaker } from '../support/engagement-catalog.ts';
import { scratchDir } from '../support/media-clips.ts';
import { harness, publishedClip, type Harness } from '../support/media-harness.ts';
import { serverUrl } from '../support/test-database.ts';
import { redisUrl } from '../support/test-redis.ts';

/**
 * What a user of one instance does must hold on every other: each scenario sends its two halves
 * to two API instances that share only PostgreSQL, Redis and storage (their own connections,
 * caches and services). Real services only: an embedded database is one process's.
 */

describe('two API instances', { skip: !serverUrl || !redisUrl }, () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let a: App;
  let b: App;
  let closeB: () => Promise<void>;
  let movieId: string;

  before(async () => {
    h = await harness(undefined, {
      TRANSCODE_LADDER: '240:300',
      AUTH_LOCKOUT_AFTER_FAILURES: '3',
      AUTH_LOCKOUT_MAX_SECONDS: '60',
    });
    await allowDevices(h.context);
    scratch = await scratchDir();
    ({ movieId } = await publishedClip(h, { title: 'Two instances', dir: scratch.dir, seconds: 2 }));
    a = h.context.app;
    const second = await h.context.anotherInstance();
    b = second.app;
    closeB = second.close;
  });
  after(async () => {
    await closeB();
    await h.close();
    await scratch.remove();
  });

  const me = (app: App, viewer: SignedIn) => app.inject({ url: '/api/me', headers: viewer.headers });

  it('a sign-out on one instance is refused on the other at once', async () => {
    const viewer = await signInWithRoles(h.context, ['viewer']);
    assert.equal((await me(a, viewer)).statusCode, 200);
    assert.equal((await me(b, viewer)).statusCode, 200); // both have seen the session
    const signedOut = await b.inject({ method: 'POST', url: '/api/auth/logout', headers: viewer.headers });
    assert.equal(signedOut.statusCode, 204, signedOut.body);
    assert.equal((await me(a, viewer)).statusCode, 401);
  });

  it('failed sign-ins on one instance count towards the pause on the other', async () => {
    const viewer = await signInWithRoles(h.context, ['viewer']);
    const login = (app: App, password: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '203.0.113.9',
        payload: { email: viewer.email, password },
      });
    assert.equal((await login(a, 'wrong-1')).statusCode, 401);
    assert.equal((await login(b, 'wrong-2')).statusCode, 401);
    assert.equal((await login(a, 'wrong-3')).statusCode, 401);
    const paused = await login(b, viewer.password);
    assert.equal(paused.statusCode, 429, paused.body);
    assert.equal(paused.json<{ code: string }>().code, 'AUTH_TOO_MANY_ATTEMPTS');
  });

  it("a stream playing through one instance counts against the plan's limit on the other", async () => {
    const viewer = await signInWithRoles(h.context, ['viewer']); // Free: one stream at a time
    const tv = await a.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: viewer.email, password: viewer.password, device: { name: 'TV', type: 'tv' } },
    });
    assert.equal(tv.statusCode, 200, tv.body);
    const first = await a.inject({
      method: 'POST',
      url: `/api/playback/${movieId}`,
      headers: viewer.headers,
    });
    assert.equal(first.statusCode, 201, first.body);
    const second = await b.inject({
      method: 'POST',
      url: `/api/playback/${movieId}`,
      headers: { authorization: `Bearer ${tv.json<{ accessToken: string }>().accessToken}` },
    });
    assert.equal(second.statusCode, 409, second.body);
    assert.equal(second.json<{ code: string }>().code, 'PLAYBACK_STREAM_LIMIT');
  });

  it('"not interested" on one instance leaves the other\'s recommendations at once', async () => {
    const make = catalogMaker(h.context, h.admin);
    const harbour = { tags: ['harbour', 'lighthouse'] };
    const liked = await make.movie('Harbour Lights', harbour);
    const offered = await make.movie('Harbour Lights Again', harbour);
    const viewer = await registerViewer(a);
    const rowsOf = async (app: App) => {
      const response = await app.inject({ url: '/api/recommendations', headers: viewer.headers });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<{ rows: { kind: string; key: string | null; items: { titleId: string }[] }[] }>()
        .rows;
    };
    const ids = async (app: App) =>
      (await rowsOf(app)).flatMap((row) => row.items.map((item) => item.titleId));
    const becauseLiked = async (app: App) =>
      (await rowsOf(app)).some(
        (row) =>
          row.kind === 'because' && row.key === liked && row.items.some((item) => item.titleId === offered),
      );
    const thumb = await a.inject({
      method: 'PUT',
      url: `/api/titles/${liked}/reaction`,
      headers: viewer.headers,
      payload: { reaction: 'up' },
    });
    assert.equal(thumb.statusCode, 200, thumb.body);
    const { db } = h.context.deps.database;
    const signal = () =>
      db.selectFrom('recommendationSignals').select('titleId').where('userId', '=', viewer.userId).execute();
    for (let attempt = 0; attempt < 100 && (await signal()).length === 0; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    // Titles' neighbours come from training: before it, no "because you watched" (B remembers that).
    assert.equal(await becauseLiked(b), false);
    // The scheduled training, as the worker runs it (a third process's parts on the same services).
    const playable = await createPlayableItems({
      db,
      cache: h.context.deps.cache,
      pubsub: h.context.deps.pubsub,
    });
    try {
      const worker = createRecommendations({
        db,
        cache: h.context.deps.cache,
        pubsub: h.context.deps.pubsub,
        clock: h.context.deps.clock,
        logger: h.context.deps.logger,
        facts: createCatalogFacts(db),
        items: playable.items,
        config: h.context.deps.config,
      });
      await worker.trainer.train();
    } finally {
      await playable.close();
    }
    // Training moves the global version (pub/sub): B serves the new rows within moments.
    for (let attempt = 0; attempt < 40 && !(await becauseLiked(b)); attempt++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(await becauseLiked(b), 'B recommends the title like the one liked, after training');
    assert.ok((await ids(b)).includes(offered), 'and serves it again from its own memory');
    const refused = await a.inject({
      method: 'POST',
      url: '/api/recommendations/not-interested',
      headers: viewer.headers,
      payload: { titleId: offered },
    });
    assert.equal(refused.statusCode, 204, refused.body);
    assert.ok(!(await ids(b)).includes(offered), "gone from B's very next answer");
  });

  it("an admin's change on one instance shows on the other's cached pages at once", async () => {
    const read = async (app: App) => {
      const response = await app.inject({ url: `/api/titles/${movieId}` });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<{ title: string }>().title;
    };
    assert.equal(await read(a), 'Two instances');
    assert.equal(await read(a), 'Two instances'); // cached now
    const changed = await b.inject({
      method: 'PATCH',
      url: `/api/admin/titles/${movieId}`,
      headers: h.admin.headers,
      payload: { title: 'Two instances, renamed' },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(await read(a), 'Two instances, renamed');
  });
});
