import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';

/** The bucket a moment falls in: presence is counted per interval. Pure. */
export const presenceBucket = (at: Date, intervalMs: number): number => Math.floor(at.getTime() / intervalMs);

/**
 * Viewer counts across instances, through the shared cache: every interval each instance adds
 * its local viewers of an event to that interval's counter, and reads the previous interval's
 * total — which every instance has added to by then. An instance that dies simply stops adding,
 * so nothing needs cleaning up (a decrement-on-leave counter would keep a dead instance's
 * viewers forever). The count trails reality by one to two intervals.
 */
export class Presence {
  readonly #local = new Map<string, number>();
  readonly #counts = new Map<string, number>();
  readonly #listeners: Array<(eventId: string, count: number) => void> = [];
  readonly #cache: Cache;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { cache: Cache; clock: Clock; logger: Logger; intervalMs: number }) {
    this.#cache = options.cache;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs;
  }

  joined(eventId: string): void {
    this.#local.set(eventId, (this.#local.get(eventId) ?? 0) + 1);
    this.#start();
  }

  left(eventId: string): void {
    const left = (this.#local.get(eventId) ?? 1) - 1;
    if (left > 0) this.#local.set(eventId, left);
    else this.#local.delete(eventId);
  }

  /** The last count read for the event; this instance's own viewers until the first interval passes. */
  count(eventId: string): number {
    return Math.max(this.#counts.get(eventId) ?? 0, this.#local.get(eventId) ?? 0);
  }

  onCount(listener: (eventId: string, count: number) => void): void {
    this.#listeners.push(listener);
  }

  /** One interval's work, also called by tests: add local viewers, read the previous total. */
  async tick(): Promise<void> {
    const bucket = presenceBucket(this.#clock.now(), this.#intervalMs);
    const ttlMs = this.#intervalMs * 4;
    for (const [eventId, viewers] of this.#local) {
      await this.#cache.increment(`live:viewers:${eventId}:${bucket}`, { by: viewers, ttlMs });
      const total = (await this.#cache.get<number>(`live:viewers:${eventId}:${bucket - 1}`)) ?? viewers;
      this.#counts.set(eventId, total);
      for (const listener of this.#listeners) listener(eventId, total);
    }
    for (const eventId of this.#counts.keys()) if (!this.#local.has(eventId)) this.#counts.delete(eventId);
  }

  #start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.#logger.warn({ error }, 'live presence: tick failed'));
    }, this.#intervalMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
