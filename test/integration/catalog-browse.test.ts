import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

interface Summary {
  id: string;
  title: string;
  releaseYear: number | null;
  genres: string[];
  ratingAverage: number | null;
}
interface Page {
  items: Summary[];
  nextCursor: string | null;
}

describe('catalog: browse, search and visibility', () => {
  let context: TestContext;
  let editor: SignedIn;
  const ids: Record<string, string> = {};
  let genre: Record<string, string>;

  const admin = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    context.app.inject({ method, url, headers: editor.headers, ...(payload && { payload }) });
  const browse = async (query: string, headers: Record<string, string> = {}) => {
    const response = await context.app.inject({ url: `/api/videos${query}`, headers });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Page>();
  };
  const names = (page: Page) => page.items.map((item) => item.title);

  async function addTitle(key: string, fields: Record<string, unknown>, publish = true) {
    const created = await admin('POST', '/api/admin/titles', { kind: 'movie', ...fields });
    assert.equal(created.statusCode, 201, created.body);
    ids[key] = created.json<{ id: string }>().id;
    if (publish) assert.equal((await admin('POST', `/api/admin/titles/${ids[key]}/publish`)).statusCode, 200);
  }

  before(async () => {
    context = await createTestApp({ env: { GEO_COUNTRY_HEADER: 'x-country', CATALOG_CACHE_SECONDS: '60' } });
    editor = await signInWithRoles(context, ['content_manager']);
    genre = {};
    for (const name of ['Sci-Fi', 'Drama', 'Animation', 'Crime']) {
      genre[name] = (await admin('POST', '/api/admin/genres', { name })).json<{ id: string }>().id;
    }
    const now = Date.now();
    await addTitle('interstellar', {
      title: 'Interstellar',
      releaseYear: 2014,
      maturityRating: 'PG-13',
      genreIds: [genre['Sci-Fi'], genre.Drama],
      audioLanguages: ['en', 'fr'],
      synopsis: 'A team travels through a wormhole in space.',
    });
    await addTitle('godfather', {
      title: 'The Godfather',
      releaseYear: 1972,
      maturityRating: 'R',
      genreIds: [genre.Crime, genre.Drama],
      audioLanguages: ['en', 'it'],
    });
    await addTitle('toystory', {
      title: 'Toy Story',
      releaseYear: 1995,
      maturityRating: 'G',
      genreIds: [genre.Animation],
      audioLanguages: ['en'],
    });
    await addTitle('matrix', {
      title: 'The Matrix',
      releaseYear: 1999,
      maturityRating: 'R',
      genreIds: [genre['Sci-Fi']],
      audioLanguages: ['en'],
      minPlanTier: 2,
    });
    await addTitle('draft', { title: 'Unreleased Draft', releaseYear: 2026 }, false);
    await addTitle('future', {
      title: 'Coming Soon',
      releaseYear: 2027,
      publishAt: new Date(now + 86_400_000).toISOString(),
    });
    await addTitle('expired', {
      title: 'Gone Now',
      releaseYear: 2001,
      publishAt: new Date(now - 2 * 86_400_000).toISOString(),
      unpublishAt: new Date(now - 86_400_000).toISOString(),
    });
    await addTitle('frenchOnly', {
      title: 'Amélie',
      releaseYear: 2001,
      maturityRating: 'R',
      allowedRegions: ['FR', 'BE'],
      audioLanguages: ['fr'],
    });
    // Popularity and ratings come from engagement; set them directly for sorting.
    const db = context.deps.database.db;
    const popularity: Record<string, [number, number]> = {
      interstellar: [90, 4.4],
      godfather: [80, 4.5],
      toystory: [60, 3.9],
      matrix: [70, 4.2],
    };
    for (const [key, [pop, rating]] of Object.entries(popularity)) {
      await db
        .updateTable('titles')
        .set({ popularity: pop, ratingAverage: rating, ratingCount: 10 })
        .where('id', '=', ids[key] as string)
        .execute();
    }
    await context.deps.cache.delete(); // nothing cached yet, but make the intent explicit
  });
  after(() => context.close());

  it('shows published titles only: no drafts, nothing outside its window, nothing region-limited without a country', async () => {
    const shown = names(await browse('?limit=100&sort=title'));
    assert.deepEqual(shown, ['Interstellar', 'The Godfather', 'The Matrix', 'Toy Story']);
  });

  it('applies region rules from the trusted country header', async () => {
    assert.ok(names(await browse('?limit=100', { 'x-country': 'FR' })).includes('Amélie'));
    assert.ok(!names(await browse('?limit=100', { 'x-country': 'US' })).includes('Amélie'));
    assert.equal(
      (await context.app.inject({ url: `/api/titles/${ids.frenchOnly}`, headers: { 'x-country': 'US' } }))
        .statusCode,
      404,
    );
    assert.equal(
      (await context.app.inject({ url: `/api/titles/${ids.frenchOnly}`, headers: { 'x-country': 'fr' } }))
        .statusCode,
      200,
    );
  });

  it('hides titles until publishAt and after unpublishAt', async () => {
    assert.equal((await context.app.inject(`/api/titles/${ids.future}`)).statusCode, 404);
    assert.equal((await context.app.inject(`/api/titles/${ids.expired}`)).statusCode, 404);
    assert.equal((await context.app.inject(`/api/titles/${ids.draft}`)).statusCode, 404);
  });

  it('filters by genre, year range, language, kind and plan tier', async () => {
    assert.deepEqual(names(await browse('?genre=sci-fi&sort=title')), ['Interstellar', 'The Matrix']);
    assert.deepEqual(names(await browse('?yearFrom=1990&yearTo=2000&sort=title')), [
      'The Matrix',
      'Toy Story',
    ]);
    assert.deepEqual(names(await browse('?language=it')), ['The Godfather']);
    assert.deepEqual(names(await browse('?kind=series')), []);
    assert.ok(!names(await browse('?maxPlanTier=1&limit=100')).includes('The Matrix'));
    assert.deepEqual(names(await browse('?genre=drama&language=en&yearFrom=2000')), ['Interstellar']);
    assert.deepEqual(await browse('?genre=no-such-genre'), { items: [], nextCursor: null });
  });

  it('sorts by newest, popular, rating and title', async () => {
    assert.deepEqual(names(await browse('?sort=popular')), [
      'Interstellar',
      'The Godfather',
      'The Matrix',
      'Toy Story',
    ]);
    assert.deepEqual(names(await browse('?sort=rating')), [
      'The Godfather',
      'Interstellar',
      'The Matrix',
      'Toy Story',
    ]);
    assert.deepEqual(names(await browse('?sort=title')), [
      'Interstellar',
      'The Godfather',
      'The Matrix',
      'Toy Story',
    ]);
    assert.deepEqual(
      names(await browse('?sort=newest')),
      ['The Matrix', 'Toy Story', 'The Godfather', 'Interstellar'],
      'last published first',
    );
  });

  it('finds titles despite typos, and by words of the synopsis', async () => {
    assert.equal(names(await browse('?q=intrstellar'))[0], 'Interstellar');
    assert.equal(names(await browse('?q=godfathr'))[0], 'The Godfather');
    assert.equal(names(await browse('?q=matrx'))[0], 'The Matrix');
    assert.equal(names(await browse('?q=wormhole'))[0], 'Interstellar');
    assert.deepEqual(names(await browse('?q=zzzzqqqq')), []);
    assert.equal(
      (await context.app.inject('/api/videos?sort=relevance')).statusCode,
      400,
      'relevance needs a search',
    );
  });

  it('applies the active profile’s maturity limit (a kids profile sees only what fits)', async () => {
    const parent = await registerViewer(context.app);
    const kids = (
      await context.app.inject({
        method: 'POST',
        url: '/api/profiles',
        headers: parent.headers,
        payload: { name: 'Kids', isKids: true },
      })
    ).json<{ id: string }>();
    const adultView = names(await browse('?limit=100&sort=title', parent.headers));
    assert.ok(adultView.includes('The Godfather'));
    await context.app.inject({
      method: 'POST',
      url: `/api/profiles/${kids.id}/select`,
      headers: parent.headers,
      payload: {},
    });
    const kidsView = names(await browse('?limit=100&sort=title', parent.headers));
    assert.deepEqual(kidsView, ['Toy Story'], 'kids (limit 10) see G, not PG-13 or R');
    assert.equal(
      (await context.app.inject({ url: `/api/titles/${ids.godfather}`, headers: parent.headers })).statusCode,
      404,
    );
    assert.equal(names(await browse('?q=godfather', parent.headers)).length, 0, 'search obeys the limit too');
  });

  it('pages with a cursor that stays stable while titles are added', async () => {
    const first = await browse('?sort=title&limit=2');
    assert.deepEqual(names(first), ['Interstellar', 'The Godfather']);
    // A title that sorts before the cursor position arrives between two page loads.
    await addTitle('alien', { title: 'Alien', releaseYear: 1979 });
    await addTitle('zodiac', { title: 'Zodiac', releaseYear: 2007 });
    const second = await browse(`?sort=title&limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual(names(second), ['The Matrix', 'Toy Story'], 'no repeat, no skip');
    const third = await browse(`?sort=title&limit=2&cursor=${second.nextCursor}`);
    assert.deepEqual(names(third), ['Zodiac']);
    assert.equal(third.nextCursor, null);
    for (const sort of ['popular', 'rating', 'newest']) {
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await browse(`?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        all.push(...names(page));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(new Set(all).size, all.length, `${sort}: no duplicates`);
      assert.equal(all.length, 6, `${sort}: every title once`);
    }
    const wrongSort = await context.app.inject(`/api/videos?sort=rating&cursor=${first.nextCursor}`);
    assert.equal(wrongSort.json<{ code: string }>().code, 'INVALID_CURSOR');
  });

  it('caches answers with an ETag, honours If-None-Match, and sees admin changes at once', async () => {
    const firstResponse = await context.app.inject('/api/videos?sort=title&limit=50');
    const etag = String(firstResponse.headers.etag);
    assert.match(etag, /^"[\w-]+"$/);
    assert.match(String(firstResponse.headers['cache-control']), /^public, max-age=60/);
    const notModified = await context.app.inject({
      url: '/api/videos?sort=title&limit=50',
      headers: { 'if-none-match': etag },
    });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');
    await admin('PATCH', `/api/admin/titles/${ids.toystory}`, { title: 'Toy Story (Remastered)' });
    const changed = await context.app.inject({
      url: '/api/videos?sort=title&limit=50',
      headers: { 'if-none-match': etag },
    });
    assert.equal(changed.statusCode, 200, 'the admin write invalidated the cached page');
    assert.ok(changed.json<Page>().items.some((item) => item.title === 'Toy Story (Remastered)'));
    const viewer = await registerViewer(context.app);
    const personal = await context.app.inject({ url: '/api/videos', headers: viewer.headers });
    assert.match(
      String(personal.headers['cache-control']),
      /^private/,
      'a profile-dependent answer is not for shared caches',
    );
    assert.match(String(personal.headers.vary), /authorization/);
  });

  it('serves a title page with genres and seasons, and a home screen of rows', async () => {
    const detail = (await context.app.inject(`/api/titles/${ids.interstellar}`)).json<{
      genreDetails: Array<{ slug: string }>;
      synopsis: string;
      status?: string;
    }>();
    assert.deepEqual(
      detail.genreDetails.map((g) => g.slug),
      ['drama', 'sci-fi'],
    );
    assert.equal(detail.status, undefined, 'viewers never see admin fields');
    const home = (await context.app.inject('/api/home')).json<{
      rows: Array<{ id: string; items: Summary[] }>;
    }>();
    assert.deepEqual(
      home.rows.slice(0, 3).map((row) => row.id),
      ['new', 'popular', 'top-rated'],
    );
    assert.ok(home.rows.some((row) => row.id === 'genre:drama'));
    assert.ok(home.rows.every((row) => row.items.every((item) => item.title !== 'Unreleased Draft')));
  });

  it('refuses bad browse parameters with a problem', async () => {
    for (const query of [
      '?limit=0',
      '?limit=1000',
      '?yearFrom=abc',
      '?sort=random',
      '?language=english!',
      `?q=${'x'.repeat(300)}`,
      '?cursor=%%%',
    ]) {
      const response = await context.app.inject(`/api/videos${query}`);
      assert.equal(response.statusCode, 400, query);
      assert.match(String(response.headers['content-type']), /problem\+json/);
    }
  });

  it('refuses control characters in searches and filters with 400, never a 500', async () => {
    for (const query of ['?q=a%00', '?genre=a%00', '?genre=drama%00', '?q=%E2%80%AEevil', '?q=a%1Bb']) {
      const response = await context.app.inject(`/api/videos${query}`);
      assert.equal(response.statusCode, 400, `${query} → ${response.statusCode} ${response.body}`);
      assert.match(String(response.headers['content-type']), /problem\+json/);
    }
  });

  it('refuses a forged or malformed cursor with 400 INVALID_CURSOR, never a 500', async () => {
    const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const id = ids.interstellar as string;
    const forged: Array<[sort: string, cursor: string]> = [
      ['newest', forge({ s: 'newest', v: 'not-a-date', id })],
      ['newest', forge({ s: 'newest', v: '2026-02-30T00:00:00Z', id })],
      ['newest', forge({ s: 'newest', v: 7, id })],
      ['popular', forge({ s: 'popular', v: 'many', id })],
      ['popular', forge({ s: 'popular', v: null, id })],
      ['rating', forge({ s: 'rating', v: { $gt: 1 }, id })],
      ['title', forge({ s: 'title', v: 'a\u0000', id })],
      ['title', forge({ s: 'title', v: 5, id })],
      ['title', forge({ s: 'title', v: 'x', id: 'not-a-uuid' })],
      ['title', forge({ s: 'title', v: 'x' })],
      ['newest', forge({ s: 'sideways', v: 1, id })],
      ['newest', forge(['newest', null, id])],
      ['newest', forge('just a string')],
      ['newest', Buffer.from('not json').toString('base64url')],
      ['newest', 'AAAA'],
    ];
    for (const [sort, cursor] of forged) {
      const response = await context.app.inject(`/api/videos?sort=${sort}&cursor=${cursor}`);
      const label = `${sort} ${Buffer.from(cursor, 'base64url').toString()}`;
      assert.equal(response.statusCode, 400, `${label} → ${response.statusCode} ${response.body}`);
      assert.equal(response.json<{ code: string }>().code, 'INVALID_CURSOR', label);
    }
    const relevance = await context.app.inject(
      `/api/videos?q=matrix&cursor=${forge({ s: 'relevance', v: 'high', id })}`,
    );
    assert.equal(relevance.json<{ code: string }>().code, 'INVALID_CURSOR');
  });
});
