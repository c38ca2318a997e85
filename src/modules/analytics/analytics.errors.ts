import { defineError } from '../../shared/errors.ts';

export const AnalyticsSessionUnknown = defineError(
  'ANALYTICS_SESSION_UNKNOWN',
  'not_found',
  'No live playback session of this account has that id',
);
export const AnalyticsBusy = defineError(
  'ANALYTICS_BUSY',
  'unavailable',
  'Too many analytics events are waiting to be written; retry in a few seconds',
);
export const AnalyticsRangeInvalid = defineError(
  'ANALYTICS_RANGE_INVALID',
  'invalid',
  'The time range is empty or longer than this granularity allows',
);
