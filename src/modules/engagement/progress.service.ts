import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import { TitleNotFound, type PlayableItem, type PlayableItems, type Viewer } from '../catalog/index.ts';
import { ProgressBusy } from './engagement.errors.ts';
import type { EngagementEvents } from './engagement.events.ts';
import { profileKey } from './member.ts';
import { ProgressBuffer, progressKey, type BufferedProgress } from './progress-buffer.ts';
import { clampPosition, isFinished, recordedAt, resumeFrom } from './progress-rules.ts';
import type { WatchProgressRepository } from './watch-progress.repository.ts';
import { SweptLRUCache } from '../../shared/swept-lru.ts';

/** A position as a player reports it: from a stream's heartbeat, or `POST /api/progress`. */
export interface ProgressReport {
  userId: string;
  profileId: string | null;
  itemId: string;
  positionSeconds: number;
  /** The item's length as known (the package's, or the player's); null: unknown. */
  durationSeconds: number | null;
  /** The player's time of the position; the server's now when absent. */
  at?: Date;
  /** Checked when given: a report for an item this profile may not see is refused as missing. */
  viewer?: Viewer;
}

/** What playback asks of engagement: record a heartbeat's position, and where to resume. */
export interface ProgressRecorderPort {
  record(report: ProgressReport): Promise<{ positionSeconds: number; finished: boolean }>;
  resumePosition(options: { userId: string; profileId: string | null; itemId: string }): Promise<number>;
}

export interface ProgressStats {
  accepted: number;
  superseded: number;
  refused: number;
  written: number;
  statements: number;
  failedFlushes: number;
}

const WRITE_BATCH = 1000;
/** Items change rarely (publish, unpublish); a minute's staleness only delays a refusal. */
const ITEM_CACHE_MS = 60_000;

/**
 * Watch progress at scale. Reports go to a bounded in-memory buffer (one entry per account,
 * profile and item: the latest by the player's time) that is written every flush interval in
 * multi-row upserts, so the database sees at most one write per stream per interval, whatever
 * the heartbeat rate. The upsert keeps a stored position that is newer by the player's time, so
 * several instances converge on the last position. A crash loses at most the interval's
 * positions (never history already written); `close()` flushes. When the buffer is full a flush
 * starts at once; while one is still writing, reports are refused with 503
 * ENGAGEMENT_PROGRESS_BUSY (back-pressure instead of memory growth).
 */
export class ProgressRecorder implements ProgressRecorderPort {
  readonly #repository: WatchProgressRepository;
  readonly #items: PlayableItems;
  readonly #events: EngagementEvents;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #buffer: ProgressBuffer;
  readonly #itemCache = new SweptLRUCache<string, PlayableItem>({ max: 50_000, ttl: ITEM_CACHE_MS });
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;
  readonly stats: ProgressStats = {
    accepted: 0,
    superseded: 0,
    refused: 0,
    written: 0,
    statements: 0,
    failedFlushes: 0,
  };

  constructor(options: {
    repository: WatchProgressRepository;
    items: PlayableItems;
    events: EngagementEvents;
    clock: Clock;
    logger: Logger;
    flushMs: number;
    maxEntries: number;
  }) {
    this.#repository = options.repository;
    this.#items = options.items;
    this.#events = options.events;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#buffer = new ProgressBuffer({ maxEntries: options.maxEntries });
    this.#timer = setInterval(() => void this.flush(), options.flushMs);
    this.#timer.unref();
  }

  /** Positions waiting to be written. */
  get pending(): number {
    return this.#buffer.size;
  }

  async item(itemId: string): Promise<PlayableItem | undefined> {
    const cached = this.#itemCache.get(itemId);
    if (cached) return cached;
    const item = await this.#items.find(itemId);
    if (item) this.#itemCache.set(itemId, item);
    return item;
  }

  async record(report: ProgressReport): Promise<{ positionSeconds: number; finished: boolean }> {
    const item = await this.item(report.itemId);
    if (!item || (report.viewer && this.#items.whyHidden(item, report.viewer))) {
      throw TitleNotFound(`No movie or episode ${report.itemId}`);
    }
    const who = { userId: report.userId, profileKey: profileKey(report.profileId) };
    const durationSeconds = report.durationSeconds ?? (await this.#knownDuration(who, item.id));
    const positionSeconds = clampPosition(report.positionSeconds, durationSeconds);
    const finished = isFinished(positionSeconds, durationSeconds);
    const entry: BufferedProgress = {
      ...who,
      itemId: item.id,
      titleId: item.titleId,
      positionSeconds,
      durationSeconds,
      finished,
      country: report.viewer?.country ?? null,
      at: recordedAt(report.at, this.#clock.now()),
    };
    let offered = this.#buffer.offer(entry);
    if (offered === 'full' && !this.#flushing) {
      void this.flush();
      offered = this.#buffer.offer(entry);
    }
    if (offered === 'full') {
      this.stats.refused++;
      throw ProgressBusy(undefined, { retryAfterSeconds: 1 });
    }
    this.stats[offered]++;
    return { positionSeconds, finished };
  }

  /**
   * The item's length from an earlier report (waiting, else stored), for a report without one:
   * a position past the end is clamped to it, and counts as finished, whoever reported the length.
   */
  async #knownDuration(who: { userId: string; profileKey: string }, itemId: string): Promise<number | null> {
    const waiting = this.#buffer.get(progressKey({ ...who, itemId }));
    if (waiting?.durationSeconds != null) return waiting.durationSeconds;
    return (await this.#repository.find(who, itemId))?.durationSeconds ?? null;
  }

  async resumePosition(options: {
    userId: string;
    profileId: string | null;
    itemId: string;
  }): Promise<number> {
    const who = { userId: options.userId, profileKey: profileKey(options.profileId) };
    const waiting = this.#buffer.get(progressKey({ ...who, itemId: options.itemId }));
    const row = waiting ?? (await this.#repository.find(who, options.itemId));
    return row ? resumeFrom(row.positionSeconds, row.durationSeconds) : 0;
  }

  /** Drops a profile's waiting positions (its history is being cleared). */
  discard(who: { userId: string; profileKey: string }, itemId?: string): void {
    this.#buffer.discard(
      (entry) =>
        entry.userId === who.userId &&
        entry.profileKey === who.profileKey &&
        (itemId === undefined || entry.itemId === itemId),
    );
  }

  /**
   * Writes what waits. The buffer is drained at once (so it accepts again immediately); one
   * flush writes at a time, a call during one returns it.
   */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    const batch = this.#buffer.drain();
    if (batch.length === 0) return Promise.resolve();
    this.#flushing = this.#write(batch).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops the interval and writes everything still waiting (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#flushing;
    await this.flush();
  }

  async #write(batch: BufferedProgress[]): Promise<void> {
    for (let start = 0; start < batch.length; start += WRITE_BATCH) {
      const chunk = batch.slice(start, start + WRITE_BATCH);
      try {
        const written = await this.#repository.upsertMany(chunk);
        this.stats.statements++;
        this.stats.written += written.length;
        await this.#afterWrite(chunk, written);
      } catch (error) {
        this.stats.failedFlushes++;
        // Back into the buffer (newer reports that arrived meanwhile win): the next flush retries.
        let dropped = 0;
        for (const entry of chunk) if (this.#buffer.offer(entry) === 'full') dropped++;
        this.#logger.error(
          { err: error, positions: chunk.length, dropped },
          'could not write watch progress',
        );
      }
    }
  }

  async #afterWrite(
    chunk: readonly BufferedProgress[],
    written: ReadonlyArray<{ userId: string; profileKey: string; itemId: string; wasFinished: boolean }>,
  ): Promise<void> {
    const byKey = new Map(chunk.map((entry) => [progressKey(entry), entry]));
    const publishing: Array<Promise<void>> = [];
    for (const row of written) {
      const entry = byKey.get(progressKey(row));
      if (!entry) continue;
      const who = { userId: entry.userId, profileKey: entry.profileKey, at: entry.at.toISOString() };
      publishing.push(
        this.#events.publish({
          type: 'ProgressRecorded',
          ...who,
          itemId: entry.itemId,
          titleId: entry.titleId,
          positionSeconds: entry.positionSeconds,
          durationSeconds: entry.durationSeconds,
          country: entry.country,
        }),
      );
      if (entry.finished && !row.wasFinished) publishing.push(this.#finished(entry));
    }
    await Promise.all(publishing);
  }

  /** An item just finished: an episode's successor takes its place in continue watching. */
  async #finished(entry: BufferedProgress): Promise<void> {
    const item = await this.item(entry.itemId);
    const nextItemId =
      item?.kind === 'episode' ? ((await this.#items.nextEpisode(entry.itemId)) ?? null) : null;
    if (nextItemId) {
      await this.#repository.queueNext({
        userId: entry.userId,
        profileKey: entry.profileKey,
        itemId: nextItemId,
        titleId: entry.titleId,
        at: entry.at,
      });
    }
    await this.#events.publish({
      type: 'TitleFinished',
      userId: entry.userId,
      profileKey: entry.profileKey,
      at: entry.at.toISOString(),
      itemId: entry.itemId,
      titleId: entry.titleId,
      nextItemId,
      country: entry.country,
    });
  }
}
