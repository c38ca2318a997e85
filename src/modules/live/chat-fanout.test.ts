import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { ChatFanout, encodeBroadcast } from './chat-fanout.ts';
import { serverFrame, unbatched, type BroadcastFrame, type ServerFrame } from './chat-protocol.ts';

const chatMessage = (id: number, body = `m${id}`) => ({
  id,
  body,
  authorName: 'Ada',
  userId: '00000000-0000-4000-8000-000000000001',
  createdAt: new Date(0).toISOString(),
});
const message = (id: number, body?: string): BroadcastFrame => ({
  type: 'message',
  message: chatMessage(id, body),
});

/** Real sockets on loopback: a server side for the fan-out, a client side that records frames. */
describe('live chat fan-out', () => {
  let server: WebSocketServer;
  let url: string;
  before(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  async function connect(count: number) {
    const clients = [];
    // One at a time: each server-side socket is paired with its own client.
    for (let index = 0; index < count; index++) {
      const serverSide = once(server, 'connection') as Promise<[WebSocket]>;
      const socket = new WebSocket(url);
      const wire: ServerFrame[] = [];
      socket.on('message', (data: Buffer) => wire.push(serverFrame.parse(JSON.parse(data.toString()))));
      await once(socket, 'open');
      clients.push({ socket, wire, serverSide: (await serverSide)[0] });
    }
    return clients;
  }
  const waitFor = async (check: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      assert.ok(Date.now() < deadline, 'timed out');
      await sleep(10);
    }
  };

  it('sends the first frame at once and gathers the next ones into one batch, in order', async () => {
    const clients = await connect(2);
    const fanout = new ChatFanout({ batchMs: 100, maxBufferedBytes: 1 << 20, onDropped: () => {} });
    for (const client of clients) fanout.sockets.add(client.serverSide);
    const frames: BroadcastFrame[] = [
      message(1),
      message(2),
      { type: 'pinned', message: chatMessage(2) },
      { type: 'deleted', id: 1 },
      message(3),
    ];
    for (const frame of frames) fanout.push(frame);
    for (const client of clients) {
      await waitFor(() => client.wire.length === 2);
      assert.deepEqual(client.wire[0], frames[0], 'the first goes alone, at once');
      assert.equal(client.wire[1]?.type, 'batch');
      assert.deepEqual(client.wire.flatMap(unbatched), frames, 'every frame, in order, to every viewer');
    }
    // A quiet spell: the next frame goes alone again, at once.
    await sleep(250);
    fanout.push(message(4));
    for (const client of clients) {
      await waitFor(() => client.wire.length === 3);
      assert.deepEqual(client.wire[2], message(4));
    }
    fanout.close();
    for (const client of clients) client.socket.terminate();
  });

  it('sends every frame alone with batchMs 0, and serialises a frame once for all sockets', async () => {
    const sent: Array<string | Buffer> = [];
    const socket = {
      readyState: 1,
      OPEN: 1 as const,
      bufferedAmount: 0,
      send: (data: string | Buffer) => sent.push(data),
      terminate: () => assert.fail('not slow'),
    } as unknown as WebSocket;
    const fanout = new ChatFanout({ batchMs: 0, maxBufferedBytes: 1 << 20, onDropped: () => {} });
    fanout.sockets.add(socket);
    fanout.sockets.add({ ...socket } as WebSocket);
    fanout.push(message(1));
    fanout.push(message(2));
    assert.equal(sent.length, 4);
    assert.equal(sent[0], sent[1], 'the same bytes for both sockets, not a copy each');
    assert.deepEqual(sent[2], encodeBroadcast([message(2)]));
  });

  it('still drops a viewer that stops reading, while the others get every frame', async () => {
    const [reader, stalled] = await connect(2);
    assert.ok(reader && stalled);
    let drops = 0;
    const fanout = new ChatFanout({ batchMs: 20, maxBufferedBytes: 1 << 20, onDropped: () => drops++ });
    fanout.sockets.add(reader.serverSide);
    fanout.sockets.add(stalled.serverSide);
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const closed = once(stalled.serverSide, 'close');
    const body = 'x'.repeat(16 * 1024);
    let id = 0;
    // Until the kernel's buffers and then the bound fill up: a few MB at most on loopback.
    while (drops === 0 && id < 3000) {
      fanout.push(message(++id, body));
      await sleep(4);
    }
    assert.equal(drops, 1, 'the stalled viewer was dropped');
    await closed;
    assert.equal(stalled.serverSide.readyState, WebSocket.CLOSED);
    await waitFor(() => reader.wire.flatMap(unbatched).length === id);
    const ids = reader.wire
      .flatMap(unbatched)
      .map((frame) => (frame.type === 'message' ? frame.message.id : 0));
    assert.deepEqual(
      ids,
      Array.from({ length: id }, (_, index) => index + 1),
    );
    assert.ok(reader.wire.length < id, 'frames were gathered into batches');
    fanout.close();
    reader.socket.terminate();
    stalled.socket.terminate();
  });
});
