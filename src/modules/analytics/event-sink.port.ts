import type { AnalyticsEvent } from './analytics.events.ts';

/**
 * Where analytics events go. The PostgreSQL adapter (default) buffers them and appends batches
 * to the partitioned raw table. `offer` never waits on storage: ingest must not slow the API.
 */
export type OfferOutcome = 'accepted' | 'full';

export interface EventSink {
  /** Takes the events for a later batch; `full` when the bound would be passed (none taken). */
  offer(events: readonly AnalyticsEvent[]): OfferOutcome;
  /** Writes everything waiting now. */
  flush(): Promise<void>;
  /** Flushes and stops (shutdown). */
  close(): Promise<void>;
}
