// The chat benchmark's baseline: a bare `ws` server that forwards each text frame it gets to
// every socket, serialised once to a Buffer (the same bytes for every socket) — the fan-out
// alone, with no ticket, no database, no Redis and no second instance. With BATCH_MS > 0 it
// gathers a busy stream as Marquee's chat does (LIVE_CHAT_BATCH_MS, docs/LIVE-CHAT.md): the first
// frame after a quiet spell at once, the ones within the next BATCH_MS as one `batch` frame.
// Started as its own process by the runner (HTTP answers 200 for readiness).
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const batchMs = Number(process.env.BATCH_MS ?? 0);
const server = http.createServer((_request, response) => response.end('ok'));
const sockets = new Set<WebSocket>();
const wss = new WebSocketServer({ server });

let pending: unknown[] = [];
let gathering = false;
function broadcast(frames: unknown[]): void {
  const data = Buffer.from(JSON.stringify(frames.length === 1 ? frames[0] : { type: 'batch', frames }));
  for (const viewer of sockets) viewer.send(data, { binary: false });
}
function gatherFor(ms: number): void {
  gathering = true;
  setTimeout(() => {
    gathering = false;
    if (pending.length === 0) return;
    broadcast(pending);
    pending = [];
    gatherFor(ms);
  }, ms);
}

wss.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('message', (data: Buffer) => {
    const { body } = JSON.parse(data.toString('utf8')) as { body: string };
    const frame = { type: 'message', message: { id: 0, body } };
    if (gathering) pending.push(frame);
    else {
      broadcast([frame]);
      if (batchMs > 0) gatherFor(batchMs);
    }
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  for (const socket of sockets) socket.terminate();
  server.close(() => process.exit(0));
});
