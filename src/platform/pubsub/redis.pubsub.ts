import type { Redis } from 'ioredis';
import type { MessageHandler, PubSub } from './pubsub.port.ts';

/**
 * Redis pub/sub. A connection in subscriber mode can do nothing else, so this adapter owns a
 * dedicated one (duplicated from the shared client) and publishes through the shared client.
 * ioredis' keyPrefix does not apply to channels, so the prefix is added here.
 */
export class RedisPubSub implements PubSub {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #channels = new Map<string, Set<MessageHandler>>();

  constructor(redis: Redis, prefix: string) {
    this.#publisher = redis;
    this.#prefix = prefix;
    this.#subscriber = redis.duplicate({ keyPrefix: '' });
    // Its connection errors are the shared client's to report (the platform logs them).
    this.#subscriber.on('error', (error: unknown) => redis.emit('error', error));
    this.#subscriber.on('message', (channel: string, raw: string) => {
      const handlers = this.#channels.get(channel);
      if (!handlers) return;
      const message: unknown = JSON.parse(raw);
      for (const handler of handlers) handler(message);
    });
  }

  /** At most once, as the port says: while Redis is away, a message is dropped, not queued. */
  async publish(channel: string, message: unknown): Promise<void> {
    if (this.#publisher.status !== 'ready') return;
    await this.#publisher.publish(this.#prefix + channel, JSON.stringify(message)).catch(() => undefined);
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    const name = this.#prefix + channel;
    let handlers = this.#channels.get(name);
    if (!handlers) {
      handlers = new Set();
      this.#channels.set(name, handlers);
      await this.#subscriber.subscribe(name);
    }
    const subscription: MessageHandler = (message) => handler(message);
    handlers.add(subscription);
    return async () => {
      handlers.delete(subscription);
      if (handlers.size === 0 && this.#channels.get(name) === handlers) {
        this.#channels.delete(name);
        await this.#subscriber.unsubscribe(name);
      }
    };
  }

  async ping(): Promise<void> {
    await this.#publisher.ping();
  }

  async close(): Promise<void> {
    this.#channels.clear();
    await this.#subscriber.quit().catch(() => this.#subscriber.disconnect());
  }
}
