import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import S3rver from 's3rver';
import { S3Storage } from '../../src/platform/storage/s3.storage.ts';
import { signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { makeClip, scratchDir } from '../support/media-clips.ts';
import { multipartBody } from '../support/multipart.ts';
import { freePort } from '../support/processes.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/**
 * S3 unreachable while a source is uploaded: the upload fails cleanly — 503 with Retry-After,
 * no asset recorded, no job queued — and the same upload succeeds once S3 is back.
 */
describe('S3 outage during an upload', () => {
  const bucket = 'marquee-fault';
  let directory: string;
  let port: number;
  let s3: S3rver | undefined;
  let context: TestContext;
  let editor: SignedIn;
  let clip: Buffer;
  let removeScratch: () => Promise<void>;

  const startS3 = async () => {
    s3 = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: [{ name: bucket, configs: [] }],
    });
    await s3.run();
  };

  before(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'marquee-s3-fault-'));
    port = await freePort();
    await startS3();
    context = await createTestApp({
      storage: new S3Storage({
        bucket,
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        forcePathStyle: true,
      }),
    });
    editor = await signInWithRoles(context, ['content_manager']);
    const scratch = await scratchDir();
    removeScratch = scratch.remove;
    clip = await readFile(
      await makeClip({ path: path.join(scratch.dir, 'clip.mp4'), width: 320, height: 240, seconds: 1 }),
    );
  });
  after(async () => {
    await context.close();
    await s3?.close();
    await removeScratch();
    await rm(directory, { recursive: true, force: true });
  });

  it('answers 503 and records nothing while S3 is down, and takes the same upload once it is back', async () => {
    const created = await context.app.inject({
      method: 'POST',
      url: '/api/admin/titles',
      headers: editor.headers,
      payload: { kind: 'movie', title: 'S3 outage' },
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

    await s3?.close();
    s3 = undefined;
    const refused = await upload();
    assert.equal(refused.statusCode, 503, refused.body);
    assert.equal(refused.json<{ code: string }>().code, 'DEPENDENCY_UNAVAILABLE');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.deepEqual(await assets(), []);
    assert.equal((await context.app.inject('/readyz')).statusCode, 503);

    await startS3();
    const accepted = await upload();
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.equal((await assets()).length, 1);
  });
});
