import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { App } from '../../src/app.ts';
import { unbatched, type ServerFrame } from '../../src/modules/live/chat-protocol.ts';

/**
 * A chat client on a real socket, keeping every frame it got so tests can wait for one. A `batch`
 * is kept as the frames it carries, in order (as the web app reads it); `wireFrames` keeps the
 * WebSocket frames as they came.
 */
export interface ChatClient {
  socket: WebSocket;
  frames: ServerFrame[];
  wireFrames: ServerFrame[];
  send(frame: unknown): void;
  next<T extends ServerFrame['type']>(
    type: T,
    where?: (frame: Extract<ServerFrame, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<ServerFrame, { type: T }>>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export function openChat(baseUrl: string, eventId: string): Promise<ChatClient> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/live/${eventId}/chat`);
  const frames: ServerFrame[] = [];
  const wireFrames: ServerFrame[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as ServerFrame;
    wireFrames.push(frame);
    frames.push(...unbatched(frame));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      for (const wake of waiters) wake();
    }),
  );
  let seen = 0;
  const client: ChatClient = {
    socket,
    frames,
    wireFrames,
    closed,
    send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next(type, where, timeoutMs = 5000) {
      type Wanted = Extract<ServerFrame, { type: typeof type }>;
      return new Promise((resolve, reject) => {
        const check = () => {
          // Frames are consumed in order: each wait starts after the last one matched.
          for (let index = seen; index < frames.length; index++) {
            const frame = frames[index] as ServerFrame;
            if (frame.type === type && (!where || where(frame as Wanted))) {
              seen = index + 1;
              cleanup();
              resolve(frame as Wanted);
              return;
            }
          }
          if (socket.readyState === socket.CLOSED) {
            cleanup();
            reject(new Error(`socket closed while waiting for ${type}: ${JSON.stringify(frames)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${type} frame within ${timeoutMs} ms: ${JSON.stringify(frames)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      if (socket.readyState !== socket.CLOSED) {
        socket.close();
        await closed;
      }
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

/** A ticket for this event over HTTP, then a socket that has joined with it. */
export async function joinChat(options: {
  app: App;
  baseUrl: string;
  eventId: string;
  headers: Record<string, string>;
  after?: number;
}): Promise<{ client: ChatClient; welcome: Extract<ServerFrame, { type: 'welcome' }> }> {
  const response = await options.app.inject({
    method: 'POST',
    url: `/api/live/${options.eventId}/chat-ticket`,
    headers: options.headers,
  });
  assert.equal(response.statusCode, 201, response.body);
  const client = await openChat(options.baseUrl, options.eventId);
  client.send({
    type: 'join',
    ticket: response.json<{ ticket: string }>().ticket,
    ...(options.after === undefined ? {} : { after: options.after }),
  });
  return { client, welcome: await client.next('welcome') };
}
