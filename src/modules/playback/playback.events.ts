import type { PublishDomainEvent } from '../../platform/pubsub/domain-events.ts';

/**
 * What happened to streams, for analytics: a stream the server started (counted and entitled),
 * as opposed to the player's own `PlaybackStarted` beacon, which reports its startup time.
 */
export const PLAYBACK_EVENTS_CHANNEL = 'playback.events';

export type PlaybackEvent = {
  type: 'PlaybackSessionStarted';
  at: string;
  userId: string;
  /** The stream (playback session) id. */
  sessionId: string;
  itemId: string;
  titleId: string;
  planId: string;
  deviceName: string;
};

export type PublishPlaybackEvent = PublishDomainEvent<PlaybackEvent>;
