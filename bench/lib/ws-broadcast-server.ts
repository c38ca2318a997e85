// The chat benchmark's baseline: a bare `ws` server that forwards each text frame it gets to
// every socket, serialised once — the fan-out alone, with no ticket, no database, no Redis and no
// second instance. Started as its own process by the runner (HTTP answers 200 for readiness).
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const server = http.createServer((_request, response) => response.end('ok'));
const sockets = new Set<WebSocket>();
const wss = new WebSocketServer({ server });
wss.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('message', (data: Buffer) => {
    const { body } = JSON.parse(data.toString('utf8')) as { body: string };
    const frame = JSON.stringify({ type: 'message', message: { id: 0, body } });
    for (const viewer of sockets) viewer.send(frame);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  for (const socket of sockets) socket.terminate();
  server.close(() => process.exit(0));
});
