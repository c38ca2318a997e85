import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';

/**
 * What happened to a viewer's engagement, published on the pub/sub port for recommendations and
 * analytics (at-most-once: the database rows these describe are already committed when they are
 * published). Who: the account and the profile key ('account' for an account without profiles).
 */
export const ENGAGEMENT_EVENTS_CHANNEL = 'engagement.events';

interface Who {
  userId: string;
  profileKey: string;
  /** ISO 8601: when it happened. */
  at: string;
}

export type EngagementEvent =
  | (Who & { type: 'TitleReacted'; titleId: string; reaction: 'up' | 'down' | null })
  | (Who & {
      type: 'TitleRated';
      titleId: string;
      /** null: the rating was removed. */
      stars: number | null;
      previous: number | null;
      ratingCount: number;
      ratingAverage: number | null;
      ratingScore: number | null;
    })
  | (Who & {
      type: 'ProgressRecorded';
      itemId: string;
      titleId: string;
      positionSeconds: number;
      durationSeconds: number | null;
      /** Where the viewer watched from (ISO 3166 alpha-2), when the geo header said. */
      country: string | null;
    })
  | (Who & {
      type: 'TitleFinished';
      itemId: string;
      titleId: string;
      nextItemId: string | null;
      country: string | null;
    })
  | (Who & { type: 'CommentPosted'; commentId: string; titleId: string; parentId: string | null })
  | (Who & { type: 'CommentHidden'; commentId: string; titleId: string; reason: 'reports' | 'moderator' })
  /** A moderator showed a hidden comment again (who: its author). */
  | (Who & { type: 'CommentRestored'; commentId: string; titleId: string })
  | (Who & {
      type: 'ListChanged';
      change: 'added' | 'removed' | 'reordered';
      /** null when reordered. */
      titleId: string | null;
    });

export type EngagementEventType = EngagementEvent['type'];

/** Publishes engagement events; a pub/sub failure is logged, never fails the viewer's request. */
export class EngagementEvents {
  readonly #pubsub: PubSub;
  readonly #logger: Logger;

  constructor(options: { pubsub: PubSub; logger: Logger }) {
    this.#pubsub = options.pubsub;
    this.#logger = options.logger;
  }

  async publish(event: EngagementEvent): Promise<void> {
    await this.#pubsub
      .publish(ENGAGEMENT_EVENTS_CHANNEL, event)
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'could not publish an engagement event'));
  }
}
