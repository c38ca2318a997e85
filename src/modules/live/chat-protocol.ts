import { z } from 'zod';
import { opaqueToken, text } from '../../shared/schemas.ts';

/**
 * The live chat's wire protocol (docs/LIVE-CHAT.md): JSON text frames, one zod schema per
 * direction. The client's first frame is `join` with the ticket from
 * `POST /api/live/:id/chat-ticket` (so no credential ever sits in a URL a proxy logs).
 */

export const REACTIONS = ['heart', 'laugh', 'wow', 'clap', 'fire'] as const;
export type Reaction = (typeof REACTIONS)[number];

/** Close codes the server uses (4000–4999 are the application's). */
export const CloseCodes = {
  /** No valid join within the join timeout, or a bad ticket. */
  unauthenticated: 4401,
  /** The account may not see this event (any more). */
  forbidden: 4403,
  /** The client read too slowly: its unsent frames passed LIVE_CHAT_MAX_BUFFERED_BYTES. */
  tooSlow: 4408,
  /** A frame larger than the protocol allows (ws answers 1009 itself for the transport limit). */
  tooLarge: 1009,
  /** The server is shutting down: reconnect (to another instance) and resume. */
  goingAway: 1001,
} as const;

// One line, no control or invisible characters: the API's rule for every input string.
const chatText = (max: number) => text({ min: 1, max });

export const clientFrame = (maxCharacters: number) =>
  z.discriminatedUnion('type', [
    z.object({
      type: z.literal('join'),
      ticket: opaqueToken(200),
      /** The last message id the client saw: it gets what came after instead of the last N. */
      after: z.number().int().min(0).optional(),
    }),
    z.object({ type: z.literal('send'), body: chatText(maxCharacters) }),
    z.object({ type: z.literal('react'), reaction: z.enum(REACTIONS) }),
    z.object({ type: z.literal('delete'), id: z.number().int().min(1) }),
    z.object({ type: z.literal('pin'), id: z.number().int().min(1).nullable() }),
    z.object({ type: z.literal('slow_mode'), seconds: z.number().int().min(0).max(3600) }),
    z.object({ type: z.literal('ping') }),
  ]);
export type ClientFrame = z.output<ReturnType<typeof clientFrame>>;

export const chatMessage = z.object({
  id: z.number().int(),
  authorName: z.string(),
  /** The author's account: a client marks its own messages by comparing with `welcome.userId`. */
  userId: z.uuid(),
  body: z.string(),
  createdAt: z.string(),
});
export type ChatMessage = z.output<typeof chatMessage>;

const chatState = z.enum(['scheduled', 'live', 'ended']);

/** The frames every viewer of an event gets alike: what travels between instances on `live.chat.<eventId>`. */
const broadcastFrames = [
  z.object({ type: z.literal('message'), message: chatMessage }),
  z.object({ type: z.literal('deleted'), id: z.number().int() }),
  z.object({ type: z.literal('pinned'), message: chatMessage.nullable() }),
  z.object({ type: z.literal('reaction'), reaction: z.enum(REACTIONS) }),
  z.object({ type: z.literal('slow_mode'), seconds: z.number().int() }),
  z.object({ type: z.literal('state'), state: chatState }),
] as const;
export const broadcastFrame = z.discriminatedUnion('type', [...broadcastFrames]);
export type BroadcastFrame = z.output<typeof broadcastFrame>;

export const serverFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    /** Oldest first: the last LIVE_CHAT_HISTORY messages, or those after the join's `after`. */
    messages: z.array(chatMessage),
    pinned: chatMessage.nullable(),
    slowModeSeconds: z.number().int(),
    viewers: z.number().int(),
    state: chatState,
    moderator: z.boolean(),
    userId: z.uuid(),
  }),
  ...broadcastFrames,
  /**
   * Several broadcast frames in one WebSocket frame, in the order they happened: while a chat is
   * busy an instance gathers them for LIVE_CHAT_BATCH_MS (docs/LIVE-CHAT.md). Read each in turn
   * as if it had come alone; a quiet chat's frames still come alone.
   */
  z.object({ type: z.literal('batch'), frames: z.array(broadcastFrame).min(2) }),
  z.object({ type: z.literal('viewers'), count: z.number().int() }),
  z.object({ type: z.literal('pong') }),
  z.object({
    type: z.literal('error'),
    /** A stable code (docs/ERRORS.md for LIVE_*; PROTOCOL_* for frames the server can't read). */
    code: z.string(),
    message: z.string(),
    retryAfterMs: z.number().int().optional(),
  }),
]);
export type ServerFrame = z.output<typeof serverFrame>;

/** A server frame as the frames it carries: a batch's, in order, or itself. */
export const unbatched = (frame: ServerFrame): ServerFrame[] =>
  frame.type === 'batch' ? frame.frames : [frame];

export type FrameReading =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: 'PROTOCOL_BINARY' | 'PROTOCOL_JSON' | 'PROTOCOL_FRAME'; message: string };

/**
 * Reads one client frame, pure: binary, broken JSON and unknown or malformed frames are named,
 * never thrown. Bytes as a Uint8Array (ws's Buffer is one), so this file type-checks without
 * Node's types too: the web app compiles its chat against these schemas' types.
 */
export function readClientFrame(
  data: Uint8Array | string,
  options: { isBinary: boolean; maxCharacters: number },
): FrameReading {
  if (options.isBinary)
    return { ok: false, code: 'PROTOCOL_BINARY', message: 'Send JSON text frames, not binary' };
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  } catch {
    return { ok: false, code: 'PROTOCOL_JSON', message: 'The frame is not JSON' };
  }
  const parsed = clientFrame(options.maxCharacters).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'type';
    return { ok: false, code: 'PROTOCOL_FRAME', message: `${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, frame: parsed.data };
}
