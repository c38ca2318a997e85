import type { AnalyticsEvent } from './analytics.events.ts';
import { EventBuffer } from './event-buffer.ts';
import type { OfferOutcome } from './event-sink.port.ts';

/**
 * What both sinks share: a bounded buffer written out every `flushMs`, at once when it fills, and
 * at close — one flush at a time (a call during one returns it). Each drained batch goes to
 * `write`; a failure puts the batch back and ends this flush, so the next tick retries it.
 */
export class FlushingBuffer {
  readonly buffer: EventBuffer;
  readonly #batchSize: number;
  readonly #write: (batch: readonly AnalyticsEvent[]) => Promise<void>;
  readonly #failed: (error: unknown, batch: number, lost: number) => void;
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;

  constructor(options: {
    maxEvents: number;
    flushMs: number;
    batchSize: number;
    write: (batch: readonly AnalyticsEvent[]) => Promise<void>;
    failed: (error: unknown, batch: number, lost: number) => void;
  }) {
    this.buffer = new EventBuffer({ maxEvents: options.maxEvents });
    this.#batchSize = options.batchSize;
    this.#write = options.write;
    this.#failed = options.failed;
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

  async #writeAll(): Promise<void> {
    for (;;) {
      const batch = this.buffer.drain(this.#batchSize);
      if (batch.length === 0) return;
      try {
        await this.#write(batch);
      } catch (error) {
        this.#failed(error, batch.length, this.buffer.putBack(batch));
        return;
      }
    }
  }
}
