import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import { MaturityRatingsRepository } from './maturity-ratings.repository.ts';
import { TitlesRepository } from './titles.repository.ts';

/** A title seed-demo makes for a demo video; found again by its slug, so re-seeding adds nothing. */
export interface DemoTitleSpec {
  slug: string;
  title: string;
  synopsis: string;
  maturityRating: string;
}

/**
 * The catalog's side of seed-demo's playable videos: the titles they hang on. Media asks here
 * rather than writing the catalog's tables itself.
 */
export class DemoTitles {
  readonly #titles: TitlesRepository;
  readonly #ratings: MaturityRatingsRepository;
  readonly #clock: Clock;

  constructor(options: { titles: TitlesRepository; ratings: MaturityRatingsRepository; clock: Clock }) {
    this.#titles = options.titles;
    this.#ratings = options.ratings;
    this.#clock = options.clock;
  }

  /** The demo's movie, made on first use; `created` says whether it was. */
  async ensure(spec: DemoTitleSpec): Promise<{ id: string; created: boolean }> {
    const existing = await this.#titles.demoTitleId(spec.slug);
    if (existing) return { id: existing, created: false };
    const level = await this.#ratings.levelOf(spec.maturityRating);
    const id = await this.#titles.insert({
      kind: 'movie',
      title: spec.title,
      synopsis: spec.synopsis,
      releaseYear: this.#clock.now().getUTCFullYear(),
      runtimeMinutes: 1,
      maturityRating: level === undefined ? null : spec.maturityRating,
      maturityLevel: level ?? 0,
      audioLanguages: ['en'],
      tags: ['demo'],
      externalIds: JSON.stringify({ demo: spec.slug }),
    });
    return { id, created: true };
  }

  /** Publishes a demo title (once its video is ready); one already published is left as it is. */
  async publish(id: string): Promise<void> {
    const now = this.#clock.now();
    const title = await this.#titles.detail(id);
    if (!title || title.status === 'published') return;
    await this.#titles.update(id, { status: 'published', publishedAt: now, updatedAt: now });
  }
}

export function createDemoTitles(deps: { db: Kysely<DB>; clock: Clock }): DemoTitles {
  return new DemoTitles({
    titles: new TitlesRepository(deps.db),
    ratings: new MaturityRatingsRepository(deps.db),
    clock: deps.clock,
  });
}
