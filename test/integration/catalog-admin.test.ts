import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

// A 1×1 PNG.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('catalog: content management', () => {
  let context: TestContext;
  let editor: SignedIn;
  let viewer: SignedIn;
  let dramaId: string;
  let directorId: string;

  before(async () => {
    context = await createTestApp();
    editor = await signInWithRoles(context, ['content_manager']);
    viewer = await registerViewer(context.app);
    dramaId = (await call('POST', '/api/admin/genres', { name: 'Drama' })).json<{ id: string }>().id;
    directorId = (await call('POST', '/api/admin/people', { name: 'Christopher Nolan' })).json<{
      id: string;
    }>().id;
  });
  after(() => context.close());

  function call(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
    as: SignedIn = editor,
  ) {
    return context.app.inject({ method, url, headers: as.headers, ...(payload && { payload }) });
  }
  const count = async (table: 'titles' | 'seasons' | 'episodes' | 'titleCredits' | 'titleGenres') =>
    Number(
      (
        await context.deps.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const auditActions = async (targetId: string) =>
    (
      await context.deps.database.db
        .selectFrom('auditLog')
        .select('action')
        .where('targetId', '=', targetId)
        .orderBy('createdAt')
        .execute()
    ).map((row) => row.action);

  it('creates, edits, publishes and deletes a title, auditing every step', async () => {
    const created = await call('POST', '/api/admin/titles', {
      kind: 'movie',
      title: 'Memento',
      releaseDate: '2000-09-05',
      runtimeMinutes: 113,
      maturityRating: 'R',
      genreIds: [dramaId],
      credits: [{ personId: directorId, role: 'director' }],
      tags: ['mind-bending'],
      synopsis: 'A man with short-term memory loss\nhunts his wife’s killer.',
    });
    assert.equal(created.statusCode, 201, created.body);
    const title = created.json<{
      id: string;
      status: string;
      releaseYear: number;
      maturityLevel: number;
      credits: Array<{ role: string }>;
    }>();
    assert.equal(title.status, 'draft');
    assert.equal(title.releaseYear, 2000);
    assert.equal(title.maturityLevel, 17);
    assert.equal(title.credits[0]?.role, 'director');
    const patched = await call('PATCH', `/api/admin/titles/${title.id}`, {
      title: 'Memento (2000)',
      minPlanTier: 1,
    });
    assert.equal(patched.json<{ title: string; minPlanTier: number }>().minPlanTier, 1);
    assert.equal(
      (await call('POST', `/api/admin/titles/${title.id}/publish`)).json<{ status: string }>().status,
      'published',
    );
    assert.equal(
      (await call('POST', `/api/admin/titles/${title.id}/unpublish`)).json<{ status: string }>().status,
      'archived',
    );
    assert.equal((await call('DELETE', `/api/admin/titles/${title.id}`)).statusCode, 204);
    assert.equal((await call('GET', `/api/admin/titles/${title.id}`)).statusCode, 404);
    assert.deepEqual(await auditActions(title.id), [
      'title.created',
      'title.updated',
      'title.published',
      'title.unpublished',
      'title.deleted',
    ]);
  });

  it('builds a series: seasons and episodes, published one by one', async () => {
    const series = (
      await call('POST', '/api/admin/titles', { kind: 'series', title: 'Dark', maturityRating: 'TV-MA' })
    ).json<{ id: string }>();
    const season = (await call('POST', `/api/admin/titles/${series.id}/seasons`, { number: 1 })).json<{
      id: string;
    }>();
    const duplicate = await call('POST', `/api/admin/titles/${series.id}/seasons`, { number: 1 });
    assert.equal(duplicate.json<{ code: string }>().code, 'CATALOG_NUMBER_TAKEN');
    const first = (
      await call('POST', `/api/admin/seasons/${season.id}/episodes`, { number: 1, name: 'Secrets' })
    ).json<{ id: string }>();
    await call('POST', `/api/admin/seasons/${season.id}/episodes`, { number: 2, name: 'Lies' });
    await call('POST', `/api/admin/titles/${series.id}/publish`);
    await call('POST', `/api/admin/episodes/${first.id}/publish`);
    const page = (await context.app.inject(`/api/titles/${series.id}`)).json<{
      seasons: Array<{ episodes: Array<{ name: string }> }>;
    }>();
    assert.deepEqual(
      page.seasons[0]?.episodes.map((e) => e.name),
      ['Secrets'],
      'viewers see published episodes only',
    );
    const adminView = (await call('GET', `/api/admin/titles/${series.id}`)).json<{
      seasons: Array<{ episodes: unknown[] }>;
    }>();
    assert.equal(adminView.seasons[0]?.episodes.length, 2);
  });

  it('refuses a season for a movie: a title id of another kind', async () => {
    const movie = (await call('POST', '/api/admin/titles', { kind: 'movie', title: 'Heat' })).json<{
      id: string;
    }>();
    const seasons = await count('seasons');
    const response = await call('POST', `/api/admin/titles/${movie.id}/seasons`, { number: 1 });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json<{ code: string }>().code, 'CATALOG_WRONG_KIND');
    assert.equal(await count('seasons'), seasons);
  });

  it('refuses unknown genres and people, listing them, and stores nothing', async () => {
    const before = await Promise.all([count('titles'), count('titleGenres'), count('titleCredits')]);
    const ghostGenre = '00000000-0000-4000-8000-00000000000a';
    const ghostPerson = '00000000-0000-4000-8000-00000000000b';
    const response = await call('POST', '/api/admin/titles', {
      kind: 'movie',
      title: 'Ghost references',
      genreIds: [dramaId, ghostGenre],
      credits: [{ personId: ghostPerson, role: 'actor' }],
    });
    assert.equal(response.statusCode, 400);
    const problem = response.json<{ code: string; missing: { genreIds: string[]; personIds: string[] } }>();
    assert.equal(problem.code, 'CATALOG_UNKNOWN_REFERENCES');
    assert.deepEqual(problem.missing, { genreIds: [ghostGenre], personIds: [ghostPerson] });
    assert.equal(
      (await call('POST', '/api/admin/titles', { kind: 'movie', title: 'X', maturityRating: 'XXX' })).json<{
        code: string;
      }>().code,
      'CATALOG_UNKNOWN_RATING',
    );
    assert.deepEqual(
      await Promise.all([count('titles'), count('titleGenres'), count('titleCredits')]),
      before,
    );
  });

  it('refuses oversized and malformed metadata field by field', async () => {
    const before = await count('titles');
    const response = await call('POST', '/api/admin/titles', {
      kind: 'movie',
      title: 'x'.repeat(301),
      synopsis: 's'.repeat(5001),
      tags: Array.from({ length: 51 }, (_, i) => `t${i}`),
      releaseDate: '2020-13-45',
      audioLanguages: ['english'],
      allowedRegions: ['usa'],
      runtimeMinutes: -5,
    });
    assert.equal(response.statusCode, 400);
    const fields = response
      .json<{ errors: Array<{ path: string }> }>()
      .errors.map((error) => error.path.split('/')[1]);
    for (const field of [
      'title',
      'synopsis',
      'tags',
      'releaseDate',
      'audioLanguages',
      'allowedRegions',
      'runtimeMinutes',
    ]) {
      assert.ok(fields.includes(field), `${field} is named`);
    }
    const window = await call('POST', '/api/admin/titles', {
      kind: 'movie',
      title: 'Backwards',
      publishAt: '2030-01-01T00:00:00Z',
      unpublishAt: '2029-01-01T00:00:00Z',
    });
    assert.equal(window.json<{ code: string }>().code, 'CATALOG_INVALID_WINDOW');
    assert.equal(
      (await call('POST', '/api/admin/titles', { kind: 'movie', title: 'Null\u0000byte' })).statusCode,
      400,
    );
    assert.equal(await count('titles'), before);
  });

  it('refuses control and invisible characters in every text field with 400, never a 500', async () => {
    const before = await count('titles');
    const bad: Array<[method: 'POST' | 'PATCH', url: string, payload: object]> = [
      ['POST', '/api/admin/titles', { kind: 'movie', title: 'Ok', maturityRating: 'G\u0000' }],
      ['POST', '/api/admin/titles', { kind: 'movie', title: 'Ok', tags: ['a\u0000'] }],
      ['POST', '/api/admin/titles', { kind: 'movie', title: 'Evil\u202Egnp.exe' }],
      ['POST', '/api/admin/titles', { kind: 'movie', title: 'Ok', synopsis: 'a\u0000b' }],
      ['POST', '/api/admin/titles', { kind: 'movie', title: 'Ok', originalTitle: 'zero\u200Bwidth' }],
      ['POST', '/api/admin/people', { name: 'Ok', biography: 'line\u0007bell' }],
      ['POST', '/api/admin/people', { name: 'a\u0000' }],
      ['POST', '/api/admin/genres', { name: 'Drama\u0000' }],
    ];
    for (const [method, url, payload] of bad) {
      const response = await call(method, url, payload);
      assert.equal(response.statusCode, 400, `${JSON.stringify(payload)} → ${response.body}`);
    }
    const multiline = await call('POST', '/api/admin/people', {
      name: 'Agnès Varda',
      biography: 'Born in Brussels.\n\tDirector of Cléo from 5 to 7.',
    });
    assert.equal(multiline.statusCode, 201, 'newlines and tabs stay allowed in a biography');
    for (const query of ['?q=a%00', '?q=%E2%80%AE']) {
      const response = await call('GET', `/api/admin/people${query}`);
      assert.equal(response.statusCode, 400, `${query} → ${response.statusCode} ${response.body}`);
    }
    assert.equal(await count('titles'), before);
  });

  it('only lets content managers and admins write', async () => {
    const payload = { kind: 'movie', title: 'Not yours' };
    assert.equal(
      (await context.app.inject({ method: 'POST', url: '/api/admin/titles', payload })).statusCode,
      401,
    );
    assert.equal((await call('POST', '/api/admin/titles', payload, viewer)).statusCode, 403);
    const support = await signInWithRoles(context, ['support']);
    assert.equal((await call('POST', '/api/admin/titles', payload, support)).statusCode, 403);
    assert.equal((await call('POST', '/api/admin/genres', { name: 'Nope' }, viewer)).statusCode, 403);
  });

  it('takes artwork by its bytes, not its label, and serves it for a year', async () => {
    const title = (await call('POST', '/api/admin/titles', { kind: 'movie', title: 'Poster child' })).json<{
      id: string;
    }>();
    const upload = (body: Buffer, type: string) =>
      context.app.inject({
        method: 'PUT',
        url: `/api/admin/titles/${title.id}/artwork/poster`,
        headers: { ...editor.headers, 'content-type': type },
        payload: body,
      });
    const fake = await upload(Buffer.from('this is not an image at all'), 'image/png');
    assert.equal(fake.statusCode, 415);
    assert.equal(fake.json<{ code: string }>().code, 'CATALOG_INVALID_IMAGE');
    const real = await upload(png, 'image/png');
    assert.equal(real.statusCode, 200, real.body);
    const url = real.json<{ url: string }>().url;
    const served = await context.app.inject(url);
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.match(String(served.headers['cache-control']), /immutable/);
    assert.ok(served.rawPayload.equals(png));
    const detail = (await call('GET', `/api/admin/titles/${title.id}`)).json<{
      artwork: { poster: string | null };
    }>();
    assert.equal(detail.artwork.poster, url, "the title's poster URL is the one that serves it");
    assert.equal((await context.app.inject('/api/artwork/..%2F..%2Fetc%2Fpasswd')).statusCode, 400);
    assert.equal((await context.app.inject('/api/artwork/nope/missing.png')).statusCode, 404);
  });

  it('imports CSV and JSON row by row, reporting what failed and why', async () => {
    const csv = [
      'kind,title,releaseYear,maturityRating,genres,audioLanguages,publish',
      'movie,Arrival,2016,PG-13,drama,en|fr,true',
      'movie,,2016,,,,',
      'movie,Unknown Genre,2010,,western,,',
      'film,Wrong Kind,2010,,,,',
      'series,Chernobyl,2019,TV-MA,drama,en,false',
    ].join('\n');
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/admin/titles/import',
      headers: { ...editor.headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json<{
      created: number;
      failed: number;
      rows: Array<{ row: number; status: string; errors?: string[] }>;
    }>();
    assert.equal(report.created, 2);
    assert.equal(report.failed, 3);
    assert.deepEqual(
      report.rows.map((row) => row.status),
      ['created', 'error', 'error', 'error', 'created'],
    );
    assert.match(report.rows[1]?.errors?.join() ?? '', /title/);
    assert.match(report.rows[2]?.errors?.join() ?? '', /unknown western/);
    assert.match(report.rows[3]?.errors?.join() ?? '', /kind/);
    const arrival = await context.app.inject('/api/videos?q=arrival');
    assert.equal(
      arrival.json<{ items: Array<{ title: string }> }>().items[0]?.title,
      'Arrival',
      'publish=true published it',
    );

    const json = await call('POST', '/api/admin/titles/import', [
      { kind: 'movie', title: 'Tenet', releaseYear: 2020, genres: ['drama'] },
      { kind: 'movie' },
    ]);
    assert.deepEqual(
      json.json<{ rows: Array<{ status: string }> }>().rows.map((row) => row.status),
      ['created', 'error'],
    );
    const broken = await context.app.inject({
      method: 'POST',
      url: '/api/admin/titles/import',
      headers: { ...editor.headers, 'content-type': 'text/csv' },
      payload: 'a,b\n"unterminated',
    });
    assert.equal(broken.json<{ code: string }>().code, 'CATALOG_IMPORT_INVALID');
    const tooMany = await call(
      'POST',
      '/api/admin/titles/import',
      Array.from({ length: 5001 }, () => ({ kind: 'movie' })),
    );
    assert.equal(tooMany.statusCode, 400, 'a JSON list has the same row limit as CSV');
    assert.equal(tooMany.json<{ code: string }>().code, 'CATALOG_IMPORT_INVALID');
  });

  it('refuses deleting a genre or a person still in use', async () => {
    await call('POST', '/api/admin/titles', {
      kind: 'movie',
      title: 'Credited',
      genreIds: [dramaId],
      credits: [{ personId: directorId, role: 'director' }],
    });
    assert.equal(
      (await call('DELETE', `/api/admin/genres/${dramaId}`)).json<{ code: string }>().code,
      'CATALOG_STILL_REFERENCED',
    );
    assert.equal(
      (await call('DELETE', `/api/admin/people/${directorId}`)).json<{ code: string }>().code,
      'CATALOG_STILL_REFERENCED',
    );
    const unused = (await call('POST', '/api/admin/genres', { name: 'Western' })).json<{ id: string }>();
    assert.equal((await call('DELETE', `/api/admin/genres/${unused.id}`)).statusCode, 204);
    assert.equal(
      (await call('POST', '/api/admin/genres', { name: 'Drama' })).json<{ code: string }>().code,
      'CATALOG_SLUG_TAKEN',
    );
  });
});
