import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { transactorFor } from '../../platform/db/transactor.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { RateLimits } from '../../platform/ratelimit/ratelimit.port.ts';
import type { AuditLog } from '../audit/index.ts';
import type { PlayableItems, TitleRatings } from '../catalog/index.ts';
import { CommentModerationRepository } from './comment-moderation.repository.ts';
import { commentModerationRoutes } from './comment-moderation.routes.ts';
import { CommentModerationService } from './comment-moderation.service.ts';
import { CommentsRepository } from './comments.repository.ts';
import { commentsRoutes } from './comments.routes.ts';
import { CommentsService } from './comments.service.ts';
import { engagementRoutes } from './engagement.routes.ts';
import { EngagementService } from './engagement.service.ts';
import { EngagementEvents } from './engagement.events.ts';
import { MyListRepository } from './my-list.repository.ts';
import { ProgressRecorder } from './progress.service.ts';
import { ReactionsRepository } from './reactions.repository.ts';
import { WatchProgressRepository } from './watch-progress.repository.ts';

export {
  ENGAGEMENT_EVENTS_CHANNEL,
  EngagementEvents,
  type EngagementEvent,
  type EngagementEventType,
} from './engagement.events.ts';
export { profileKey } from './member.ts';
export type { ProgressRecorderPort, ProgressReport, ProgressStats } from './progress.service.ts';
export { ProgressRecorder } from './progress.service.ts';
export { WatchProgressRepository } from './watch-progress.repository.ts';
export { isFinished } from './progress-rules.ts';
export { blockedWordIn } from './word-filter.ts';

export interface EngagementDeps {
  db: Kysely<DB>;
  pubsub: PubSub;
  rateLimits: RateLimits;
  clock: Clock;
  logger: Logger;
  items: PlayableItems;
  ratings: TitleRatings;
  audit: AuditLog;
  /** Words refused in comments: an admin-editable setting (its default from the environment). */
  blockedWords: () => readonly string[];
  config: Pick<Config, 'engagement' | 'catalog'>;
}

export interface Engagement {
  plugin: FastifyPluginAsync;
  /** Playback's heartbeats record positions here; it asks where to resume. */
  progress: ProgressRecorder;
  /** Whether an account is banned from commenting (live chat applies the same ban). */
  isBanned(userId: string): Promise<boolean>;
  /** Writes every waiting position (shutdown). */
  close(): Promise<void>;
}

/** Builds engagement from the ports it uses; the app registers `plugin` and closes it on shutdown. */
export function createEngagement(deps: EngagementDeps): Engagement {
  const events = new EngagementEvents({ pubsub: deps.pubsub, logger: deps.logger });
  const progressRows = new WatchProgressRepository(deps.db);
  const progress = new ProgressRecorder({
    repository: progressRows,
    items: deps.items,
    events,
    clock: deps.clock,
    logger: deps.logger,
    flushMs: deps.config.engagement.progressFlushMs,
    maxEntries: deps.config.engagement.progressBufferMax,
  });
  const engagement = new EngagementService({
    reactions: new ReactionsRepository(deps.db),
    myList: new MyListRepository(deps.db),
    progress: progressRows,
    recorder: progress,
    ratings: deps.ratings,
    items: deps.items,
    events,
    transactor: transactorFor(deps.db),
    clock: deps.clock,
  });
  const commentRows = new CommentsRepository(deps.db);
  const comments = new CommentsService({
    repository: commentRows,
    items: deps.items,
    transactor: transactorFor(deps.db),
    events,
    clock: deps.clock,
    limiter: deps.rateLimits.limiter({
      name: 'comments.post',
      points: deps.config.engagement.comments.perMinute,
      durationSeconds: 60,
    }),
    config: deps.config.engagement.comments,
    blockedWords: deps.blockedWords,
  });
  const moderation = new CommentModerationService({
    comments: commentRows,
    moderation: new CommentModerationRepository(deps.db),
    transactor: transactorFor(deps.db),
    events,
    clock: deps.clock,
    audit: deps.audit,
  });
  const plugin = fp(
    async (app) => {
      await app.register(commentsRoutes, {
        comments,
        clock: deps.clock,
        countryHeader: deps.config.catalog.countryHeader,
      });
      await app.register(commentModerationRoutes, { moderation });
      await app.register(engagementRoutes, {
        engagement,
        recorder: progress,
        clock: deps.clock,
        countryHeader: deps.config.catalog.countryHeader,
      });
    },
    { name: 'marquee-engagement' },
  );
  return {
    plugin,
    progress,
    isBanned: (userId) => commentRows.isBanned(userId),
    close: () => progress.close(),
  };
}
