import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { LocalStorage } from '../../src/platform/storage/local.storage.ts';
import { signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { makeClip, scratchDir } from '../support/media-clips.ts';
import { multipartBody } from '../support/multipart.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

const run = promisify(execFile);

/**
 * The object store's disk fills up during an upload: a real, small tmpfs mounted under the
 * storage directory (this needs root, as CI has; elsewhere the test says why it skipped). The
 * upload answers 507 STORAGE_FULL, records nothing and leaves no partial file; the server goes on
 * serving; and once there is room again the same upload succeeds.
 */
describe('disk full during an upload', () => {
  let mount: string;
  let mounted = false;
  let context: TestContext;
  let editor: SignedIn;
  let clip: Buffer;
  let removeScratch: () => Promise<void> = async () => undefined;

  const resize = (size: string) => run('mount', ['-o', `remount,size=${size}`, mount]);

  before(async () => {
    mount = await mkdtemp(path.join(os.tmpdir(), 'marquee-disk-full-'));
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mount]);
      mounted = true;
    } catch {
      return;
    }
    context = await createTestApp({ storage: new LocalStorage(mount) });
    editor = await signInWithRoles(context, ['content_manager']);
    const scratch = await scratchDir();
    removeScratch = scratch.remove;
    clip = await readFile(
      await makeClip({ path: path.join(scratch.dir, 'clip.mp4'), width: 320, height: 240, seconds: 2 }),
    );
  });
  after(async () => {
    await context?.close();
    if (mounted) await run('umount', [mount]);
    await rm(mount, { recursive: true, force: true });
    await removeScratch();
  });

  it('answers 507 and keeps nothing while the disk is full, and takes the upload once there is room', async (t) => {
    if (!mounted) {
      t.skip('cannot mount a tmpfs here (needs root): the disk-full path is not exercised');
      return;
    }
    assert.ok(clip.length > 16 * 1024, `the clip (${clip.length} B) must not fit in 16 KiB`);
    const created = await context.app.inject({
      method: 'POST',
      url: '/api/admin/titles',
      headers: editor.headers,
      payload: { kind: 'movie', title: 'Disk full' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const itemId = created.json<{ id: string }>().id;
    const upload = () => {
      const { payload, contentType } = multipartBody([
        { name: 'itemId', value: itemId },
        { name: 'file', filename: 'clip.mp4', content: clip },
      ]);
      return context.app.inject({
        method: 'POST',
        url: '/api/videos/upload',
        headers: { ...editor.headers, 'content-type': contentType },
        payload,
      });
    };
    const assets = () =>
      context.deps.database.db.selectFrom('videoAssets').select('id').where('itemId', '=', itemId).execute();
    const files = async (directory: string): Promise<string[]> => {
      const entries = await readdir(directory, { withFileTypes: true, recursive: true });
      return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
    };

    const refused = await upload();
    assert.equal(refused.statusCode, 507, refused.body);
    assert.match(String(refused.headers['content-type']), /application\/problem\+json/);
    assert.equal(refused.json<{ code: string }>().code, 'STORAGE_FULL');
    assert.doesNotMatch(refused.body, /ENOSPC|\n\s+at /, 'no internals in the answer');
    assert.deepEqual(await assets(), [], 'no asset recorded');
    assert.deepEqual(await files(mount), [], 'no partial file left behind');
    assert.equal((await context.app.inject('/healthz')).statusCode, 200, 'the server goes on');

    await resize('64m');
    const accepted = await upload();
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.equal((await assets()).length, 1);
  });
});
