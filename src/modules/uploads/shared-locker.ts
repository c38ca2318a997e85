import { randomUUID } from 'node:crypto';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';

/**
 * tus's lock on an upload, shared by every instance: the lock is a cache entry (Redis when
 * configured) taken with SET NX, and a request that finds it taken asks the holder — on whatever
 * instance — to let go over pub/sub. tus answers that by ending the holder's request (a client
 * that lost its connection leaves a PATCH hanging; the resuming request must not wait for it),
 * which is what @tus/server's in-process MemoryLocker does within one process
 * (https://tus.io/protocols/resumable-upload#concurrency). Without this, two instances could
 * append to one upload at once, and a client resuming through another instance would wait for
 * the dead request's lock until the timeout.
 */

const RELEASE_CHANNEL = 'uploads.tus-lock-release';
const KEY_PREFIX = 'tus-lock:';

export interface SharedLockerOptions {
  cache: Cache;
  pubsub: PubSub;
  /** How long a request waits for the lock before tus answers 500 ERR_LOCK_TIMEOUT. */
  acquireTimeoutMs?: number;
  /** A held lock's lease: renewed while held, so a crashed instance's lock lapses by itself. */
  leaseMs?: number;
  /** How often a waiting request tries again. */
  retryMs?: number;
}

export class SharedLocker implements Locker {
  readonly #options: Required<SharedLockerOptions>;
  /** Locks held by this instance: the release request of each, by upload id. */
  readonly #held = new Map<string, RequestRelease>();
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: SharedLockerOptions) {
    this.#options = { acquireTimeoutMs: 30_000, leaseMs: 30_000, retryMs: 50, ...options };
  }

  /** Listens for other instances' release requests; call once before serving. */
  async start(): Promise<void> {
    this.#unsubscribe = await this.#options.pubsub.subscribe(RELEASE_CHANNEL, (message) => {
      const id = (message as { id?: unknown }).id;
      const release = typeof id === 'string' ? this.#held.get(id) : undefined;
      // tus's release ends the holding request; a failure there leaves the lease to lapse.
      if (release) void Promise.resolve(release()).catch(() => undefined);
    });
  }

  async stop(): Promise<void> {
    await this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  newLock(id: string): Lock {
    return new SharedLock({ id, locker: this, options: this.#options });
  }

  /** Bookkeeping for SharedLock: a lock this instance took, and how to ask its holder to let go. */
  hold(id: string, requestRelease: RequestRelease): void {
    this.#held.set(id, requestRelease);
  }

  drop(id: string): void {
    this.#held.delete(id);
  }

  /** Asks the holder, on this instance or another, to end the request that holds `id`. */
  async requestRelease(id: string): Promise<void> {
    const local = this.#held.get(id);
    if (local) await local();
    else await this.#options.pubsub.publish(RELEASE_CHANNEL, { id });
  }
}

class SharedLock implements Lock {
  readonly #id: string;
  readonly #key: string;
  readonly #locker: SharedLocker;
  readonly #options: Required<SharedLockerOptions>;
  /** Which taker holds the cache entry, so an unlock never drops another's lock. */
  readonly #token = randomUUID();
  #renewal: NodeJS.Timeout | undefined;

  constructor(options: { id: string; locker: SharedLocker; options: Required<SharedLockerOptions> }) {
    this.#id = options.id;
    this.#key = KEY_PREFIX + options.id;
    this.#locker = options.locker;
    this.#options = options.options;
  }

  async lock(stopSignal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { cache, acquireTimeoutMs, leaseMs, retryMs } = this.#options;
    const deadline = performance.now() + acquireTimeoutMs;
    let askedHolder = false;
    while (!(await cache.setIfAbsent(this.#key, this.#token, leaseMs))) {
      // tus throws its own error objects ({status_code, body}) and renders them: so does its locker.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (stopSignal.aborted || performance.now() >= deadline) throw ERRORS.ERR_LOCK_TIMEOUT;
      if (!askedHolder) {
        askedHolder = true;
        await this.#locker.requestRelease(this.#id);
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
    this.#locker.hold(this.#id, requestRelease);
    // A PATCH of a large file outlives one lease: renew it while held.
    this.#renewal = setInterval(() => void this.#renew(), leaseMs / 3);
    this.#renewal.unref();
  }

  async unlock(): Promise<void> {
    clearInterval(this.#renewal);
    this.#locker.drop(this.#id);
    const { cache } = this.#options;
    if ((await cache.get(this.#key)) === this.#token) await cache.delete(this.#key);
  }

  async #renew(): Promise<void> {
    const { cache, leaseMs } = this.#options;
    try {
      if ((await cache.get(this.#key)) === this.#token) await cache.set(this.#key, this.#token, leaseMs);
    } catch {
      // The cache is unreachable: the lease lapses and another instance may take over, as it should.
    }
  }
}
