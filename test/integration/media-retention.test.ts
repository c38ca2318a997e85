import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PackageRetention, type RetentionReport } from '../../src/modules/media/index.ts';
import { packagesInUse } from '../../src/modules/playback/index.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { makeClip, scratchDir } from '../support/media-clips.ts';
import { harness, publishedClip, upload, waitForJob, type Harness } from '../support/media-harness.ts';

/**
 * Package retention on a real transcoded title: a re-encode supersedes the item's package, and
 * the superseded one is deleted — files and keys — only after the retention window and only once
 * no live stream and no unexpired offline licence uses it. The current package is never touched.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('package retention', () => {
  let h: Harness;
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let movieId: string;
  let firstAsset: string;

  before(async () => {
    h = await harness(undefined, { TRANSCODE_LADDER: '240:300' });
    scratch = await scratchDir();
    ({ movieId, assetId: firstAsset } = await publishedClip(h, {
      title: 'Retention test',
      dir: scratch.dir,
      seconds: 4,
    }));
  });
  after(async () => {
    await h.close();
    await scratch.remove();
  });

  const db = () => h.context.deps.database.db;
  const retention = (options: { clock: ManualClock; retentionHours: number }) =>
    new PackageRetention({
      db: db(),
      storage: h.context.deps.storage,
      pubsub: h.context.deps.pubsub,
      logger: h.context.deps.logger,
      inUse: packagesInUse({ db: db(), heartbeatLapseSeconds: 75 }),
      ...options,
    });
  const report = (values: Partial<RetentionReport>): RetentionReport => ({
    considered: 0,
    kept: 0,
    retired: 0,
    deletedObjects: 0,
    ...values,
  });
  const asset = (id: string) =>
    db().selectFrom('videoAssets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const objectsUnder = async (prefix: string) => {
    let count = 0;
    for await (const _ of h.context.deps.storage.list(prefix)) count += 1;
    return count;
  };
  const keysOf = async (assetId: string) =>
    (await db().selectFrom('contentKeys').select('id').where('assetId', '=', assetId).execute()).length;
  const reencode = async (name: string) => {
    const clip = await makeClip({ path: path.join(scratch.dir, name), width: 640, height: 360, seconds: 2 });
    const queued = await upload(h, movieId, clip);
    const job = await waitForJob(h, queued.id, (j) => j.status === 'ready' || j.status === 'failed');
    assert.equal(job.status, 'ready', JSON.stringify(job.failure));
    return queued.id;
  };
  const basicViewer = async (): Promise<SignedIn> => {
    const viewer = await signInWithRoles(h.context, ['viewer']);
    await db().updateTable('users').set({ planId: 'basic' }).where('id', '=', viewer.userId).execute();
    return viewer;
  };

  it('deletes a replaced package after the window, once no stream or unexpired licence uses it; never the current one', async () => {
    const viewer = await basicViewer();
    const started = await h.context.app.inject({
      method: 'POST',
      url: `/api/playback/${movieId}`,
      headers: viewer.headers,
    });
    assert.equal(started.statusCode, 201, started.body);
    const { sessionId } = started.json<{ sessionId: string }>();
    const device = await h.context.app.inject({
      method: 'POST',
      url: '/api/downloads/devices',
      headers: viewer.headers,
      payload: {
        name: 'Tablet',
        publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
      },
    });
    assert.equal(device.statusCode, 201, device.body);
    const downloaded = await h.context.app.inject({
      method: 'POST',
      url: `/api/downloads/${movieId}`,
      headers: viewer.headers,
      payload: { deviceId: device.json<{ id: string }>().id },
    });
    assert.equal(downloaded.statusCode, 201, downloaded.body);
    const downloadId = downloaded.json<{ download: { id: string } }>().download.id;

    const secondAsset = await reencode('second.mp4');
    const old = await asset(firstAsset);
    assert.ok(old.supersededAt, 'the re-encode marks the earlier package superseded');
    assert.equal((await asset(secondAsset)).supersededAt, null);
    const oldPrefix = old.packagePrefix!;
    const oldObjects = await objectsUnder(oldPrefix);
    assert.ok(oldObjects > 0);

    const clock = new ManualClock(new Date());
    // Within the window: not even looked at.
    assert.deepEqual(await retention({ clock, retentionHours: 24 }).run(), report({}));
    // Past it, but a stream still plays the old package and a download holds it.
    assert.deepEqual(await retention({ clock, retentionHours: 0 }).run(), report({ considered: 1, kept: 1 }));
    const stopped = await h.context.app.inject({
      method: 'DELETE',
      url: `/api/playback/sessions/${sessionId}`,
      headers: viewer.headers,
    });
    assert.equal(stopped.statusCode, 204, stopped.body);
    assert.deepEqual(await retention({ clock, retentionHours: 0 }).run(), report({ considered: 1, kept: 1 }));
    assert.equal(await objectsUnder(oldPrefix), oldObjects);

    // The download's licence (30 days) has lapsed: now nothing uses it.
    clock.advance(31 * DAY);
    const retired = await retention({ clock, retentionHours: 24 }).run();
    assert.deepEqual(retired, report({ considered: 1, retired: 1, deletedObjects: oldObjects }));
    assert.equal(await objectsUnder(oldPrefix), 0);
    assert.equal(await keysOf(firstAsset), 0);
    const after = await asset(firstAsset);
    assert.equal(after.status, 'retired');
    assert.ok(after.retiredAt);
    assert.ok(h.events.some((event) => event.type === 'PackageRetired' && event.assetId === firstAsset));

    // The current package is whole and plays; a second run has nothing to do.
    const current = await asset(secondAsset);
    assert.equal(current.status, 'ready');
    assert.ok((await objectsUnder(current.packagePrefix!)) > 0);
    assert.ok((await keysOf(secondAsset)) > 0);
    const again = await h.context.app.inject({
      method: 'POST',
      url: `/api/playback/${movieId}`,
      headers: viewer.headers,
    });
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(await retention({ clock, retentionHours: 24 }).run(), report({}));

    // Renewing the lapsed download asks for a fresh one instead of a licence without keys.
    const renewed = await h.context.app.inject({
      method: 'POST',
      url: `/api/downloads/${downloadId}/renew`,
      headers: viewer.headers,
    });
    assert.equal(renewed.statusCode, 409, renewed.body);
    assert.equal(renewed.json<{ code: string }>().code, 'PLAYBACK_NOT_READY');
    // Admins still see the retired asset's record.
    const job = await h.context.app.inject({
      url: `/api/admin/jobs/${firstAsset}`,
      headers: h.admin.headers,
    });
    assert.equal(job.statusCode, 200, job.body);
    assert.equal(job.json<{ status: string }>().status, 'retired');
  });

  it('finishes a deletion that stopped between its steps, and keeps a package an item points at again', async () => {
    const before = (
      await db()
        .selectFrom('itemVideos')
        .select('assetId')
        .where('itemId', '=', movieId)
        .executeTakeFirstOrThrow()
    ).assetId;
    const third = await reencode('third.mp4');
    const clock = new ManualClock(new Date(Date.now() + 2 * DAY));
    // A run that died after its transaction: keys gone, files still there.
    await db().updateTable('videoAssets').set({ status: 'retiring' }).where('id', '=', before).execute();
    await db().deleteFrom('contentKeys').where('assetId', '=', before).execute();
    const prefix = (await asset(before)).packagePrefix!;
    const objects = await objectsUnder(prefix);
    assert.ok(objects > 0);
    assert.deepEqual(
      await retention({ clock, retentionHours: 24 }).run(),
      report({ considered: 1, retired: 1, deletedObjects: objects }),
    );
    assert.equal(await objectsUnder(prefix), 0);
    assert.equal((await asset(before)).status, 'retired');

    // An item pointed back at a superseded package (an admin's rollback) keeps it.
    const fourth = await reencode('fourth.mp4');
    await db().updateTable('itemVideos').set({ assetId: third }).where('itemId', '=', movieId).execute();
    assert.ok((await asset(third)).supersededAt);
    assert.deepEqual(await retention({ clock, retentionHours: 24 }).run(), report({}));
    assert.equal((await asset(third)).status, 'ready');
    assert.equal((await asset(fourth)).status, 'ready');
  });
});
