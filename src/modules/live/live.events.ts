import type { PublishDomainEvent } from '../../platform/pubsub/domain-events.ts';

/**
 * What happened at live events, for analytics (peak viewers, chat messages per minute). Viewer
 * counts are published once per presence interval by every instance with the same content (the
 * interval's start, the shared total), so analytics keeps one of them.
 */
export const LIVE_EVENTS_CHANNEL = 'live.events';

export type LiveDomainEvent =
  | { type: 'LiveViewerJoined'; at: string; userId: string; liveEventId: string }
  | { type: 'LiveChatMessagePosted'; at: string; userId: string; liveEventId: string; messageId: number }
  | { type: 'LiveViewersCounted'; at: string; liveEventId: string; viewers: number };

export type PublishLiveEvent = PublishDomainEvent<LiveDomainEvent>;
