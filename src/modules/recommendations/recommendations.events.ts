import type { PublishDomainEvent } from '../../platform/pubsub/domain-events.ts';
import type { RowKind } from './rows.ts';

/**
 * Impressions and clicks of recommended titles, for analytics' click-through per row: one event
 * per row and kind of a recorded batch, with how many it held (a row shows a dozen titles at once).
 */
export const RECOMMENDATION_EVENTS_CHANNEL = 'recommendations.events';

export type RecommendationEvent = {
  type: 'RecommendationsImpressed' | 'RecommendationsClicked';
  at: string;
  userId: string;
  row: RowKind | 'similar';
  count: number;
};

export type PublishRecommendationEvent = PublishDomainEvent<RecommendationEvent>;
