import { PassThrough, type Readable } from 'node:stream';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { AssetRow } from './assets.repository.ts';
import { MEDIA_EVENTS_CHANNEL, type MediaEvent } from './media-events.ts';

/** A stream with nothing to say for this long ends; the console then reads the list and may reconnect. */
export const QUIET_STREAM_MS = 30_000;
const ACTIVE = new Set(['queued', 'processing']);

/**
 * Transcode jobs as they move, for admin consoles: one subscription to the media events per
 * instance (the worker publishes them on the pub/sub port, so every instance sees every job),
 * shared by every console watching.
 */
export class JobEventsHub {
  readonly #pubsub: PubSub;
  readonly #listeners = new Set<(event: MediaEvent) => void>();
  #subscription: Promise<unknown> | undefined;

  constructor(pubsub: PubSub) {
    this.#pubsub = pubsub;
  }

  /** Calls `listener` with every media event until the returned function is called. */
  async listen(listener: (event: MediaEvent) => void): Promise<() => void> {
    this.#listeners.add(listener);
    this.#subscription ??= this.#pubsub.subscribe(MEDIA_EVENTS_CHANNEL, (event) => {
      for (const each of this.#listeners) each(event as MediaEvent);
    });
    await this.#subscription;
    return () => this.#listeners.delete(listener);
  }

  /**
   * A text/event-stream of the jobs that are queued or running: first each of `active` as it is
   * now, then a `job` event whenever one moves. It ends with an `idle` event once none is queued
   * or running, or after QUIET_STREAM_MS without an event (a queued job no worker takes), or when
   * `closed` fires (the client went away). The worker records progress at most once a second.
   */
  async stream(options: {
    active: () => Promise<AssetRow[]>;
    closed: (handler: () => void) => void;
    quietMs?: number;
  }): Promise<Readable> {
    const output = new PassThrough();
    const running = new Set<string>();
    let quietTimer: NodeJS.Timeout | undefined;
    let stopListening = (): void => undefined;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(quietTimer);
      stopListening();
      output.end();
    };
    const quiet = () => {
      clearTimeout(quietTimer);
      if (ended) return;
      quietTimer = setTimeout(end, options.quietMs ?? QUIET_STREAM_MS);
    };
    const send = (event: MediaEvent) => {
      if (ended) return;
      output.write(`event: job\ndata: ${JSON.stringify(event)}\n\n`);
      if (ACTIVE.has(event.status)) running.add(event.assetId);
      else running.delete(event.assetId);
      quiet();
    };
    const endIfIdle = () => {
      if (running.size > 0 || ended) return;
      output.write('event: idle\ndata: {}\n\n');
      end();
    };
    // Listening first, so nothing that moves between the read below and the subscription is lost.
    stopListening = await this.listen((event) => {
      send(event);
      endIfIdle();
    });
    options.closed(end);
    for (const row of await options.active()) send(eventOf(row));
    endIfIdle();
    quiet();
    return output;
  }
}

function eventOf(row: AssetRow): MediaEvent {
  return {
    type: row.status === 'queued' ? 'TranscodeQueued' : 'TranscodeProgressed',
    assetId: row.id,
    itemId: row.itemId,
    status: row.status as MediaEvent['status'],
    progress: row.progress,
  };
}
