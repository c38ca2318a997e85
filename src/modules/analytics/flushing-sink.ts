import type { AnalyticsEvent } from './analytics.events.ts';
import { EventBuffer } from './event-buffer.ts';
import type { EventSink, OfferOutcome } from './event-sink.port.ts';
import type { Logger } from '../../platform/logger.ts';

/**
 * What every sink shares: a bounded buffer written out every `flushMs`, at once when it fills,
 * and at close — one flush at a time (a call during one returns it). A sink says only how to
 * write one drained batch; a failure puts the batch back and ends this flush, so the next tick
 * retries it.
 */
export abstract class FlushingSink implements EventSink {
  readonly buffer: EventBuffer;
  readonly #batchSize: number;
  readonly #logger: Logger;
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;

  constructor(options: { maxEvents: number; flushMs: number; batchSize: number; logger: Logger }) {
    this.buffer = new EventBuffer({ maxEvents: options.maxEvents });
    this.#batchSize = options.batchSize;
    this.#logger = options.logger;
    this.#timer = setInterval(() => void this.flush(), options.flushMs);
    this.#timer.unref();
  }

  offer(events: readonly AnalyticsEvent[]): OfferOutcome {
    const outcome = this.buffer.offer(events);
    // Full: write now rather than wait for the tick; the caller refuses this batch.
    if (outcome === 'full' && !this.#flushing) void this.flush();
    return outcome;
  }

  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.buffer.size === 0) return Promise.resolve();
    this.#flushing = this.#writeAll().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#flushing;
    await this.flush();
  }

  /** Writes one batch where the sink keeps events; throws to have it put back. */
  protected abstract writeBatch(batch: readonly AnalyticsEvent[]): Promise<void>;

  async #writeAll(): Promise<void> {
    for (;;) {
      const batch = this.buffer.drain(this.#batchSize);
      if (batch.length === 0) return;
      try {
        await this.writeBatch(batch);
      } catch (error) {
        const lost = this.buffer.putBack(batch);
        this.#logger.warn({ err: error, events: batch.length, lost }, 'could not store analytics events');
        return;
      }
    }
  }
}
