import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import {
  type AnalyticsEvent,
  type DomainEventType,
  domainEventTypes,
  heardDomainEventSchema,
  type QoeBeacon,
} from './analytics.events.ts';
import { AnalyticsBusy, AnalyticsSessionUnknown } from './analytics.errors.ts';
import type { EventSink } from './event-sink.port.ts';
import { SweptLRUCache } from '../../shared/swept-lru.ts';

const DAY_MS = 86_400_000;
/** A player's clock may run a little fast; beyond this its time is replaced by ours. */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * How long a stream's title and plan are remembered for its next beacon batch. A player sends its
 * last batch as it ends the stream, so a batch that arrives this soon after the end still counts.
 */
const STREAM_MEMORY_MS = 30_000;

/** What a beacon batch is stamped with: the stream's item, title and plan. */
interface StreamFacts {
  itemId: string;
  titleId: string | null;
  planId: string;
}

/**
 * A player sends its last batch as it ends its stream, and the two requests may arrive in either
 * order: a stream that ended this recently still takes beacons.
 */
const ENDED_STREAM_GRACE_MS = 60_000;

/** What analytics needs to know of a playback session (playback owns them). */
export interface LiveStream {
  itemId: string;
  endedAt: Date | null;
}

export interface AnalyticsIngestDeps {
  sink: EventSink;
  clock: Clock;
  logger: Logger;
  /** The caller's stream with this id, ended or not, or undefined (another account's is undefined too). */
  liveStreamOf: (userId: string, sessionId: string) => Promise<LiveStream | undefined>;
  titleOf: (itemId: string) => Promise<string | undefined>;
  planIdOf: (userId: string) => Promise<string>;
  retentionDays: number;
}

/** A uuid-shaped digest: the same domain event heard twice gets the same id. */
export const digestId = (text: string): string => {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

const keptTypes = new Map<string, ReadonlySet<string>>(
  Object.entries(domainEventTypes).map(([channel, types]) => [channel, new Set<string>(types)]),
);

/** Takes players' beacons and other modules' domain events into the sink. */
export class AnalyticsIngest {
  readonly #deps: AnalyticsIngestDeps;
  /** By account and session: one lookup per stream and half minute, not three per batch. */
  readonly #streams = new SweptLRUCache<string, StreamFacts>({
    max: 50_000,
    ttl: STREAM_MEMORY_MS,
    ttlAutopurge: false,
  });
  constructor(deps: AnalyticsIngestDeps) {
    this.#deps = deps;
  }

  /**
   * A batch of QoE beacons for one of the caller's live playback sessions: refused whole when the
   * session isn't theirs (or has ended), or when the sink is full.
   */
  async ingestBeacons(options: {
    userId: string;
    sessionId: string;
    beacons: readonly QoeBeacon[];
    edgeRegion: string | undefined;
  }): Promise<{ accepted: number }> {
    const { itemId, titleId, planId } = await this.#streamFacts(options.userId, options.sessionId);
    const events = options.beacons.map((beacon): AnalyticsEvent => {
      const { id, at, type, device, appVersion, region, ...measures } = beacon;
      return {
        eventId: id,
        type,
        occurredAt: this.#plausibleTime(new Date(at)),
        userId: options.userId,
        sessionId: options.sessionId,
        titleId,
        itemId,
        planId,
        region: options.edgeRegion ?? region ?? '',
        device: device ?? '',
        appVersion: appVersion ?? '',
        payload: measures,
      };
    });
    if (this.#deps.sink.offer(events) === 'full') throw AnalyticsBusy();
    return { accepted: events.length };
  }

  async #streamFacts(userId: string, sessionId: string): Promise<StreamFacts> {
    const key = `${userId}:${sessionId}`;
    const known = this.#streams.get(key);
    if (known) return known;
    const stream = await this.#deps.liveStreamOf(userId, sessionId);
    const now = this.#deps.clock.now().getTime();
    if (!stream || (stream.endedAt && now - stream.endedAt.getTime() > ENDED_STREAM_GRACE_MS)) {
      throw AnalyticsSessionUnknown();
    }
    const [titleId, planId] = await Promise.all([
      this.#deps.titleOf(stream.itemId),
      this.#deps.planIdOf(userId),
    ]);
    const facts = { itemId: stream.itemId, titleId: titleId ?? null, planId };
    this.#streams.set(key, facts);
    return facts;
  }

  /** One message from a domain-event channel; anything not in the catalog is ignored. */
  hear(channel: string, message: unknown): void {
    const parsed = heardDomainEventSchema.safeParse(message);
    if (!parsed.success || !keptTypes.get(channel)?.has(parsed.data.type)) return;
    const event = parsed.data;
    const now = this.#deps.clock.now();
    const occurredAt = event.at ? this.#plausibleTime(new Date(event.at)) : now;
    const { type, at: _at, userId, titleId, itemId, ...rest } = event;
    const outcome = this.#deps.sink.offer([
      {
        // Every API instance hears a published event: the content is the id, so it is kept once.
        eventId: digestId(`${channel}\n${JSON.stringify(message)}`),
        type: type as DomainEventType,
        occurredAt,
        userId: userId ?? null,
        sessionId: null,
        titleId: titleId ?? null,
        itemId: itemId ?? null,
        planId: '',
        region: '',
        device: '',
        appVersion: '',
        payload: rest,
      },
    ]);
    if (outcome === 'full')
      this.#deps.logger.warn({ type }, 'analytics buffer full: a domain event was dropped');
  }

  /** Subscribes to every channel of the catalog; returns what ends the subscriptions. */
  async listen(pubsub: PubSub): Promise<() => Promise<void>> {
    const ends = await Promise.all(
      Object.keys(domainEventTypes).map((channel) =>
        pubsub.subscribe(channel, (message) => this.hear(channel, message)),
      ),
    );
    return async () => {
      await Promise.all(ends.map((end) => end()));
    };
  }

  /**
   * Our time for an event whose own time is implausible: in the future, or older than retention
   * (its partition is gone, and it would come back).
   */
  #plausibleTime(at: Date): Date {
    const now = this.#deps.clock.now();
    const oldest = now.getTime() - (this.#deps.retentionDays - 1) * DAY_MS;
    if (
      Number.isNaN(at.getTime()) ||
      at.getTime() > now.getTime() + FUTURE_SKEW_MS ||
      at.getTime() < oldest
    ) {
      return now;
    }
    return at;
  }
}
