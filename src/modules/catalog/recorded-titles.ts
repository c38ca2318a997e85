import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { TitlesRepository } from './titles.repository.ts';

/** What a live event's recording carries over to its title: the event's words and gates. */
export interface RecordedEvent {
  id: string;
  title: string;
  description: string | null;
  minPlanTier: number;
  maturityLevel: number;
  allowedRegions: string[] | null;
}

/**
 * The catalog's side of a live event's recording: a draft movie with the event's title and gates,
 * made once per event (found again by `external_ids.liveEvent`, so a retried job adds nothing).
 * An admin reviews and publishes it like any title. The live module asks here rather than
 * writing the catalog's tables itself.
 */
export class RecordedTitles {
  readonly #titles: TitlesRepository;
  readonly #clock: Clock;

  constructor(options: { titles: TitlesRepository; clock: Clock }) {
    this.#titles = options.titles;
    this.#clock = options.clock;
  }

  async ensure(event: RecordedEvent): Promise<string> {
    const existing = await this.#titles.liveRecordingTitleId(event.id);
    if (existing) return existing;
    return this.#titles.insert({
      kind: 'movie',
      title: event.title,
      synopsis: event.description ?? '',
      releaseYear: this.#clock.now().getUTCFullYear(),
      maturityLevel: event.maturityLevel,
      minPlanTier: event.minPlanTier,
      allowedRegions: event.allowedRegions,
      tags: ['live recording'],
      externalIds: JSON.stringify({ liveEvent: event.id }),
    });
  }
}

export const createRecordedTitles = (deps: { db: Kysely<DB>; clock: Clock }): RecordedTitles =>
  new RecordedTitles({ titles: new TitlesRepository(deps.db), clock: deps.clock });
