import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.ts';
import { allowDevices, registerViewer, signInWithRoles, type SignedIn } from '../support/accounts.ts';
import { joinChat, openChat } from '../support/live-chat.ts';
import { createTestApp, type TestContext } from '../support/test-app.ts';

/**
 * Live events (admin CRUD, stream keys, the catalog's gates) and their chat over real
 * WebSockets: history, resume, fan-out, moderation, limits, presence and bad frames.
 */
describe('live: events and chat', () => {
  let context: TestContext;
  let baseUrl: string;
  let editor: SignedIn;
  let support: SignedIn;
  let eventId: string;

  const createEvent = async (payload: Record<string, unknown> = {}) => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/admin/live-events',
      headers: editor.headers,
      payload: { title: 'Launch night', scheduledStart: new Date().toISOString(), ...payload },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json<{ event: { id: string; state: string }; streamKey: string }>();
  };
  const join = (app: App, url: string, viewer: SignedIn, options: { after?: number; event?: string } = {}) =>
    joinChat({
      app,
      baseUrl: url,
      eventId: options.event ?? eventId,
      headers: viewer.headers,
      ...(options.after === undefined ? {} : { after: options.after }),
    });

  before(async () => {
    context = await createTestApp({
      env: {
        LIVE_CHAT_MESSAGES_PER_10S: '4',
        LIVE_CHAT_MAX_CHARACTERS: '100',
        LIVE_CHAT_PRESENCE_MS: '200',
        LIVE_CHAT_HISTORY: '3',
        // Wide enough that a burst of frames is gathered even on a busy machine.
        LIVE_CHAT_BATCH_MS: '500',
        COMMENT_BLOCKED_WORDS: 'darn',
      },
    });
    await allowDevices(context);
    baseUrl = await context.app.listen({ port: 0, host: '127.0.0.1' });
    editor = await signInWithRoles(context, ['content_manager']);
    support = await signInWithRoles(context, ['support']);
    eventId = (await createEvent()).event.id;
  });
  after(() => context.close());

  it('admins schedule, change and rotate events; the key is shown once and only its hash is kept', async () => {
    const { event, streamKey } = await createEvent({ title: 'Key test', minPlanTier: 1 });
    assert.equal(event.state, 'scheduled');
    assert.match(streamKey, /^live_[A-Za-z0-9_-]{43}$/);
    const read = await context.app.inject({
      url: `/api/admin/live-events/${event.id}`,
      headers: editor.headers,
    });
    assert.equal(read.statusCode, 200);
    assert.ok(!read.body.includes(streamKey), 'the key is never shown again');
    const row = await context.deps.database.db
      .selectFrom('liveEvents')
      .select('streamKeyHash')
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(row.streamKeyHash, streamKey);

    const rotated = await context.app.inject({
      method: 'POST',
      url: `/api/admin/live-events/${event.id}/stream-key`,
      headers: editor.headers,
    });
    assert.equal(rotated.statusCode, 200);
    assert.notEqual(rotated.json<{ streamKey: string }>().streamKey, streamKey);

    const patched = await context.app.inject({
      method: 'PATCH',
      url: `/api/admin/live-events/${event.id}`,
      headers: editor.headers,
      payload: { title: 'Renamed', allowedRegions: ['FR'] },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json<{ title: string }>().title, 'Renamed');

    const viewer = await registerViewer(context.app);
    const refused = await context.app.inject({
      method: 'POST',
      url: '/api/admin/live-events',
      headers: viewer.headers,
      payload: { title: 'Nope', scheduledStart: new Date().toISOString() },
    });
    assert.equal(refused.statusCode, 403);
    const bad = await context.app.inject({
      method: 'POST',
      url: '/api/admin/live-events',
      headers: editor.headers,
      payload: { title: 'Bad', scheduledStart: 'tomorrow', allowedRegions: ['france'] },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /scheduledStart/);

    const removed = await context.app.inject({
      method: 'DELETE',
      url: `/api/admin/live-events/${event.id}`,
      headers: editor.headers,
    });
    assert.equal(removed.statusCode, 204);
    const list = await context.app.inject({ url: '/api/admin/live-events', headers: editor.headers });
    assert.ok(!list.json<{ items: { id: string }[] }>().items.some((item) => item.id === event.id));
  });

  it('viewers see an event under the plan, region and maturity rules; a ticket needs the same', async () => {
    const viewer = await registerViewer(context.app);
    const premium = (await createEvent({ title: 'Premium only', minPlanTier: 3 })).event.id;
    const elsewhere = (await createEvent({ title: 'France only', allowedRegions: ['FR'] })).event.id;
    const ok = await context.app.inject({ url: `/api/live/${eventId}`, headers: viewer.headers });
    assert.equal(ok.statusCode, 200);
    const plan = await context.app.inject({ url: `/api/live/${premium}`, headers: viewer.headers });
    assert.equal(plan.statusCode, 402);
    assert.equal(plan.json<{ code: string }>().code, 'LIVE_PLAN_REQUIRED');
    const region = await context.app.inject({
      method: 'POST',
      url: `/api/live/${elsewhere}/chat-ticket`,
      headers: viewer.headers,
    });
    assert.equal(region.statusCode, 404);
    // The "live now and coming up" list: the region-locked one is not there, the premium one is
    // (with its tier: the upgrade is offered there), one a month away is not; nobody gets 401.
    const later = (
      await createEvent({
        title: 'Next month',
        scheduledStart: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      })
    ).event.id;
    const listed = await context.app.inject({ url: '/api/live?days=7', headers: viewer.headers });
    assert.equal(listed.statusCode, 200, listed.body);
    const ids = listed
      .json<{ items: Array<{ id: string; minPlanTier: number }> }>()
      .items.map((item) => item.id);
    assert.ok(ids.includes(eventId) && ids.includes(premium), listed.body);
    assert.ok(!ids.includes(elsewhere) && !ids.includes(later), listed.body);
    assert.equal((await context.app.inject({ url: '/api/live' })).statusCode, 401);
    const absurd = await context.app.inject({ url: '/api/live?days=9999', headers: viewer.headers });
    assert.equal(absurd.statusCode, 400);
  });

  it('a message reaches every viewer; joining gets the last N; resuming gets what came after', async () => {
    const alice = await registerViewer(context.app, { name: 'Alice' });
    const bob = await registerViewer(context.app, { name: 'Bob' });
    const a = await join(context.app, baseUrl, alice);
    const b = await join(context.app, baseUrl, bob);
    assert.equal(a.welcome.state, 'scheduled');
    assert.equal(a.welcome.moderator, false);
    const sent: number[] = [];
    for (const body of ['one', 'two', 'three', 'four']) {
      a.client.send({ type: 'send', body });
      const got = await b.client.next('message', (frame) => frame.message.body === body);
      assert.equal(got.message.authorName, 'Alice');
      sent.push(got.message.id);
    }
    const late = await join(context.app, baseUrl, bob);
    assert.deepEqual(
      late.welcome.messages.map((message) => message.body),
      ['two', 'three', 'four'],
    );
    const resumed = await join(context.app, baseUrl, bob, { after: sent[0] as number });
    assert.deepEqual(
      resumed.welcome.messages.map((message) => message.id),
      sent.slice(1),
    );
    // Alice is at her limit (4 per 10 s): refused with an error frame, the socket stays.
    a.client.send({ type: 'send', body: 'five' });
    const limited = await a.client.next('error');
    assert.equal(limited.code, 'LIVE_CHAT_RATE_LIMITED');
    assert.ok((limited.retryAfterMs ?? 0) > 0);
    a.client.send({ type: 'ping' });
    await a.client.next('pong');
    a.client.send({ type: 'react', reaction: 'heart' });
    await b.client.next('reaction', (frame) => frame.reaction === 'heart');
    await Promise.all([a.client.close(), b.client.close(), late.client.close(), resumed.client.close()]);
  });

  it('a ticket is single-use and for one event; no join, no chat', async () => {
    const viewer = await registerViewer(context.app);
    const response = await context.app.inject({
      method: 'POST',
      url: `/api/live/${eventId}/chat-ticket`,
      headers: viewer.headers,
    });
    const { ticket } = response.json<{ ticket: string }>();
    const first = await openChat(baseUrl, eventId);
    first.send({ type: 'join', ticket });
    await first.next('welcome');
    const again = await openChat(baseUrl, eventId);
    again.send({ type: 'join', ticket });
    assert.equal((await again.closed).code, 4401);
    const other = (await createEvent()).event.id;
    const wrongEvent = await openChat(baseUrl, other);
    wrongEvent.send({ type: 'join', ticket: 'chat_unknown' });
    assert.equal((await wrongEvent.closed).code, 4401);
    const noJoin = await openChat(baseUrl, eventId);
    noJoin.send({ type: 'send', body: 'hello?' });
    assert.equal((await noJoin.closed).code, 4401);
    await first.close();
  });

  it('bad frames get an error frame or a close code, and the server carries on', async () => {
    const viewer = await registerViewer(context.app);
    const { client } = await join(context.app, baseUrl, viewer);
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await client.next('error')).code, 'PROTOCOL_BINARY');
    client.send('{not json');
    assert.equal((await client.next('error')).code, 'PROTOCOL_JSON');
    client.send({ type: 'shout', body: 'hi' });
    assert.equal((await client.next('error')).code, 'PROTOCOL_FRAME');
    client.send({ type: 'send', body: 'x'.repeat(101) });
    assert.match((await client.next('error')).message, /body/);
    client.send({ type: 'send', body: 'bell\u0007' });
    assert.equal((await client.next('error')).code, 'PROTOCOL_FRAME');
    client.send({ type: 'send', body: 'well darn it' });
    assert.equal((await client.next('error')).code, 'LIVE_CHAT_BLOCKED_WORD');
    client.send({ type: 'delete', id: 1 });
    assert.equal((await client.next('error')).code, 'LIVE_CHAT_FORBIDDEN');
    client.send(JSON.stringify({ type: 'send', body: 'y'.repeat(5000) }));
    assert.equal((await client.closed).code, 1009);
    const health = await context.app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 200);
  });

  it('moderators delete (gone for everyone and from history), pin and slow the chat; bans apply', async () => {
    const viewer = await registerViewer(context.app, { name: 'Carol' });
    const event = (await createEvent({ title: 'Moderated' })).event.id;
    const watcher = await join(context.app, baseUrl, viewer, { event });
    const moderator = await join(context.app, baseUrl, support, { event });
    assert.equal(moderator.welcome.moderator, true);
    watcher.client.send({ type: 'send', body: 'rude words' });
    const rude = (await moderator.client.next('message')).message;
    watcher.client.send({ type: 'send', body: 'nice words' });
    const nice = (await moderator.client.next('message')).message;

    moderator.client.send({ type: 'pin', id: nice.id });
    assert.equal((await watcher.client.next('pinned')).message?.body, 'nice words');
    moderator.client.send({ type: 'delete', id: rude.id });
    assert.equal((await watcher.client.next('deleted')).id, rude.id);
    const fresh = await join(context.app, baseUrl, viewer, { event });
    assert.deepEqual(
      fresh.welcome.messages.map((message) => message.body),
      ['nice words'],
    );
    assert.equal(fresh.welcome.pinned?.id, nice.id);

    moderator.client.send({ type: 'slow_mode', seconds: 60 });
    assert.equal((await watcher.client.next('slow_mode')).seconds, 60);
    watcher.client.send({ type: 'send', body: 'first in slow mode' });
    await watcher.client.next('message', (frame) => frame.message.body === 'first in slow mode');
    watcher.client.send({ type: 'send', body: 'second in slow mode' });
    assert.equal((await watcher.client.next('error')).code, 'LIVE_CHAT_SLOW_MODE');

    const ban = await context.app.inject({
      method: 'PUT',
      url: `/api/admin/users/${viewer.userId}/comment-ban`,
      headers: support.headers,
    });
    assert.ok(ban.statusCode < 300, ban.body);
    fresh.client.send({ type: 'send', body: 'am I banned?' });
    assert.equal((await fresh.client.next('error')).code, 'LIVE_CHAT_BANNED');
    await Promise.all([watcher.client.close(), moderator.client.close(), fresh.client.close()]);
  });

  it('a burst arrives batched and in order to everyone, deletes and pins too; resume stays exact', async () => {
    const event = (await createEvent({ title: 'Busy' })).event.id;
    const [writer, reader] = await Promise.all([registerViewer(context.app), registerViewer(context.app)]);
    const w = await join(context.app, baseUrl, writer, { event });
    const viewers = [w, await join(context.app, baseUrl, reader, { event })];
    const moderator = await join(context.app, baseUrl, support, { event });
    const before = viewers.map((viewer) => viewer.client.wireFrames.length);
    const bodies = ['b1', 'b2', 'b3', 'b4'];
    // Sent without waiting: the server handles them in order and they fan out within one batch or two.
    for (const body of bodies) w.client.send({ type: 'send', body });
    const ids: number[] = [];
    for (const body of bodies)
      ids.push((await moderator.client.next('message', (frame) => frame.message.body === body)).message.id);
    assert.deepEqual(
      [...ids].sort((a, b) => a - b),
      ids,
      'ids follow the order sent',
    );
    moderator.client.send({ type: 'pin', id: ids[1] });
    moderator.client.send({ type: 'delete', id: ids[2] });
    for (const [index, viewer] of viewers.entries()) {
      await viewer.client.next('deleted', (frame) => frame.id === ids[2]);
      const seen = viewer.client.frames.filter((frame) =>
        ['message', 'pinned', 'deleted'].includes(frame.type),
      );
      assert.deepEqual(
        seen.map((frame) => (frame.type === 'message' ? frame.message.body : frame.type)),
        [...bodies, 'pinned', 'deleted'],
        'every viewer gets the same frames in the order they happened',
      );
      const wire = viewer.client.wireFrames
        .slice(before[index])
        .filter((frame) => ['message', 'pinned', 'deleted', 'batch'].includes(frame.type)).length;
      assert.ok(wire < seen.length, `${seen.length} frames came in ${wire} WebSocket frames`);
    }
    // Resuming after b2 gets exactly what came after it and still stands (b3 was deleted).
    const resumed = await join(context.app, baseUrl, reader, { event, after: ids[1] as number });
    assert.deepEqual(
      resumed.welcome.messages.map((message) => message.id),
      [ids[3]],
    );
    assert.equal(resumed.welcome.pinned?.id, ids[1]);
    await Promise.all([...viewers, moderator, resumed].map((viewer) => viewer.client.close()));
  });

  it('every viewer is told the viewer count, and the admin list shows it', async () => {
    const event = (await createEvent({ title: 'Counted' })).event.id;
    const viewers = await Promise.all([registerViewer(context.app), registerViewer(context.app)]);
    const clients = await Promise.all(viewers.map((viewer) => join(context.app, baseUrl, viewer, { event })));
    await clients[0]?.client.next('viewers', (frame) => frame.count === 2, 3000);
    const listed = await context.app.inject({ url: '/api/admin/live-events', headers: editor.headers });
    const row = listed
      .json<{ items: Array<{ id: string; viewersNow: number }> }>()
      .items.find((e) => e.id === event);
    assert.equal(row?.viewersNow, 2, 'the console reads the same count as the chat');
    await clients[1]?.client.close();
    await clients[0]?.client.next('viewers', (frame) => frame.count === 1, 3000);
    await clients[0]?.client.close();
  });

  it('a message sent on one instance reaches viewers on another', async (t) => {
    if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
      t.skip(
        'two instances need PostgreSQL and Redis: on the embedded defaults one process owns the database and the in-process pub/sub',
      );
      return;
    }
    const second = await context.anotherInstance();
    try {
      const secondUrl = await second.app.listen({ port: 0, host: '127.0.0.1' });
      const event = (await createEvent({ title: 'Two instances' })).event.id;
      const [one, two] = await Promise.all([registerViewer(context.app), registerViewer(context.app)]);
      const here = await join(context.app, baseUrl, one, { event });
      const there = await join(second.app, secondUrl, two, { event });
      here.client.send({ type: 'send', body: 'across instances' });
      const got = await there.client.next('message', (frame) => frame.message.body === 'across instances');
      assert.equal(got.message.userId, one.userId);
      await there.client.next('viewers', (frame) => frame.count === 2, 3000);
      // A ticket issued by one instance is redeemed on the other, still only once.
      await Promise.all([here.client.close(), there.client.close()]);
    } finally {
      await second.close();
    }
  });
});
