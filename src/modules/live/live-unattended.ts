import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import type { BroadcastFrame } from './chat-protocol.ts';
import { chatChannel } from './chat.service.ts';
import type { LiveEventsRepository } from './live-events.repository.ts';

/** How often an ingest notes the events it hosts (live-events.repository.ts `touchIngest`). */
export const INGEST_HEARTBEAT_MS = 5000;
/** Past the grace window, how long a silent ingest is given before its events are ended. */
const SLACK_MS = 3 * INGEST_HEARTBEAT_MS;

export interface UnattendedLiveEventsDeps {
  events: LiveEventsRepository;
  pubsub: PubSub;
  clock: Clock;
  logger: Logger;
  graceSeconds: number;
}

/**
 * The `live.end-unattended` job (every minute, worker role): an event is `live` only while an
 * ingest hosts it. A worker that is SIGTERM'd or dies mid-broadcast stops noting its events; if
 * no ingest takes the publisher back within the grace window (a reconnect through the load
 * balancer lands on another worker and notes the event there), the event ends here and its chat
 * viewers are told. Its recording so far stays on that worker's disk: no VOD is made of it.
 */
export class UnattendedLiveEvents {
  readonly #deps: UnattendedLiveEventsDeps;

  constructor(deps: UnattendedLiveEventsDeps) {
    this.#deps = deps;
  }

  async end(): Promise<string[]> {
    const { events, pubsub, clock, logger, graceSeconds } = this.#deps;
    const now = clock.now();
    const ended = await events.endUnattended({
      before: new Date(now.getTime() - graceSeconds * 1000 - SLACK_MS),
      at: now,
    });
    for (const event of ended) {
      logger.warn({ eventId: event.id }, 'live: ended an event no ingest hosts any more');
      await pubsub.publish(chatChannel(event.id), { type: 'state', state: 'ended' } satisfies BroadcastFrame);
    }
    return ended.map((event) => event.id);
  }
}
