import websocket from '@fastify/websocket';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import { AppError } from '../../shared/errors.ts';
import { sendOrDrop } from './backpressure.ts';
import { ChatFanout } from './chat-fanout.ts';
import {
  CloseCodes,
  readClientFrame,
  type BroadcastFrame,
  type ClientFrame,
  type ServerFrame,
} from './chat-protocol.ts';
import { chatChannel, type ChatService, type Chatter } from './chat.service.ts';
import type { Presence } from './presence.ts';

export interface ChatGatewayOptions {
  chat: ChatService;
  pubsub: PubSub;
  presence: Presence;
  logger: Logger;
  config: { maxCharacters: number; maxBufferedBytes: number; joinTimeoutMs: number; batchMs: number };
}

/**
 * The chat's WebSocket endpoint. Each instance keeps only its own sockets: per event it holds one
 * pub/sub subscription while it has viewers and forwards every broadcast frame to them through
 * the event's fan-out (serialised once, coalesced while busy: chat-fanout.ts), so any number of
 * instances behind a load balancer serve one event.
 */
export const chatGateway: FastifyPluginAsyncZod<ChatGatewayOptions> = async (app, options) => {
  const { chat, presence, logger, config } = options;
  // Room for the longest message in UTF-8 and the frame around it; ws closes with 1009 past it.
  const maxPayload = config.maxCharacters * 4 + 1024;
  await app.register(websocket, { options: { maxPayload } });

  const rooms = new Map<string, { fanout: ChatFanout; unsubscribe: Promise<() => Promise<void>> }>();

  const dropped = () => logger.info('live chat: dropped a client reading too slowly');
  function send(socket: WebSocket, frame: ServerFrame): void {
    if (sendOrDrop(socket, JSON.stringify(frame), config.maxBufferedBytes) === 'dropped') dropped();
  }

  function enter(eventId: string, socket: WebSocket): void {
    let room = rooms.get(eventId);
    if (!room) {
      const fanout = new ChatFanout({
        batchMs: config.batchMs,
        maxBufferedBytes: config.maxBufferedBytes,
        onDropped: dropped,
      });
      const unsubscribe = options.pubsub.subscribe(chatChannel(eventId), (frame) =>
        // Our own channel: ChatService publishes only broadcast frames on it.
        fanout.push(frame as BroadcastFrame),
      );
      room = { fanout, unsubscribe };
      rooms.set(eventId, room);
    }
    room.fanout.sockets.add(socket);
    presence.joined(eventId);
  }

  function leave(eventId: string, socket: WebSocket): void {
    const room = rooms.get(eventId);
    if (!room?.fanout.sockets.delete(socket)) return;
    presence.left(eventId);
    if (room.fanout.sockets.size === 0) {
      rooms.delete(eventId);
      room.fanout.close();
      void room.unsubscribe
        .then((stop) => stop())
        .catch((error: unknown) => logger.warn({ error }, 'unsubscribe'));
    }
  }

  presence.onCount((eventId, count) => {
    rooms.get(eventId)?.fanout.sendNow({ type: 'viewers', count });
  });

  app.addHook('preClose', async () => {
    for (const room of rooms.values())
      for (const socket of room.fanout.sockets) socket.close(CloseCodes.goingAway, 'server shutting down');
  });

  app.get(
    '/api/live/:id/chat',
    {
      websocket: true,
      // The ticket arrives in the first frame, not the URL; OpenAPI has no WebSocket (docs/LIVE-CHAT.md).
      config: { access: 'public' },
      schema: { hide: true, params: z.object({ id: z.uuid() }) },
    },
    (socket, request) => {
      const eventId = request.params.id;
      let chatter: Chatter | undefined;
      let queue = Promise.resolve();
      const joinTimer = setTimeout(
        () => socket.close(CloseCodes.unauthenticated, 'join first'),
        config.joinTimeoutMs,
      );

      async function handle(frame: ClientFrame): Promise<void> {
        if (frame.type === 'ping') return send(socket, { type: 'pong' });
        if (!chatter) {
          if (frame.type !== 'join') return socket.close(CloseCodes.unauthenticated, 'join first');
          let joined: Chatter;
          try {
            joined = await chat.redeemTicket(frame.ticket, eventId);
          } catch {
            return socket.close(CloseCodes.unauthenticated, 'bad ticket');
          }
          clearTimeout(joinTimer);
          if (socket.readyState !== socket.OPEN) return;
          chatter = joined;
          // Subscribed before reading history: a message committed meanwhile arrives twice at
          // worst (clients keep messages by id), never not at all.
          enter(eventId, socket);
          const welcome = await chat.welcome(joined, frame.after);
          return send(socket, {
            type: 'welcome',
            messages: welcome.messages,
            pinned: welcome.pinned,
            slowModeSeconds: welcome.event.slowModeSeconds,
            viewers: presence.count(eventId),
            state: welcome.event.state,
            moderator: joined.moderator,
            userId: joined.userId,
          });
        }
        switch (frame.type) {
          case 'join':
            return send(socket, { type: 'error', code: 'PROTOCOL_FRAME', message: 'Already joined' });
          case 'send':
            await chat.send(chatter, frame.body);
            return;
          case 'react':
            return chat.react(chatter, frame.reaction);
          case 'delete':
            return chat.remove(chatter, frame.id);
          case 'pin':
            return chat.pin(chatter, frame.id);
          case 'slow_mode':
            return chat.setSlowMode(chatter, frame.seconds);
          default:
            frame satisfies never;
        }
      }

      socket.on('message', (data: Buffer, isBinary: boolean) => {
        const reading = readClientFrame(data, { isBinary, maxCharacters: config.maxCharacters });
        if (!reading.ok) {
          if (!chatter) return socket.close(CloseCodes.unauthenticated, 'join first');
          return send(socket, { type: 'error', code: reading.code, message: reading.message });
        }
        // One frame at a time per socket, in order; a refusal is an error frame, never a crash.
        queue = queue
          .then(() => handle(reading.frame))
          .catch((error: unknown) => {
            if (error instanceof AppError) {
              const retryAfterMs = error.extensions.retryAfterMs;
              send(socket, {
                type: 'error',
                code: error.code,
                message: error.message,
                ...(typeof retryAfterMs === 'number' ? { retryAfterMs: Math.ceil(retryAfterMs) } : {}),
              });
            } else {
              logger.error({ error }, 'live chat: frame failed');
              send(socket, { type: 'error', code: 'INTERNAL', message: 'Something went wrong; try again' });
            }
          });
      });
      socket.on('error', (error) => logger.debug({ error }, 'live chat socket error'));
      socket.on('close', () => {
        clearTimeout(joinTimer);
        leave(eventId, socket);
      });
    },
  );
};
