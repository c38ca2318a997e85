import type { PublishDomainEvent } from '../../platform/pubsub/domain-events.ts';

/** What happened to accounts, for analytics (sign-ups, sign-ins). Published after the commit. */
export const IDENTITY_EVENTS_CHANNEL = 'identity.events';

export type IdentityEvent =
  | { type: 'UserRegistered'; at: string; userId: string; method: string }
  | { type: 'UserSignedIn'; at: string; userId: string; method: string; deviceType: string };

export type PublishIdentityEvent = PublishDomainEvent<IdentityEvent>;
