import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { createRecordedTitles } from '../../src/modules/catalog/index.ts';
import { createLiveRecordings, liveRecordingKey, type LiveEvent } from '../../src/modules/live/index.ts';
import { signInWithRoles } from '../support/accounts.ts';
import { harness, type Harness } from '../support/media-harness.ts';

const system = { actor: { type: 'system' as const, id: null }, ip: null, requestId: null };

/**
 * `live.record-vod` retried after a crash: the first attempt made the draft movie and registered
 * the recording (its transcode queued), then died before noting the title on the event. The
 * retry, and any attempt after it, must find both — one movie, one asset, one transcode.
 */
describe('live recording → VOD, retried', () => {
  let h: Harness;

  before(async () => {
    // No job handlers: the queued transcode stays queued, and nothing else touches the rows.
    h = await harness(undefined, {}, { jobHandlers: false });
  });
  after(() => h.close());

  it('adds no second draft movie or asset when the job runs again after a crash', async () => {
    const { app, deps } = h.context;
    const db = deps.database.db;
    const editor = await signInWithRoles(h.context, ['content_manager']);
    const created = await app.inject({
      method: 'POST',
      url: '/api/admin/live-events',
      headers: editor.headers,
      payload: { title: 'Crashed recording', scheduledStart: new Date().toISOString(), minPlanTier: 1 },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { event } = created.json<{ event: LiveEvent }>();
    await db.updateTable('liveEvents').set({ state: 'ended' }).where('id', '=', event.id).execute();
    const storageKey = liveRecordingKey(event.id);
    await deps.storage.put(storageKey, Buffer.alloc(4096, 0x47));
    const payload = { eventId: event.id, storageKey, bytes: 4096 };

    const titles = createRecordedTitles({ db, clock: deps.clock });
    const registerSource = async (source: {
      itemId: string;
      storageKey: string;
      sourceName: string;
      bytes: number;
    }) => {
      await h.media.registerSource({ ...source, uploadedBy: null }, system);
    };
    const recordings = createLiveRecordings({
      db,
      clock: deps.clock,
      titleFor: (live) => titles.ensure(live),
      registerSource,
    });

    // The first attempt, up to the crash: the movie and its source, not yet the event's note.
    const titleId = await titles.ensure(event);
    await registerSource({ itemId: titleId, storageKey, sourceName: 'live-recording.ts', bytes: 4096 });
    const [firstAsset] = await db
      .selectFrom('videoAssets')
      .selectAll()
      .where('itemId', '=', titleId)
      .execute();
    assert.ok(firstAsset?.jobId);

    await recordings.toVod(payload);
    await recordings.toVod(payload);

    const movies = await db
      .selectFrom('titles')
      .select('id')
      .where(sql<string>`external_ids ->> 'liveEvent'`, '=', event.id)
      .execute();
    assert.deepEqual(
      movies.map((movie) => movie.id),
      [titleId],
      'one draft movie',
    );
    const assets = await db.selectFrom('videoAssets').selectAll().where('itemId', '=', titleId).execute();
    assert.deepEqual(
      assets.map((asset) => [asset.id, asset.jobId]),
      [[firstAsset.id, firstAsset.jobId]],
      'one asset, one queued transcode',
    );
    const after = await db
      .selectFrom('liveEvents')
      .selectAll()
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.recordingTitleId, titleId);
  });
});
