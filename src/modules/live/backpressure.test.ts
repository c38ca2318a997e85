import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { sendOrDrop } from './backpressure.ts';

describe('live chat backpressure', () => {
  it('drops a client that stops reading once its unsent bytes pass the bound, and never before', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const [serverSide] = (await once(server, 'connection')) as [WebSocket];
    await once(client, 'open');
    // The viewer stops reading: the kernel's buffers fill, then the server's queue grows.
    (client as unknown as { _socket: { pause(): void } })._socket.pause();
    const frame = 'x'.repeat(256 * 1024);
    const bound = 1024 * 1024;
    let outcome: ReturnType<typeof sendOrDrop> = 'sent';
    let sent = 0;
    while (outcome === 'sent' && sent < 2000) {
      assert.ok(serverSide.bufferedAmount <= bound + frame.length, 'never queues far past the bound');
      outcome = sendOrDrop(serverSide, frame, bound);
      sent++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(outcome, 'dropped');
    assert.equal(sendOrDrop(serverSide, frame, bound), 'closed');
    client.terminate();
    server.close();
  });
});
