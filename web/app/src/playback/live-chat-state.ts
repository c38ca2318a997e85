/**
 * The chat panel's state from the server's frames (docs/LIVE-CHAT.md): messages kept by id, in
 * order, once each (a message committed while a viewer joins may arrive both in the welcome and
 * as a `message`). Pure, so the table test drives it without a socket. The frame types are the
 * server's own zod schema's (src/modules/live/chat-protocol.ts), never copied.
 */
// The protocol file itself, not the live module's index.ts: that would pull the whole server
// module (and Node's types) into the browser's type check; a type import leaves nothing in the bundle.
// eslint-disable-next-line no-restricted-imports -- the wire protocol's types, shared with the server
import type { ChatMessage, ServerFrame } from '../../../../src/modules/live/chat-protocol.ts';

export type { ChatMessage, ServerFrame };

export interface ChatState {
  joined: boolean;
  messages: ChatMessage[];
  pinned: ChatMessage | null;
  viewers: number;
  state: 'scheduled' | 'live' | 'ended';
  slowModeSeconds: number;
}

export const emptyChat: ChatState = {
  joined: false,
  messages: [],
  pinned: null,
  viewers: 0,
  state: 'scheduled',
  slowModeSeconds: 0,
};

/** How many messages the panel keeps: a busy chat must not grow the page without bound. */
export const CHAT_KEPT_MESSAGES = 200;

function merged(current: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  const byId = new Map(current.map((message) => [message.id, message]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.id - b.id).slice(-CHAT_KEPT_MESSAGES);
}

export function chatReducer(current: ChatState, frame: ServerFrame): ChatState {
  switch (frame.type) {
    case 'welcome':
      return {
        joined: true,
        // A reconnect's welcome carries only what came after the last message seen.
        messages: merged(current.messages, frame.messages),
        pinned: frame.pinned,
        viewers: frame.viewers,
        state: frame.state,
        slowModeSeconds: frame.slowModeSeconds,
      };
    case 'message':
      return { ...current, messages: merged(current.messages, [frame.message]) };
    case 'deleted':
      return {
        ...current,
        messages: current.messages.filter((message) => message.id !== frame.id),
        pinned: current.pinned?.id === frame.id ? null : current.pinned,
      };
    case 'pinned':
      return { ...current, pinned: frame.message };
    case 'viewers':
      return { ...current, viewers: frame.count };
    case 'state':
      return { ...current, state: frame.state };
    case 'slow_mode':
      return { ...current, slowModeSeconds: frame.seconds };
    case 'batch':
      // A busy chat's frames, gathered by the server: each as if it had come alone, in order.
      return frame.frames.reduce(chatReducer, current);
    case 'reaction':
    case 'pong':
    case 'error':
      return current;
  }
}
