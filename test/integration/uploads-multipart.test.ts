import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { makeClip, scratchDir } from '../support/media-clips.ts';
import { multipartBody, type FormPart } from '../support/multipart.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

const MAX_BYTES = 3 * 1024 * 1024;

describe('uploads: multipart', () => {
  let context: TestContext;
  let editor: SignedIn;
  let viewer: SignedIn;
  let clip: Buffer;
  let removeScratch: () => Promise<void>;

  before(async () => {
    context = await createTestApp({ env: { UPLOAD_MAX_BYTES: String(MAX_BYTES) } });
    editor = await signInWithRoles(context, ['content_manager']);
    viewer = await registerViewer(context.app);
    const scratch = await scratchDir();
    removeScratch = scratch.remove;
    clip = await readFile(
      await makeClip({ path: path.join(scratch.dir, 'clip.mp4'), width: 320, height: 240, seconds: 2 }),
    );
  });
  after(async () => {
    await removeScratch();
    await context.close();
  });

  async function createTitle(kind: 'movie' | 'series' = 'movie'): Promise<string> {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/admin/titles',
      headers: editor.headers,
      payload: { kind, title: `Upload test ${kind}` },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json<{ id: string }>().id;
  }

  function upload(parts: readonly FormPart[], as: SignedIn | null = editor) {
    const { payload, contentType } = multipartBody(parts);
    return context.app.inject({
      method: 'POST',
      url: '/api/videos/upload',
      headers: { ...as?.headers, 'content-type': contentType },
      payload,
    });
  }

  const storedKeys = async (prefix: string) => {
    const keys: string[] = [];
    for await (const object of context.deps.storage.list(prefix)) keys.push(object.key);
    return keys;
  };
  const assetsOf = (itemId: string) =>
    context.deps.database.db.selectFrom('videoAssets').selectAll().where('itemId', '=', itemId).execute();
  const scratchLeft = async () =>
    (await readdir(path.join(context.dataDir, 'uploads', 'multipart')).catch(() => [])).length;

  it('stores a video, queues its transcode and marks the movie processing', async () => {
    const itemId = await createTitle();
    const response = await upload([
      { name: 'itemId', value: itemId },
      { name: 'file', filename: 'My Clip.mp4', content: clip, contentType: 'video/mp4' },
    ]);
    assert.equal(response.statusCode, 202, response.body);
    const job = response.json<{ id: string; itemId: string; status: string; sourceBytes: number }>();
    assert.equal(job.itemId, itemId);
    assert.equal(job.status, 'queued');
    assert.equal(job.sourceBytes, clip.length);

    const keys = await storedKeys(`sources/${itemId}/`);
    assert.equal(keys.length, 1);
    assert.match(keys[0] ?? '', new RegExp(`^sources/${itemId}/[0-9a-f-]{36}/My-Clip\\.mp4$`));
    const stored = await context.deps.storage.head(keys[0] ?? '');
    assert.equal(stored?.size, clip.length);
    const [asset] = await assetsOf(itemId);
    assert.equal(asset?.id, job.id);
    assert.equal(asset?.sourceKey, keys[0]);
    assert.equal(asset?.uploadedBy, editor.userId);
    const title = await context.deps.database.db
      .selectFrom('titles')
      .select('status')
      .where('id', '=', itemId)
      .executeTakeFirstOrThrow();
    // The worker runs in this process: a 2 s clip may already be transcoded.
    assert.ok(['processing', 'ready'].includes(title.status), title.status);
    assert.equal(await scratchLeft(), 0);
  });

  it('takes subtitles, each after its language and label', async () => {
    const itemId = await createTitle();
    const response = await upload([
      { name: 'itemId', value: itemId },
      { name: 'subtitleLanguage', value: 'en' },
      { name: 'subtitleLabel', value: 'English' },
      { name: 'subtitles', filename: 'en.vtt', content: 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n' },
      { name: 'file', filename: 'clip.mp4', content: clip },
      { name: 'subtitleLanguage', value: 'fr' },
      { name: 'subtitles', filename: 'fr.srt', content: '1\n00:00:00,000 --> 00:00:01,000\nBonjour\n' },
    ]);
    assert.equal(response.statusCode, 202, response.body);
    const [asset] = await assetsOf(itemId);
    const subtitles = asset?.subtitles as unknown as Array<{
      storageKey: string;
      language: string;
      label: string;
    }>;
    assert.deepEqual(
      subtitles.map(({ language, label }) => ({ language, label })),
      [
        { language: 'en', label: 'English' },
        { language: 'fr', label: 'fr' },
      ],
    );
    for (const subtitle of subtitles) assert.ok(await context.deps.storage.head(subtitle.storageKey));
  });

  it('refuses a text file named .mp4 with 415, storing nothing', async () => {
    const itemId = await createTitle();
    const response = await upload([
      { name: 'itemId', value: itemId },
      { name: 'file', filename: 'movie.mp4', content: 'This is not a video, just some text.\n'.repeat(50) },
    ]);
    assert.equal(response.statusCode, 415, response.body);
    assert.match(String(response.headers['content-type']), /application\/problem\+json/);
    assert.match(response.json<{ code: string }>().code, /^MEDIA_(UNREADABLE|NOT_A_VIDEO)$/);
    assert.deepEqual(await storedKeys(`sources/${itemId}/`), []);
    assert.deepEqual(await assetsOf(itemId), []);
    assert.equal(await scratchLeft(), 0);
  });

  it('refuses subtitles that are not SRT or WebVTT', async () => {
    const itemId = await createTitle();
    const named = await upload([
      { name: 'itemId', value: itemId },
      { name: 'subtitleLanguage', value: 'en' },
      { name: 'subtitles', filename: 'en.ass', content: '[Script Info]' },
    ]);
    assert.equal(named.statusCode, 415, named.body);
    const sniffed = await upload([
      { name: 'itemId', value: itemId },
      { name: 'file', filename: 'clip.mp4', content: clip },
      { name: 'subtitleLanguage', value: 'en' },
      { name: 'subtitles', filename: 'en.vtt', content: 'not webvtt at all' },
    ]);
    assert.equal(sniffed.statusCode, 415, sniffed.body);
    assert.equal(sniffed.json<{ code: string }>().code, 'UPLOAD_SUBTITLE_NOT_ACCEPTED');
    assert.deepEqual(await storedKeys(`sources/${itemId}/`), []);
  });

  it('refuses a subtitle label with control or invisible characters, storing nothing', async () => {
    const itemId = await createTitle();
    for (const label of ['Eng\u0000lish', '\u202Ehsilgne', 'zero\u200Bwidth']) {
      const response = await upload([
        { name: 'itemId', value: itemId },
        { name: 'subtitleLanguage', value: 'en' },
        { name: 'subtitleLabel', value: label },
        { name: 'subtitles', filename: 'en.vtt', content: 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n' },
        { name: 'file', filename: 'clip.mp4', content: clip },
      ]);
      assert.equal(response.statusCode, 400, `${JSON.stringify(label)} → ${response.body}`);
      assert.equal(response.json<{ code: string }>().code, 'UPLOAD_INVALID');
    }
    assert.deepEqual(await storedKeys(`sources/${itemId}/`), []);
    assert.equal(await scratchLeft(), 0);
  });

  it('neutralises path traversal in the file name', async () => {
    const itemId = await createTitle();
    const response = await upload([
      { name: 'itemId', value: itemId },
      { name: 'file', filename: '../../etc/passwd.mp4', content: clip },
    ]);
    assert.equal(response.statusCode, 202, response.body);
    assert.equal(response.json<{ sourceName: string }>().sourceName, 'passwd.mp4');
    const keys = await storedKeys(`sources/${itemId}/`);
    assert.match(keys[0] ?? '', new RegExp(`^sources/${itemId}/[0-9a-f-]{36}/passwd\\.mp4$`));
    for (const escaped of ['etc/passwd.mp4', 'storage/etc/passwd.mp4', 'uploads/etc/passwd.mp4']) {
      assert.ok(!existsSync(path.join(context.dataDir, escaped)), escaped);
    }
  });

  it('answers 404 for an unknown item and 409 for a series, before reading the file', async () => {
    const unknown = await upload([
      { name: 'itemId', value: '00000000-0000-4000-8000-000000000000' },
      { name: 'file', filename: 'clip.mp4', content: clip },
    ]);
    assert.equal(unknown.statusCode, 404, unknown.body);
    const series = await upload([
      { name: 'itemId', value: await createTitle('series') },
      { name: 'file', filename: 'clip.mp4', content: clip },
    ]);
    assert.equal(series.statusCode, 409, series.body);
    assert.equal(series.json<{ code: string }>().code, 'CATALOG_NOT_PLAYABLE');
    const notUuid = await upload([{ name: 'itemId', value: "1' OR '1'='1" }]);
    assert.equal(notUuid.statusCode, 400, notUuid.body);
  });

  it('answers 400 without an itemId, or with it after the file', async () => {
    const missing = await upload([{ name: 'file', filename: 'clip.mp4', content: clip }]);
    assert.equal(missing.statusCode, 400, missing.body);
    const late = await upload([
      { name: 'file', filename: 'clip.mp4', content: clip },
      { name: 'itemId', value: await createTitle() },
    ]);
    assert.equal(late.statusCode, 400, late.body);
    const noFile = await upload([{ name: 'itemId', value: await createTitle() }]);
    assert.equal(noFile.statusCode, 400, noFile.body);
    assert.equal(noFile.json<{ code: string }>().code, 'UPLOAD_MISSING_FILE');
  });

  it('answers 413 for a file over the limit, 415 for a body that is not multipart', async () => {
    const itemId = await createTitle();
    const tooLarge = await upload([
      { name: 'itemId', value: itemId },
      { name: 'file', filename: 'big.mp4', content: Buffer.alloc(MAX_BYTES + 1) },
    ]);
    assert.equal(tooLarge.statusCode, 413, tooLarge.body);
    assert.equal(tooLarge.json<{ code: string }>().code, 'UPLOAD_TOO_LARGE');
    assert.deepEqual(await assetsOf(itemId), []);
    assert.equal(await scratchLeft(), 0);
    const json = await context.app.inject({
      method: 'POST',
      url: '/api/videos/upload',
      headers: editor.headers,
      payload: { itemId },
    });
    assert.equal(json.statusCode, 415, json.body);
  });

  it('requires content:write: 401 anonymous, 403 for a viewer', async () => {
    const itemId = await createTitle();
    const parts = [
      { name: 'itemId', value: itemId },
      { name: 'file', filename: 'clip.mp4', content: clip },
    ];
    const anonymous = await upload(parts, null);
    assert.equal(anonymous.statusCode, 401, anonymous.body);
    const forbidden = await upload(parts, viewer);
    assert.equal(forbidden.statusCode, 403, forbidden.body);
    assert.deepEqual(await assetsOf(itemId), []);
  });
});
