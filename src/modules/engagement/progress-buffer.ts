/**
 * The latest position of each (account, profile, item) waiting to be written, bounded. Pure: no
 * timers, no database — `ProgressRecorder` drains it on its interval.
 *
 * One entry per key: a newer report replaces the waiting one, an older one (by the player's
 * time) is dropped, so the database sees at most one write per key per flush.
 */
export interface BufferedProgress {
  userId: string;
  profileKey: string;
  itemId: string;
  titleId: string;
  positionSeconds: number;
  durationSeconds: number | null;
  finished: boolean;
  /** Where the viewer watched from (ISO 3166 alpha-2, from the geo header), for regional trending. */
  country: string | null;
  /** The player's time of this position: the last one wins, here and in the upsert. */
  at: Date;
}

export type OfferResult = 'accepted' | 'superseded' | 'full';

export const progressKey = (entry: Pick<BufferedProgress, 'userId' | 'profileKey' | 'itemId'>): string =>
  `${entry.userId}|${entry.profileKey}|${entry.itemId}`;

export class ProgressBuffer {
  readonly maxEntries: number;
  #entries = new Map<string, BufferedProgress>();

  constructor(options: { maxEntries: number }) {
    this.maxEntries = options.maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Keeps the entry unless a newer one for its key waits already (`superseded`, which is not an
   * error: the player's later position is the one to keep). `full` when a new key would pass the
   * bound: the caller flushes or refuses.
   */
  offer(entry: BufferedProgress): OfferResult {
    const key = progressKey(entry);
    const waiting = this.#entries.get(key);
    if (waiting) {
      if (waiting.at > entry.at) return 'superseded';
      this.#entries.set(key, entry);
      return 'accepted';
    }
    if (this.#entries.size >= this.maxEntries) return 'full';
    this.#entries.set(key, entry);
    return 'accepted';
  }

  get(key: string): BufferedProgress | undefined {
    return this.#entries.get(key);
  }

  /** Takes every waiting entry, leaving the buffer empty. */
  drain(): BufferedProgress[] {
    const drained = [...this.#entries.values()];
    this.#entries = new Map();
    return drained;
  }

  /** Drops the waiting entries that match (a cleared history must not come back). */
  discard(matches: (entry: BufferedProgress) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry)) this.#entries.delete(key);
  }
}
