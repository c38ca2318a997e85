import type { MessageHandler, PubSub } from './pubsub.port.ts';

/** Single-process pub/sub. Messages are JSON round-tripped so subscribers see what Redis would give them. */
export class MemoryPubSub implements PubSub {
  readonly #channels = new Map<string, Set<MessageHandler>>();

  publish(channel: string, message: unknown): Promise<void> {
    const handlers = this.#channels.get(channel);
    if (handlers?.size) {
      const payload = JSON.stringify(message);
      // Delivered asynchronously, like a network hop: a publisher never runs subscriber code inline.
      queueMicrotask(() => {
        for (const handler of handlers) handler(JSON.parse(payload));
      });
    }
    return Promise.resolve();
  }

  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    const handlers = this.#channels.get(channel) ?? new Set();
    // Wrap so the same function subscribed twice is two subscriptions, as on Redis.
    const subscription: MessageHandler = (message) => handler(message);
    handlers.add(subscription);
    this.#channels.set(channel, handlers);
    return Promise.resolve(() => {
      handlers.delete(subscription);
      if (handlers.size === 0) this.#channels.delete(channel);
      return Promise.resolve();
    });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#channels.clear();
    return Promise.resolve();
  }
}
