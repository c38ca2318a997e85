/**
 * Fire-and-forget messages between instances (progress updates, cache invalidations, chat).
 * In-process by default; Redis pub/sub when REDIS_URL is set. Delivery is at-most-once: anything
 * that must not be lost goes through the job queue instead.
 */
export type MessageHandler = (message: unknown) => void;

export interface PubSub {
  publish(channel: string, message: unknown): Promise<void>;
  /** Resolves once the subscription is live; returns the function that ends it. */
  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
