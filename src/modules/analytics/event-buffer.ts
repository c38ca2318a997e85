import type { AnalyticsEvent } from './analytics.events.ts';

/**
 * Analytics events waiting to be written, bounded. Pure: no timers, no database — the sink
 * drains it on its interval. All of a batch or none of it is taken, so a player's batch is never
 * half stored.
 */
export class EventBuffer {
  readonly maxEvents: number;
  #events: AnalyticsEvent[] = [];

  constructor(options: { maxEvents: number }) {
    this.maxEvents = options.maxEvents;
  }

  get size(): number {
    return this.#events.length;
  }

  offer(events: readonly AnalyticsEvent[]): 'accepted' | 'full' {
    if (this.#events.length + events.length > this.maxEvents) return 'full';
    this.#events.push(...events);
    return 'accepted';
  }

  /** Takes at most `max` of the oldest events. */
  drain(max: number): AnalyticsEvent[] {
    return this.#events.splice(0, max);
  }

  /** Puts a batch that could not be written back in front, as far as the bound allows. */
  putBack(events: readonly AnalyticsEvent[]): number {
    const room = Math.max(0, this.maxEvents - this.#events.length);
    const kept = events.slice(0, room);
    this.#events = [...kept, ...this.#events];
    return events.length - kept.length;
  }
}
