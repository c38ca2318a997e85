import type { WebSocket } from 'ws';
import { sendOrDrop } from './backpressure.ts';
import type { BroadcastFrame, ServerFrame } from './chat-protocol.ts';

type FanoutSocket = Parameters<typeof sendOrDrop>[0];

/** What goes on the wire for some broadcast frames: one alone, several as a `batch`. Pure. */
export function encodeBroadcast(frames: readonly BroadcastFrame[]): Buffer {
  const frame: ServerFrame =
    frames.length === 1 ? (frames[0] as BroadcastFrame) : { type: 'batch', frames: [...frames] };
  return Buffer.from(JSON.stringify(frame));
}

/**
 * One event's viewers on this instance and the broadcast frames on their way to them.
 *
 * Every viewer of an event gets the same frames, so they are serialised once, to bytes, and the
 * same Buffer goes to every socket: `ws` then writes it as it is (server frames are not masked)
 * where a string would be encoded again for each socket. While the chat is busy, frames are
 * coalesced: the first after a quiet spell goes at once, and those that follow within
 * `batchMs` go together at its end as one `batch` frame — at 50 messages/s and 100 ms a viewer
 * gets ten frames a second instead of fifty, and the instance makes a fifth of the writes. Order
 * is kept. `batchMs` 0 sends every frame alone. A socket holding more than `maxBufferedBytes`
 * unsent is dropped (backpressure.ts) — coalescing changes how often it is checked, not the bound.
 */
export class ChatFanout<Socket extends FanoutSocket = WebSocket> {
  readonly sockets = new Set<Socket>();
  readonly #options: { batchMs: number; maxBufferedBytes: number; onDropped: () => void };
  #pending: BroadcastFrame[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { batchMs: number; maxBufferedBytes: number; onDropped: () => void }) {
    this.#options = options;
  }

  /** A broadcast frame for every viewer: now, or with the others at the end of the current batch. */
  push(frame: BroadcastFrame): void {
    if (this.#timer) {
      this.#pending.push(frame);
      return;
    }
    this.#write(encodeBroadcast([frame]));
    if (this.#options.batchMs > 0) this.#startBatch();
  }

  /** A frame for every viewer now, outside the batch (the viewer count: its order does not matter). */
  sendNow(frame: ServerFrame): void {
    this.#write(Buffer.from(JSON.stringify(frame)));
  }

  /** Stops the batch timer; frames still pending are dropped with the room. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
  }

  #startBatch(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#pending.length === 0) return;
      const frames = this.#pending;
      this.#pending = [];
      this.#write(encodeBroadcast(frames));
      // Still busy: the next frames gather for another interval.
      this.#startBatch();
    }, this.#options.batchMs);
  }

  #write(data: Buffer): void {
    for (const socket of this.sockets)
      if (sendOrDrop(socket, data, this.#options.maxBufferedBytes) === 'dropped') this.#options.onDropped();
  }
}
