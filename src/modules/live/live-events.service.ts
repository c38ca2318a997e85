import type { Clock } from '../../platform/clock.ts';
import type { Transactor } from '../../platform/db/transactor.ts';
import type { Page } from '../../shared/pagination.ts';
import type { AuditLog, RequestContext } from '../audit/index.ts';
import type { PlayableItems, Viewer, WhyHidden } from '../catalog/index.ts';
import { liveHlsPrefix } from './live-storage.ts';
import { newOpaqueToken, tokenHash } from './stream-keys.ts';
import { LiveEventNotFound, LivePlanRequired } from './live.errors.ts';
import type { LiveEventRow, LiveEventsRepository, LiveEventState } from './live-events.repository.ts';
import type { LiveEvent, LiveEventInput, LiveEventPatch } from './live.schemas.ts';

export interface LiveEventsServiceDeps {
  events: LiveEventsRepository;
  transactor: Transactor;
  audit: AuditLog;
  clock: Clock;
  /** The catalog's visibility rules (region, maturity), applied to an event as to a title. */
  items: Pick<PlayableItems, 'whyHidden'>;
  /** The viewer's plan tier (subscriptions' cached status). */
  planTierOf: (userId: string) => Promise<number>;
}

export const toLiveEvent = (row: LiveEventRow): LiveEvent => ({
  id: row.id,
  title: row.title,
  description: row.description,
  artworkUrl: row.artworkUrl,
  scheduledStart: row.scheduledStart,
  minPlanTier: row.minPlanTier,
  maturityLevel: row.maturityLevel,
  allowedRegions: row.allowedRegions,
  state: row.state as LiveEventState,
  startedAt: row.startedAt,
  endedAt: row.endedAt,
  slowModeSeconds: row.slowModeSeconds,
  recordingTitleId: row.recordingTitleId,
});

/**
 * Live events: admins schedule them and hold their stream key (shown once, stored as a SHA-256
 * like every opaque credential here); viewers may see one under the catalog's own rules.
 */
export class LiveEventsService {
  readonly #deps: LiveEventsServiceDeps;

  constructor(deps: LiveEventsServiceDeps) {
    this.#deps = deps;
  }

  async create(
    context: RequestContext,
    input: LiveEventInput,
  ): Promise<{ event: LiveEvent; streamKey: string }> {
    const streamKey = newOpaqueToken('live_');
    const now = this.#deps.clock.now();
    const row = await this.#deps.transactor.run(async (trx) => {
      const created = await this.#deps.events.insert(
        {
          title: input.title,
          description: input.description ?? null,
          artworkUrl: input.artworkUrl ?? null,
          scheduledStart: input.scheduledStart,
          minPlanTier: input.minPlanTier ?? 0,
          maturityLevel: input.maturityLevel ?? 0,
          allowedRegions: input.allowedRegions ?? null,
          streamKeyHash: tokenHash(streamKey),
          createdAt: now,
          updatedAt: now,
        },
        trx,
      );
      await this.#deps.audit.record(trx, context, {
        action: 'live_event.created',
        targetType: 'live_event',
        targetId: created.id,
        after: toLiveEvent(created),
      });
      return created;
    });
    return { event: toLiveEvent(row), streamKey };
  }

  async get(id: string): Promise<LiveEvent> {
    return toLiveEvent(await this.#row(id));
  }

  async list(query: { cursor?: string | undefined; limit: number }): Promise<Page<LiveEvent>> {
    const page = await this.#deps.events.list(query);
    return { items: page.items.map(toLiveEvent), nextCursor: page.nextCursor };
  }

  async update(context: RequestContext, id: string, patch: LiveEventPatch): Promise<LiveEvent> {
    return this.#deps.transactor.run(async (trx) => {
      const before = await this.#row(id, trx);
      const row = await this.#deps.events.update(id, { ...patch, updatedAt: this.#deps.clock.now() }, trx);
      if (!row) throw LiveEventNotFound();
      await this.#deps.audit.record(trx, context, {
        action: 'live_event.updated',
        targetType: 'live_event',
        targetId: id,
        before: toLiveEvent(before),
        after: toLiveEvent(row),
      });
      return toLiveEvent(row);
    });
  }

  async remove(context: RequestContext, id: string): Promise<void> {
    await this.#deps.transactor.run(async (trx) => {
      if (!(await this.#deps.events.delete(id, trx))) throw LiveEventNotFound();
      await this.#deps.audit.record(trx, context, {
        action: 'live_event.deleted',
        targetType: 'live_event',
        targetId: id,
      });
    });
  }

  /** A new stream key; the old one stops working at once (a publisher using it is refused next time). */
  async rotateStreamKey(context: RequestContext, id: string): Promise<{ streamKey: string }> {
    const streamKey = newOpaqueToken('live_');
    await this.#deps.transactor.run(async (trx) => {
      const row = await this.#deps.events.update(
        id,
        { streamKeyHash: tokenHash(streamKey), updatedAt: this.#deps.clock.now() },
        trx,
      );
      if (!row) throw LiveEventNotFound();
      await this.#deps.audit.record(trx, context, {
        action: 'live_event.stream_key_rotated',
        targetType: 'live_event',
        targetId: id,
      });
    });
    return { streamKey };
  }

  /** The event whose key this is, if any: what the ingest asks before it accepts a publisher. */
  async byStreamKey(streamKey: string): Promise<LiveEvent | undefined> {
    const row = await this.#deps.events.findByStreamKeyHash(tokenHash(streamKey));
    return row && toLiveEvent(row);
  }

  async moveState(
    id: string,
    from: readonly LiveEventState[],
    to: LiveEventState,
  ): Promise<LiveEvent | undefined> {
    const row = await this.#deps.events.moveState({ id, from, to, at: this.#deps.clock.now() });
    return row && toLiveEvent(row);
  }

  async setSlowMode(id: string, seconds: number): Promise<void> {
    if (
      !(await this.#deps.events.update(id, { slowModeSeconds: seconds, updatedAt: this.#deps.clock.now() }))
    )
      throw LiveEventNotFound();
  }

  async setPinned(id: string, messageId: number | null): Promise<void> {
    if (
      !(await this.#deps.events.update(id, { pinnedMessageId: messageId, updatedAt: this.#deps.clock.now() }))
    )
      throw LiveEventNotFound();
  }

  async pinnedMessageId(id: string): Promise<number | null> {
    return (await this.#row(id)).pinnedMessageId;
  }

  /**
   * The event as this viewer may see it: hidden by region or maturity exactly like a title (a
   * 404, never a hint that it exists), then the plan tier (402 naming the tier needed).
   */
  async forViewer(id: string, viewer: Viewer & { userId: string }): Promise<LiveEvent> {
    const row = await this.#deps.events.find(id);
    if (!row || this.whyHidden(row, viewer)) throw LiveEventNotFound();
    if ((await this.#deps.planTierOf(viewer.userId)) < row.minPlanTier)
      throw LivePlanRequired(undefined, { requiredTier: row.minPlanTier });
    return toLiveEvent(row);
  }

  /**
   * What a viewer can tune into: events on air, then those scheduled in the next `days`, without
   * the ones hidden from them by region or maturity (as `forViewer` hides them). An event above
   * their plan is listed (with its tier): the home row is where an upgrade is offered.
   */
  async onAirAndUpcoming(viewer: Viewer, options: { days: number }): Promise<LiveEvent[]> {
    const until = new Date(this.#deps.clock.now().getTime() + options.days * 86_400_000);
    const rows = await this.#deps.events.onAirAndUpcoming({ until, limit: 100 });
    return rows
      .filter((row) => !this.whyHidden(row, viewer))
      .slice(0, 50)
      .map(toLiveEvent);
  }

  /**
   * What playback asks before it starts a stream of an event: the event and why this viewer may
   * not see it (the catalog's rules, read as for a title). Playback applies the plan and the
   * stream limit itself, as for a title, and reads the HLS under `prefix`.
   */
  async forPlayback(
    id: string,
    viewer: Viewer,
  ): Promise<{ event: LiveEvent & { prefix: string }; hidden: WhyHidden | undefined } | undefined> {
    const row = await this.#deps.events.find(id);
    if (!row) return undefined;
    return {
      event: { ...toLiveEvent(row), prefix: liveHlsPrefix(row.id) },
      hidden: this.whyHidden(row, viewer),
    };
  }

  whyHidden(row: LiveEventRow, viewer: Viewer): WhyHidden | undefined {
    return this.#deps.items.whyHidden(
      {
        id: row.id,
        kind: 'movie',
        titleId: row.id,
        name: row.title,
        status: 'published',
        titleStatus: 'published',
        minPlanTier: row.minPlanTier,
        maturityLevel: row.maturityLevel,
        allowedRegions: row.allowedRegions,
        publishAt: null,
        unpublishAt: null,
      },
      viewer,
    );
  }

  async #row(id: string, executor?: Parameters<LiveEventsRepository['find']>[1]): Promise<LiveEventRow> {
    const row = await this.#deps.events.find(id, executor);
    if (!row) throw LiveEventNotFound();
    return row;
  }
}
