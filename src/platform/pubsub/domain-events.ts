import type { Logger } from '../logger.ts';
import type { PubSub } from './pubsub.port.ts';

/** A past-tense fact a module publishes once its transaction has committed. */
export interface DomainEvent {
  type: string;
  /** ISO 8601: when it happened. */
  at: string;
}

export type PublishDomainEvent<E extends DomainEvent> = (event: E) => Promise<void>;

/**
 * The publishing side of a module's domain-event channel (the shape engagement and ads use):
 * at-most-once, after the commit, and a pub/sub failure is logged — it never fails the request
 * whose data is already stored. Analytics and the other listeners subscribe to the channel.
 */
export function domainEventPublisher<E extends DomainEvent>(options: {
  pubsub: PubSub;
  channel: string;
  logger: Logger | undefined;
}): PublishDomainEvent<E> {
  return async (event) => {
    try {
      await options.pubsub.publish(options.channel, event);
    } catch (error) {
      options.logger?.warn({ err: error, type: event.type }, `could not publish on ${options.channel}`);
    }
  };
}
