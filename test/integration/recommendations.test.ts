import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCatalogFacts, createPlayableItems } from '../../src/modules/catalog/index.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { createRecommendations, type Recommendations } from '../../src/modules/recommendations/index.ts';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { catalogMaker, kidsDevice } from '../support/engagement-catalog.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

interface Row {
  kind: string;
  title: string;
  key: string | null;
  items: { titleId: string; name: string; reason: string }[];
}

/** Recommendations on real parts: rows from engagement events and the training job, served per profile. */
describe('recommendations', () => {
  let context: TestContext;
  let editor: SignedIn;
  let admin: SignedIn;
  let trainer: Recommendations['trainer'];
  let service: Recommendations['service'];
  let closeTrainer: (() => Promise<void>) | undefined;
  const thrillers: string[] = [];
  const comedies: string[] = [];
  const cartoons: string[] = [];
  let germanOnly: string;
  let thrillerGenre: string;

  const call = (
    as: SignedIn | undefined,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = {},
  ) =>
    context.app.inject({ method, url, headers: { ...as?.headers, ...headers }, ...(payload && { payload }) });
  const rowsOf = async (as: SignedIn, headers: Record<string, string> = {}) => {
    const response = await call(as, 'GET', '/api/recommendations', undefined, headers);
    assert.equal(response.statusCode, 200, response.body);
    return response.json<{ rows: Row[] }>().rows;
  };
  const allIds = (rows: Row[]) => rows.flatMap((row) => row.items.map((item) => item.titleId));
  /** Engagement events refresh rows asynchronously (pub/sub): poll until the rows say so. */
  const eventually = async (
    as: SignedIn,
    check: (rows: Row[]) => boolean,
    headers: Record<string, string> = {},
  ) => {
    let rows: Row[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      rows = await rowsOf(as, headers);
      if (check(rows)) return rows;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(
      `rows never matched: ${JSON.stringify(rows.map((row) => [row.kind, row.items.map((item) => item.name)]))}`,
    );
  };
  const thumbsUp = async (as: SignedIn, ids: readonly string[], headers: Record<string, string> = {}) => {
    for (const id of ids)
      assert.equal(
        (await call(as, 'PUT', `/api/titles/${id}/reaction`, { reaction: 'up' }, headers)).statusCode,
        200,
      );
  };
  const finish = async (as: SignedIn, id: string, headers: Record<string, string> = {}) => {
    const response = await call(
      as,
      'POST',
      '/api/progress',
      { itemId: id, positionSeconds: 5400, durationSeconds: 5400 },
      headers,
    );
    assert.equal(response.statusCode, 202, response.body);
  };
  const genre = async (name: string) =>
    (await call(editor, 'POST', '/api/admin/genres', { name })).json<{ id: string }>().id;

  before(async () => {
    context = await createTestApp({
      env: { GEO_COUNTRY_HEADER: 'x-country', AUTH_RATE_LIMIT_PER_MINUTE: '1000' },
    });
    await allowDevices(context);
    editor = await signInWithRoles(context, ['content_manager']);
    admin = await signInWithRoles(context, ['admin']);
    const make = catalogMaker(context, editor);
    const [thriller, comedy, animation] = [
      await genre('Thriller'),
      await genre('Comedy'),
      await genre('Animation'),
    ];
    thrillerGenre = thriller;
    for (const n of [1, 2, 3, 4, 5, 6])
      thrillers.push(
        await make.movie(`Dark Night ${'I'.repeat(n)}x${n}`, {
          maturityRating: 'R',
          genreIds: [thriller],
          tags: ['suspense'],
        }),
      );
    for (const n of [1, 2, 3, 4])
      comedies.push(
        await make.movie(`Laugh Track ${n}a`, {
          maturityRating: 'PG-13',
          genreIds: [comedy],
          tags: ['funny'],
        }),
      );
    for (const n of [1, 2, 3])
      cartoons.push(
        await make.movie(`Bunny Tales ${n}b`, {
          maturityRating: 'G',
          genreIds: [animation],
          tags: ['family'],
        }),
      );
    germanOnly = await make.movie('Nur in Deutschland', {
      maturityRating: 'G',
      genreIds: [comedy],
      allowedRegions: ['DE'],
    });
    // Two audiences: thriller fans and comedy-and-cartoon fans, who also finish some (trending).
    for (let fan = 0; fan < 3; fan++) {
      const thrillerFan = await registerViewer(context.app);
      await thumbsUp(thrillerFan, thrillers);
      await finish(thrillerFan, thrillers[4] as string, { 'x-country': 'US' });
      await finish(thrillerFan, thrillers[5] as string, { 'x-country': 'US' });
      const comedyFan = await registerViewer(context.app);
      await thumbsUp(comedyFan, [...comedies, ...cartoons, germanOnly], { 'x-country': 'DE' });
      await finish(comedyFan, comedies[0] as string, { 'x-country': 'DE' });
      await finish(comedyFan, cartoons[0] as string, { 'x-country': 'DE' });
    }
    const playable = await createPlayableItems({
      db: context.deps.database.db,
      cache: context.deps.cache,
      pubsub: context.deps.pubsub,
    });
    const worker = createRecommendations({
      db: context.deps.database.db,
      cache: context.deps.cache,
      pubsub: context.deps.pubsub,
      // The job's "now" held still, so two runs decay every signal alike.
      clock: new ManualClock(new Date(Date.now() + 60_000)),
      logger: context.deps.logger,
      facts: createCatalogFacts(context.deps.database.db),
      items: playable.items,
      config: context.deps.config,
    });
    trainer = worker.trainer;
    service = worker.service;
    closeTrainer = () => playable.close();
    // Let the fans' events land as signals before the job reads them (progress is buffered).
    for (let attempt = 0; attempt < 200; attempt++) {
      const finished = await context.deps.database.db
        .selectFrom('recommendationSignals')
        .select('titleId')
        .where('kind', '=', 'finish')
        .execute();
      if (finished.length >= 12) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const report = await trainer.train();
    assert.ok(report.subjects >= 6, JSON.stringify(report));
  });
  after(async () => {
    await closeTrainer?.();
    await context?.close();
  });

  it('training twice stores the same rows (the job is idempotent)', async () => {
    // The fans' last events may still be refreshing their rows in the app: let that settle first.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await trainer.train();
    const before = await context.deps.database.db
      .selectFrom('recommendationRows')
      .select(['subject', 'rows'])
      .orderBy('subject')
      .execute();
    await trainer.train();
    const again = await context.deps.database.db
      .selectFrom('recommendationRows')
      .select(['subject', 'rows'])
      .orderBy('subject')
      .execute();
    assert.deepEqual(again, before);
  });

  it('batches plays from progress events: written on flush, the latest position per title', async () => {
    const event = (positionSeconds: number) => ({
      type: 'ProgressRecorded' as const,
      userId: admin.userId,
      profileKey: 'account',
      at: new Date().toISOString(),
      itemId: comedies[2] as string,
      titleId: comedies[2] as string,
      positionSeconds,
      durationSeconds: 100,
      country: null,
    });
    const plays = () =>
      context.deps.database.db
        .selectFrom('recommendationSignals')
        .select(['subject', 'value'])
        .where('kind', '=', 'play')
        .where('userId', '=', admin.userId)
        .execute();
    await service.onEngagementEvent(event(10));
    await service.onEngagementEvent(event(40));
    assert.deepEqual(await plays(), [], 'not written per event');
    await service.flushPlays();
    assert.deepEqual(await plays(), [{ subject: `account:${admin.userId}`, value: 0.4 }]);
  });

  it('a profile that watched three thrillers gets thrillers first, each with a reason', async () => {
    const viewer = await registerViewer(context.app);
    await thumbsUp(viewer, thrillers.slice(0, 3));
    const rows = await eventually(
      viewer,
      // The three events refresh the rows one after another: wait for the last one.
      (rows) =>
        rows.some((row) => row.kind === 'top_picks') &&
        !allIds(rows).some((id) => thrillers.slice(0, 3).includes(id)),
    );
    assert.equal(rows[0]?.kind, 'top_picks');
    const top = rows[0]?.items ?? [];
    assert.deepEqual(
      top
        .slice(0, 3)
        .map((item) => item.titleId)
        .sort(),
      thrillers.slice(3).sort(),
      JSON.stringify(top.map((item) => item.name)),
    );
    assert.match(top[0]?.reason ?? '', /^Because you watched Dark Night/);
    const because = rows.find((row) => row.kind === 'because');
    assert.ok(because && thrillers.includes(because.key ?? ''));
    assert.ok(
      rows.some((row) => row.kind === 'trending'),
      'trending now',
    );
  });

  it('a kids profile never gets anything above its cap, whatever the account’s adult profile watches', async () => {
    const account = await registerViewer(context.app);
    await thumbsUp(account, thrillers.slice(0, 4));
    await eventually(account, (rows) => rows.some((row) => row.kind === 'top_picks'));
    const kid = await kidsDevice(context, account);
    const rows = await rowsOf(kid);
    const ids = allIds(rows);
    assert.ok(ids.length > 0, 'kids get rows');
    assert.ok(
      ids.every((id) => cartoons.includes(id) || id === germanOnly),
      JSON.stringify(rows),
    );
    assert.ok(
      !rows.some((row) => row.kind === 'top_picks' || row.kind === 'because'),
      'nothing learnt from the adult',
    );
  });

  it('a finished title is not recommended; "not interested" removes one at once', async () => {
    const viewer = await registerViewer(context.app);
    await thumbsUp(viewer, thrillers.slice(0, 2));
    await eventually(
      viewer,
      (rows) =>
        allIds(rows).includes(thrillers[3] as string) && allIds(rows).includes(thrillers[4] as string),
    );
    await finish(viewer, thrillers[3] as string);
    await eventually(viewer, (rows) => !allIds(rows).includes(thrillers[3] as string));
    const refused = await call(viewer, 'POST', '/api/recommendations/not-interested', {
      titleId: thrillers[4],
    });
    assert.equal(refused.statusCode, 204, refused.body);
    assert.ok(!allIds(await rowsOf(viewer)).includes(thrillers[4] as string), 'gone on the very next read');
    const similar = await call(viewer, 'GET', `/api/titles/${thrillers[0]}/similar`);
    assert.ok(
      !similar.json<{ items: { titleId: string }[] }>().items.some((item) => item.titleId === thrillers[4]),
    );
    const unknown = await call(viewer, 'POST', '/api/recommendations/not-interested', {
      titleId: '00000000-0000-4000-8000-000000000000',
    });
    assert.equal(unknown.statusCode, 404);
    const bad = await call(viewer, 'POST', '/api/recommendations/not-interested', { titleId: 'nope' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /titleId/);
  });

  it('a title taken out of the catalog leaves the rows on the very next read', async () => {
    const viewer = await registerViewer(context.app);
    await thumbsUp(viewer, thrillers.slice(0, 2));
    const shown = await eventually(viewer, (rows) =>
      allIds(rows).some((id) => !thrillers.slice(0, 2).includes(id)),
    );
    const titleId = allIds(shown).find((id) => !thrillers.slice(0, 2).includes(id)) as string;
    // Read twice so the served rows are the reused ones, then archive the title.
    await rowsOf(viewer);
    const archive = await call(editor, 'POST', `/api/admin/titles/${titleId}/unpublish`);
    assert.equal(archive.statusCode, 200, archive.body);
    try {
      assert.ok(!allIds(await rowsOf(viewer)).includes(titleId), 'an archived title is not served again');
    } finally {
      const restore = await call(editor, 'POST', `/api/admin/titles/${titleId}/publish`);
      assert.equal(restore.statusCode, 200, restore.body);
    }
  });

  it('a brand-new profile gets popular and trending rows, trending counted in its own region', async () => {
    const newcomer = await registerViewer(context.app);
    const inUs = await rowsOf(newcomer, { 'x-country': 'US' });
    assert.deepEqual(
      inUs.map((row) => row.kind).filter((kind) => kind !== 'genre'),
      ['popular', 'trending'],
    );
    assert.ok(inUs.some((row) => row.kind === 'genre' && row.title.startsWith('Popular in ')));
    assert.ok(!allIds(inUs).includes(germanOnly), 'region-limited title hidden in the US');
    const inDe = await rowsOf(newcomer, { 'x-country': 'DE' });
    assert.ok(allIds(inDe).includes(germanOnly));
    // Thrillers were finished from the US, comedies and cartoons from Germany: each region's
    // trending row counts its own plays; a region with too few plays gets the rows from everywhere.
    const trendingIn = (rows: Row[]) => {
      const row = rows.find((candidate) => candidate.kind === 'trending');
      return { title: row?.title, ids: row?.items.map((item) => item.titleId) ?? [] };
    };
    const us = trendingIn(inUs);
    assert.equal(us.title, 'Trending in United States');
    assert.ok(
      us.ids.includes(thrillers[5] as string) && !us.ids.includes(comedies[0] as string),
      JSON.stringify(us),
    );
    const de = trendingIn(inDe);
    assert.equal(de.title, 'Trending in Germany');
    assert.ok(
      de.ids.includes(comedies[0] as string) && !de.ids.includes(thrillers[5] as string),
      JSON.stringify(de),
    );
    const elsewhere = trendingIn(await rowsOf(newcomer, { 'x-country': 'FR' }));
    assert.equal(elsewhere.title, 'Trending now');
    assert.ok(
      elsewhere.ids.includes(comedies[0] as string) && elsewhere.ids.includes(thrillers[5] as string),
    );
  });

  it("never offers a title above the account's plan, in rows or in similar", async () => {
    const premiumOnly = await catalogMaker(context, editor).movie('Dark Night Premiere', {
      maturityRating: 'R',
      genreIds: [thrillerGenre],
      tags: ['suspense'],
      minPlanTier: 3,
    });
    const free = await registerViewer(context.app);
    const premium = await registerViewer(context.app);
    await context.deps.database.db
      .updateTable('users')
      .set({ planId: 'premium' })
      .where('id', '=', premium.userId)
      .execute();
    const similarFor = async (as: SignedIn) =>
      (await call(as, 'GET', `/api/titles/${thrillers[0]}/similar`))
        .json<{ items: { titleId: string }[] }>()
        .items.map((item) => item.titleId);
    assert.ok((await similarFor(premium)).includes(premiumOnly), 'the premium account is offered it');
    assert.ok(!(await similarFor(free)).includes(premiumOnly), 'the free account is not');
    assert.ok(!allIds(await rowsOf(free)).includes(premiumOnly));
    // Served rows are kept while nothing changes: a catalog change and a plan change show at once.
    const raised = thrillers[5] as string;
    await thumbsUp(free, [thrillers[0] as string]);
    await eventually(free, (rows) => allIds(rows).includes(raised));
    const { minPlanTier } = await context.deps.database.db
      .selectFrom('titles')
      .select('minPlanTier')
      .where('id', '=', raised)
      .executeTakeFirstOrThrow();
    const setTier = async (tier: number) =>
      assert.equal(
        (await call(editor, 'PATCH', `/api/admin/titles/${raised}`, { minPlanTier: tier })).statusCode,
        200,
      );
    await setTier(3);
    try {
      assert.ok(!allIds(await rowsOf(free)).includes(raised), 'above the plan now');
      const granted = await call(admin, 'POST', `/api/admin/users/${free.userId}/complimentary-plan`, {
        planId: 'premium',
      });
      assert.equal(granted.statusCode, 204, granted.body);
      assert.ok(allIds(await rowsOf(free)).includes(raised), "the new plan's titles on the next read");
    } finally {
      await setTier(minPlanTier);
    }
  });

  it('a brand-new title appears in "similar" through its content before anyone watched it', async () => {
    const viewer = await registerViewer(context.app);
    const fresh = await catalogMaker(context, editor).movie('Dark Night Returns', {
      maturityRating: 'R',
      genreIds: [thrillerGenre],
      tags: ['suspense'],
    });
    const response = await call(viewer, 'GET', `/api/titles/${thrillers[0]}/similar`);
    assert.equal(response.statusCode, 200, response.body);
    const items = response.json<{ items: { titleId: string; reason: string }[] }>().items;
    assert.ok(
      items.some((item) => item.titleId === fresh),
      JSON.stringify(items),
    );
    assert.ok(items.every((item) => !comedies.includes(item.titleId) || items.indexOf(item) > 3));
    assert.equal(
      (await call(viewer, 'GET', `/api/titles/00000000-0000-4000-8000-000000000000/similar`)).statusCode,
      404,
    );
  });

  it('admins pin and exclude titles per row, and read why a title was recommended', async () => {
    const viewer = await registerViewer(context.app);
    await thumbsUp(viewer, thrillers.slice(0, 3));
    await eventually(viewer, (rows) => rows.some((row) => row.kind === 'top_picks'));
    const profileId = (await call(viewer, 'GET', '/api/profiles')).json<{ activeProfileId: string }>()
      .activeProfileId;
    const why = await call(
      admin,
      'GET',
      `/api/admin/recommendations/profiles/${profileId}/why/${thrillers[3]}`,
    );
    assert.equal(why.statusCode, 200, why.body);
    const explained = why.json<{
      personalised: boolean;
      appearances: { row: string; becauseOf: { name: string } | null }[];
    }>();
    assert.equal(explained.personalised, true);
    assert.ok(
      explained.appearances.some(
        (entry) => entry.row === 'top_picks' && entry.becauseOf?.name.startsWith('Dark Night'),
      ),
    );

    const pin = await call(admin, 'PUT', '/api/admin/recommendations/rules', {
      titleId: comedies[3],
      row: 'top_picks',
      action: 'pin',
    });
    assert.equal(pin.statusCode, 204, pin.body);
    const exclude = await call(admin, 'PUT', '/api/admin/recommendations/rules', {
      titleId: thrillers[5],
      row: 'all',
      action: 'exclude',
    });
    assert.equal(exclude.statusCode, 204);
    const rows = await rowsOf(viewer);
    assert.equal(rows[0]?.items[0]?.titleId, comedies[3]);
    assert.equal(rows[0]?.items[0]?.reason, 'Featured');
    assert.ok(!allIds(rows).includes(thrillers[5] as string));
    assert.equal(
      (await call(admin, 'DELETE', `/api/admin/recommendations/rules/all/${thrillers[5]}`)).statusCode,
      204,
    );
    assert.equal(
      (await call(admin, 'DELETE', `/api/admin/recommendations/rules/all/${thrillers[5]}`)).statusCode,
      404,
    );
    assert.equal(
      (await call(admin, 'DELETE', `/api/admin/recommendations/rules/top_picks/${comedies[3]}`)).statusCode,
      204,
    );
    assert.equal(
      (
        await call(admin, 'PUT', '/api/admin/recommendations/rules', {
          titleId: comedies[3],
          row: 'everywhere',
          action: 'pin',
        })
      ).statusCode,
      400,
    );
  });

  it('records impressions and clicks per row for click-through', async () => {
    const viewer = await registerViewer(context.app);
    const recorded = await call(viewer, 'POST', '/api/recommendations/feedback', {
      events: [
        { titleId: comedies[0], row: 'trending', kind: 'impression' },
        { titleId: comedies[1], row: 'trending', kind: 'impression' },
        { titleId: comedies[0], row: 'trending', kind: 'click' },
        { titleId: '00000000-0000-4000-8000-000000000000', row: 'trending', kind: 'click' },
      ],
    });
    assert.deepEqual(recorded.json(), { recorded: 3 });
    const report = await call(admin, 'GET', '/api/admin/recommendations/click-through?days=1');
    assert.equal(report.statusCode, 200, report.body);
    assert.deepEqual(report.json<{ rows: unknown[] }>().rows, [
      { row: 'trending', impressions: 2, clicks: 1, clickThrough: 0.5 },
    ]);
  });

  it('refuses nobody, viewers on admin routes, and never shows another account’s rows', async () => {
    const viewer = await registerViewer(context.app);
    for (const [method, url] of [
      ['GET', '/api/recommendations'],
      ['GET', `/api/titles/${thrillers[0]}/similar`],
      ['POST', '/api/recommendations/not-interested'],
      ['POST', '/api/recommendations/feedback'],
    ] as const)
      assert.equal(
        (await call(undefined, method, url, method === 'POST' ? {} : undefined)).statusCode,
        401,
        url,
      );
    const profileId = (await call(viewer, 'GET', '/api/profiles')).json<{ activeProfileId: string }>()
      .activeProfileId;
    for (const [method, url, body] of [
      ['GET', `/api/admin/recommendations/profiles/${profileId}/why/${thrillers[0]}`, undefined],
      ['GET', '/api/admin/recommendations/click-through', undefined],
      ['PUT', '/api/admin/recommendations/rules', { titleId: thrillers[0], row: 'all', action: 'exclude' }],
      ['DELETE', `/api/admin/recommendations/rules/all/${thrillers[0]}`, undefined],
    ] as const)
      assert.equal((await call(viewer, method, url, body)).statusCode, 403, url);
    // Another account's "not interested" and history change nothing of this one's rows.
    const other = await registerViewer(context.app);
    await thumbsUp(other, thrillers.slice(0, 3));
    await eventually(other, (rows) => rows.some((row) => row.kind === 'top_picks'));
    await call(other, 'POST', '/api/recommendations/not-interested', { titleId: comedies[0] });
    const mine = await rowsOf(viewer);
    assert.ok(
      !mine.some((row) => row.kind === 'top_picks' || row.kind === 'because'),
      'no one else’s history',
    );
    assert.ok(allIds(mine).includes(comedies[0] as string), 'no one else’s refusal');
  });
});
