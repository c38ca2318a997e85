import Hls from 'hls.js';
import type { Operations } from '../../../ui/api/openapi.generated.ts';

type BeaconBody = Operations['sendPlaybackBeacons']['body'];
type Beacon = BeaconBody['events'][number];

/** What the server takes in one batch (MAX_BEACONS_PER_BATCH). */
const MAX_BATCH = 200;
const FLUSH_MS = 15_000;

/**
 * The player's quality-of-experience beacons (POST /api/analytics/events): start time, stalls,
 * rendition switches, time watched per rendition and fatal errors, batched every 15 s and on
 * leaving. They go out while the stream is still open: the server takes beacons for live streams
 * only, so `flush` runs before the stream is ended.
 */
export class QoeBeacons {
  readonly #hls: Hls;
  readonly #element: HTMLVideoElement;
  readonly #sessionId: string;
  readonly #token: () => string | null;
  readonly #queue: Beacon[] = [];
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #loadStarted = performance.now();
  #started = false;
  #stalledAt: number | null = null;
  #lastTime = 0;
  #watchedSeconds = 0;
  #height: number | undefined;
  readonly #dispose: Array<() => void> = [];

  constructor(options: {
    hls: Hls;
    element: HTMLVideoElement;
    sessionId: string;
    token: () => string | null;
  }) {
    this.#hls = options.hls;
    this.#element = options.element;
    this.#sessionId = options.sessionId;
    this.#token = options.token;
    this.#timer = setInterval(() => this.flush({ keepalive: false }), FLUSH_MS);
    this.#listen('playing', () => this.#onPlaying());
    this.#listen('waiting', () => {
      if (this.#started && this.#stalledAt === null) this.#stalledAt = performance.now();
    });
    this.#listen('timeupdate', () => {
      const now = this.#element.currentTime;
      const step = now - this.#lastTime;
      // Time watched is playback that moved forward a little; a seek is not watching.
      if (step > 0 && step < 2) this.#watchedSeconds += step;
      this.#lastTime = now;
    });
    const onSwitch = (_event: string, data: { level: number }) => {
      const toHeight = this.#hls.levels[data.level]?.height;
      const fromHeight = this.#height;
      if (!toHeight || toHeight === fromHeight) return;
      this.#closeRendition();
      if (fromHeight && this.#started) {
        this.#push({
          type: 'BitrateSwitched',
          fromHeight,
          toHeight,
          bitrate: Math.max(1, Math.round(this.#hls.levels[data.level]?.bitrate ?? 1)),
        });
      }
      this.#height = toHeight;
    };
    const onError = (_event: string, data: { fatal: boolean; details: string }) => {
      if (!data.fatal) return;
      this.#push({
        type: 'PlaybackFailed',
        code: data.details.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 60) || 'unknown',
        fatal: true,
        ...this.#rendition(),
      });
    };
    this.#hls.on(Hls.Events.LEVEL_SWITCHED, onSwitch);
    this.#hls.on(Hls.Events.ERROR, onError);
    this.#dispose.push(() => {
      this.#hls.off(Hls.Events.LEVEL_SWITCHED, onSwitch);
      this.#hls.off(Hls.Events.ERROR, onError);
    });
  }

  /** Sends what is queued (keepalive: the page is closing). */
  flush(options: { keepalive: boolean }): void {
    this.#closeRendition();
    while (this.#queue.length > 0) {
      const body: BeaconBody = { sessionId: this.#sessionId, events: this.#queue.splice(0, MAX_BATCH) };
      const token = this.#token();
      void fetch('/api/analytics/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
        keepalive: options.keepalive,
      }).catch(() => undefined);
    }
  }

  /** Sends the rest and stops listening. */
  close(options: { keepalive: boolean }): void {
    clearInterval(this.#timer);
    this.flush(options);
    for (const dispose of this.#dispose.splice(0)) dispose();
  }

  #onPlaying(): void {
    if (!this.#started) {
      this.#started = true;
      this.#height ??= this.#hls.levels[this.#hls.currentLevel]?.height;
      this.#push({
        type: 'PlaybackStarted',
        startupMs: Math.min(600_000, Math.round(performance.now() - this.#loadStarted)),
        renditionHeight: this.#height ?? 1,
      });
      return;
    }
    if (this.#stalledAt === null) return;
    const durationMs = Math.round(performance.now() - this.#stalledAt);
    this.#stalledAt = null;
    // A seek also waits; only stalls of the playing stream count, and a short blip is not one.
    if (!this.#element.seeking && durationMs >= 100) {
      this.#push({
        type: 'PlaybackRebuffered',
        durationMs: Math.min(durationMs, 3_600_000),
        ...this.#rendition(),
      });
    }
  }

  /** The time watched on the current rendition, as one beacon. */
  #closeRendition(): void {
    const seconds = Math.min(3600, Math.round(this.#watchedSeconds * 1000) / 1000);
    this.#watchedSeconds = 0;
    if (seconds > 0 && this.#height)
      this.#push({ type: 'RenditionWatched', renditionHeight: this.#height, seconds });
  }

  #rendition(): { renditionHeight?: number } {
    return this.#height ? { renditionHeight: this.#height } : {};
  }

  #push(beacon: DistributiveOmit<Beacon, 'id' | 'at' | 'device' | 'appVersion'>): void {
    this.#queue.push({
      ...beacon,
      id: crypto.randomUUID(),
      at: new Date().toISOString(),
      device: 'web',
    });
  }

  #listen(type: keyof HTMLMediaElementEventMap, handler: () => void): void {
    this.#element.addEventListener(type, handler);
    this.#dispose.push(() => this.#element.removeEventListener(type, handler));
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
