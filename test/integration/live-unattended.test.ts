import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUnattendedLiveEvents } from '../../src/modules/live/index.ts';
import { LiveEventsRepository } from '../../src/modules/live/live-events.repository.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { signInWithRoles } from '../support/accounts.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/**
 * A worker hosting an ingest is SIGTERM'd (or dies): its events must not stay `live` forever.
 * Ingests note the events they host every 5 s; `live.end-unattended` ends a live event nobody
 * has noted for the grace window (30 s here) and a little more, tells its chat, and leaves an
 * event that an ingest still notes — a publisher that reconnected elsewhere — alone.
 */
describe('live events whose ingest went away', () => {
  let context: TestContext;
  const clock = new ManualClock('2026-12-03T20:00:00Z');

  before(async () => {
    context = await createTestApp({ clock, jobHandlers: false, env: { LIVE_GRACE_SECONDS: '30' } });
  });
  after(() => context.close());

  it('ends the unattended one after the grace window, not the hosted one', async () => {
    const { app, deps } = context;
    const db = deps.database.db;
    const editor = await signInWithRoles(context, ['content_manager']);
    const create = async (title: string) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/admin/live-events',
        headers: editor.headers,
        payload: { title, scheduledStart: clock.now().toISOString() },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json<{ event: { id: string } }>().event.id;
    };
    const hosted = await create('Still hosted');
    const orphaned = await create('Worker went away');
    const scheduled = await create('Not started');
    const events = new LiveEventsRepository(db);
    for (const id of [hosted, orphaned])
      assert.ok(await events.moveState({ id, from: ['scheduled'], to: 'live', at: clock.now() }));
    const told: unknown[] = [];
    const unsubscribe = await deps.pubsub.subscribe(`live.chat.${orphaned}`, (frame) => told.push(frame));
    const unattended = createUnattendedLiveEvents({
      db,
      pubsub: deps.pubsub,
      clock,
      logger: deps.logger,
      graceSeconds: 30,
    });
    const state = async (id: string) =>
      (await db.selectFrom('liveEvents').select('state').where('id', '=', id).executeTakeFirstOrThrow())
        .state;

    // The orphan's worker stops noting at once; the other ingest notes its event every 5 s.
    const heartbeatsUntil = async (seconds: number) => {
      for (let elapsed = 0; elapsed < seconds; elapsed += 5) {
        clock.advance(5000);
        await events.touchIngest([hosted], clock.now());
      }
    };
    await heartbeatsUntil(35);
    assert.deepEqual(await unattended.end(), [], 'within the grace window (and slack): nothing ends');
    assert.equal(await state(orphaned), 'live');

    await heartbeatsUntil(15);
    assert.deepEqual(await unattended.end(), [orphaned]);
    assert.equal(await state(orphaned), 'ended');
    assert.equal(await state(hosted), 'live', 'an event an ingest still notes stays live');
    assert.equal(await state(scheduled), 'scheduled');
    const row = await db
      .selectFrom('liveEvents')
      .selectAll()
      .where('id', '=', orphaned)
      .executeTakeFirstOrThrow();
    assert.equal(row.endedAt?.toISOString(), clock.now().toISOString());
    for (let attempt = 0; told.length === 0 && attempt < 50; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(told, [{ type: 'state', state: 'ended' }], 'its chat viewers are told');
    assert.deepEqual(await unattended.end(), [], 'once');
    await unsubscribe();
  });
});
