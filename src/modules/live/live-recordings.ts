import type { Clock } from '../../platform/clock.ts';
import type { LiveEventsRepository } from './live-events.repository.ts';
import { toLiveEvent } from './live-events.service.ts';
import type { LiveEvent } from './live.schemas.ts';

export interface LiveRecordingsDeps {
  events: LiveEventsRepository;
  clock: Clock;
  /** The catalog's draft movie for this event's recording, made once (catalog's RecordedTitles). */
  titleFor: (event: LiveEvent) => Promise<string>;
  /** Media's normal pipeline: records the source and queues its transcode (media.transcode). */
  registerSource: (source: {
    itemId: string;
    storageKey: string;
    sourceName: string;
    bytes: number;
  }) => Promise<void>;
}

/**
 * The `live.record-vod` job: an ended event's recording becomes a draft movie whose video is the
 * recording, transcoded by the same job and ladder as any upload. Idempotent: the event keeps the
 * title it became, and a retry after that finds it and stops.
 */
export class LiveRecordings {
  readonly #deps: LiveRecordingsDeps;

  constructor(deps: LiveRecordingsDeps) {
    this.#deps = deps;
  }

  async toVod(payload: { eventId: string; storageKey: string; bytes: number }): Promise<void> {
    const row = await this.#deps.events.find(payload.eventId);
    // Deleted since, or done by an earlier attempt.
    if (!row || row.recordingTitleId) return;
    const titleId = await this.#deps.titleFor(toLiveEvent(row));
    await this.#deps.registerSource({
      itemId: titleId,
      storageKey: payload.storageKey,
      sourceName: 'live-recording.ts',
      bytes: payload.bytes,
    });
    await this.#deps.events.update(row.id, { recordingTitleId: titleId, updatedAt: this.#deps.clock.now() });
  }
}
