import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { PlaybackRepository, StreamRow } from './playback.repository.ts';
import { isSessionLive } from './stream-limits.ts';

/** What the key server and the playlist routes need to know about a stream, cached. */
export interface StreamState {
  userId: string;
  /** The package's asset, or for a live stream its event (what its token's `asset` names). */
  assetId: string;
  /** A live event's stream (absent in entries cached before live playback existed: not live). */
  live?: boolean;
  itemId: string;
  maxHeight: number;
  ended: boolean;
  lastHeartbeatAt: string;
}

export interface StreamStatesDeps {
  cache: Cache;
  repository: PlaybackRepository;
  clock: Clock;
  heartbeatLapseSeconds: number;
}

const stateKey = (id: string) => `playback:stream:${id}`;
/** Set when a stream ends, before its state is dropped: a late write of "live" checks it. */
const endedKey = (id: string) => `playback:stream-ended:${id}`;

export const streamStateOf = (row: StreamRow): StreamState => ({
  userId: row.userId,
  assetId: (row.assetId ?? row.liveEventId)!,
  live: row.liveEventId !== null,
  itemId: row.itemId,
  maxHeight: row.maxHeight,
  ended: row.endedAt !== null,
  lastHeartbeatAt: row.lastHeartbeatAt.toISOString(),
});

/**
 * Streams as the hot path sees them: one read of the shared cache (Redis in production, so every
 * instance sees the same entries and invalidations), the database on a miss. No instance keeps a
 * copy of its own, so ending a stream here stops it on every instance at once.
 *
 * A write of "live" can race the stream's end: a key request reads the row just before another
 * request ends the stream, and writes after the end dropped the entry. So an end marks the stream
 * first, then drops its state, and every write of "live" looks for the mark afterwards and undoes
 * itself: either the end's drop comes after the write, or the write's check sees the mark. A
 * write delayed past the mark's lifetime is harmless: its heartbeat time has lapsed by then.
 */
export class StreamStates {
  readonly #deps: StreamStatesDeps;

  constructor(deps: StreamStatesDeps) {
    this.#deps = deps;
  }

  /** A stream's state, or undefined when there is no such stream. */
  async get(streamId: string): Promise<StreamState | undefined> {
    const hit = await this.#deps.cache.get<StreamState>(stateKey(streamId));
    if (hit) return hit;
    const row = await this.#deps.repository.findStream(streamId);
    if (!row) return undefined;
    const state = streamStateOf(row);
    if (state.ended) await this.#deps.cache.set(stateKey(streamId), state, this.#lapseMs);
    else await this.live(streamId, state);
    return state;
  }

  /** Whether a stream may still fetch keys and playlists. */
  isLive(state: StreamState): boolean {
    return (
      !state.ended &&
      isSessionLive({
        session: { lastHeartbeatAt: new Date(state.lastHeartbeatAt) },
        now: this.#deps.clock.now(),
        heartbeatLapseSeconds: this.#deps.heartbeatLapseSeconds,
      })
    );
  }

  /** Caches a stream that is live (just started, or just beat). */
  async live(streamId: string, state: StreamState): Promise<void> {
    const { cache } = this.#deps;
    await cache.set(stateKey(streamId), state, this.#lapseMs);
    if ((await cache.get<boolean>(endedKey(streamId))) !== undefined) await cache.delete(stateKey(streamId));
  }

  /** Streams that ended (their rows already say so): marked, then dropped from the cache. */
  async ended(streamIds: readonly string[]): Promise<void> {
    if (streamIds.length === 0) return;
    const { cache } = this.#deps;
    for (const id of streamIds) await cache.set(endedKey(id), true, this.#lapseMs);
    await cache.delete(...streamIds.map(stateKey));
  }

  get #lapseMs(): number {
    return this.#deps.heartbeatLapseSeconds * 1000;
  }
}
