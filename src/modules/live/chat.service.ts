import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { PublishLiveEvent } from './live.events.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { RateLimiter } from '../../platform/ratelimit/ratelimit.port.ts';
import type { Viewer } from '../catalog/index.ts';
import type { BroadcastFrame, ChatMessage, Reaction } from './chat-protocol.ts';
import type { ChatMessageRow, ChatRepository } from './chat.repository.ts';
import {
  LiveChatBanned,
  LiveChatBlockedWord,
  LiveChatForbidden,
  LiveChatMessageNotFound,
  LiveChatRateLimited,
  LiveChatSlowMode,
  LiveChatTicketInvalid,
  LiveEventEnded,
} from './live.errors.ts';
import type { LiveEventsService } from './live-events.service.ts';
import type { LiveEvent } from './live.schemas.ts';
import { newOpaqueToken, tokenHash } from './stream-keys.ts';

/** Who is chatting, as the ticket said when it was issued. */
export interface Chatter {
  userId: string;
  authorName: string;
  moderator: boolean;
  eventId: string;
}

export interface ChatServiceDeps {
  messages: ChatRepository;
  events: LiveEventsService;
  cache: Cache;
  pubsub: PubSub;
  clock: Clock;
  /** Per account and event, across instances (LIVE_CHAT_MESSAGES_PER_10S). */
  messageLimiter: RateLimiter;
  reactionLimiter: RateLimiter;
  /** Engagement's comment bans and word filter: one moderation policy for comments and chat. */
  isBanned: (userId: string) => Promise<boolean>;
  blockedWordIn: (text: string) => string | undefined;
  config: { history: number; ticketSeconds: number };
  /** Tells listeners (analytics) of joins and messages. */
  publish: PublishLiveEvent;
}

export const chatChannel = (eventId: string) => `live.chat.${eventId}`;
const ticketKey = (ticket: string) => `live:ticket:${tokenHash(ticket)}`;
const slowModeKey = (eventId: string, userId: string) => `live:slow:${eventId}:${userId}`;

export const toChatMessage = (row: ChatMessageRow): ChatMessage => ({
  id: row.id,
  authorName: row.authorName,
  userId: row.userId,
  body: row.body,
  createdAt: row.createdAt.toISOString(),
});

/**
 * The chat's rules: who may join (a single-use ticket issued over HTTP to a viewer who may see
 * the event), who may say what and how often, and what moderators may do. Every message is
 * stored before it is published, so history and resume read the table — the pub/sub port is
 * at-most-once and only carries what is already committed.
 */
export class ChatService {
  readonly #deps: ChatServiceDeps;

  constructor(deps: ChatServiceDeps) {
    this.#deps = deps;
  }

  async issueTicket(options: {
    eventId: string;
    viewer: Viewer & { userId: string };
    authorName: string;
    moderator: boolean;
  }): Promise<{ ticket: string; expiresAt: Date }> {
    await this.#deps.events.forViewer(options.eventId, options.viewer);
    const ticket = newOpaqueToken('chat_');
    const ttlMs = this.#deps.config.ticketSeconds * 1000;
    const chatter: Chatter = {
      userId: options.viewer.userId,
      authorName: options.authorName,
      moderator: options.moderator,
      eventId: options.eventId,
    };
    await this.#deps.cache.set(ticketKey(ticket), chatter, ttlMs);
    return { ticket, expiresAt: new Date(this.#deps.clock.now().getTime() + ttlMs) };
  }

  /** Redeems a ticket for this event, once: a second use (on any instance) is refused. */
  async redeemTicket(ticket: string, eventId: string): Promise<Chatter> {
    const key = ticketKey(ticket);
    const chatter = await this.#deps.cache.get<Chatter>(key);
    if (!chatter || chatter.eventId !== eventId) throw LiveChatTicketInvalid();
    // The first redeemer wins the marker; the entry itself goes too.
    const first = await this.#deps.cache.setIfAbsent(
      `${key}:used`,
      1,
      this.#deps.config.ticketSeconds * 1000,
    );
    await this.#deps.cache.delete(key);
    if (!first) throw LiveChatTicketInvalid();
    await this.#deps.publish({
      type: 'LiveViewerJoined',
      at: this.#deps.clock.now().toISOString(),
      userId: chatter.userId,
      liveEventId: chatter.eventId,
    });
    return { ...chatter };
  }

  async welcome(
    chatter: Chatter,
    after: number | undefined,
  ): Promise<{ event: LiveEvent; messages: ChatMessage[]; pinned: ChatMessage | null }> {
    const event = await this.#deps.events.get(chatter.eventId);
    const rows = await this.#deps.messages.recent({
      eventId: chatter.eventId,
      limit: after === undefined ? this.#deps.config.history : 500,
      after,
    });
    return { event, messages: rows.map(toChatMessage), pinned: await this.#pinned(chatter.eventId) };
  }

  async send(chatter: Chatter, body: string): Promise<ChatMessage> {
    // The three checks are independent reads: asked together, a message waits for one round trip
    // instead of three (one socket's messages queue behind each other, bench:live). A message
    // refused for another reason still spends one of its sender's rate-limit tokens.
    const [event, banned, limited] = await Promise.all([
      this.#deps.events.get(chatter.eventId),
      this.#deps.isBanned(chatter.userId),
      this.#deps.messageLimiter.consume(`${chatter.eventId}:${chatter.userId}`),
    ]);
    if (event.state === 'ended') throw LiveEventEnded();
    if (banned) throw LiveChatBanned();
    if (this.#deps.blockedWordIn(body) !== undefined) throw LiveChatBlockedWord();
    if (!limited.allowed) throw LiveChatRateLimited(undefined, { retryAfterMs: limited.retryAfterMs });
    if (event.slowModeSeconds > 0 && !chatter.moderator) {
      const first = await this.#deps.cache.setIfAbsent(
        slowModeKey(chatter.eventId, chatter.userId),
        1,
        event.slowModeSeconds * 1000,
      );
      if (!first) throw LiveChatSlowMode(undefined, { retryAfterMs: event.slowModeSeconds * 1000 });
    }
    const row = await this.#deps.messages.insert({
      eventId: chatter.eventId,
      userId: chatter.userId,
      authorName: chatter.authorName,
      body,
      createdAt: this.#deps.clock.now(),
    });
    const message = toChatMessage(row);
    await Promise.all([
      this.#broadcast(chatter.eventId, { type: 'message', message }),
      this.#deps.publish({
        type: 'LiveChatMessagePosted',
        at: message.createdAt,
        userId: chatter.userId,
        liveEventId: chatter.eventId,
        messageId: message.id,
      }),
    ]);
    return message;
  }

  async react(chatter: Chatter, reaction: Reaction): Promise<void> {
    const limited = await this.#deps.reactionLimiter.consume(`${chatter.eventId}:${chatter.userId}`);
    if (!limited.allowed) throw LiveChatRateLimited(undefined, { retryAfterMs: limited.retryAfterMs });
    await this.#broadcast(chatter.eventId, { type: 'reaction', reaction });
  }

  /** A moderator removes a message: it leaves history and every viewer's screen. */
  async remove(chatter: Chatter, id: number): Promise<void> {
    this.#moderator(chatter);
    const removed = await this.#deps.messages.softDelete({
      eventId: chatter.eventId,
      id,
      by: chatter.userId,
      at: this.#deps.clock.now(),
    });
    if (!removed) throw LiveChatMessageNotFound();
    if ((await this.#deps.events.pinnedMessageId(chatter.eventId)) === id) {
      await this.#deps.events.setPinned(chatter.eventId, null);
      await this.#broadcast(chatter.eventId, { type: 'pinned', message: null });
    }
    await this.#broadcast(chatter.eventId, { type: 'deleted', id });
  }

  async pin(chatter: Chatter, id: number | null): Promise<void> {
    this.#moderator(chatter);
    const row = id === null ? undefined : await this.#deps.messages.find(chatter.eventId, id);
    if (id !== null && !row) throw LiveChatMessageNotFound();
    await this.#deps.events.setPinned(chatter.eventId, id);
    await this.#broadcast(chatter.eventId, { type: 'pinned', message: row ? toChatMessage(row) : null });
  }

  async setSlowMode(chatter: Chatter, seconds: number): Promise<void> {
    this.#moderator(chatter);
    await this.#deps.events.setSlowMode(chatter.eventId, seconds);
    await this.#broadcast(chatter.eventId, { type: 'slow_mode', seconds });
  }

  /** Tells every viewer of the event, on every instance (the ingest announces state changes). */
  async broadcastState(eventId: string, state: LiveEvent['state']): Promise<void> {
    await this.#broadcast(eventId, { type: 'state', state });
  }

  async #pinned(eventId: string): Promise<ChatMessage | null> {
    const id = await this.#deps.events.pinnedMessageId(eventId);
    const row = id === null ? undefined : await this.#deps.messages.find(eventId, id);
    return row ? toChatMessage(row) : null;
  }

  #moderator(chatter: Chatter): void {
    if (!chatter.moderator) throw LiveChatForbidden();
  }

  #broadcast(eventId: string, frame: BroadcastFrame): Promise<void> {
    return this.#deps.pubsub.publish(chatChannel(eventId), frame);
  }
}
