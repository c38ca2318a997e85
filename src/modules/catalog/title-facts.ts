import type { PlayableItem } from './playable-items.ts';
import type { TitleFactsRepository } from './title-facts.repository.ts';

/** A title as recommendations see it: what it is about, and what decides who may see it. */
export interface TitleFacts {
  id: string;
  kind: 'movie' | 'series';
  name: string;
  synopsis: string;
  releaseYear: number | null;
  genres: string[];
  tags: string[];
  people: string[];
  popularity: number;
  createdAt: Date;
  /** For `PlayableItems.whyHidden`: the catalog's one visibility rule. */
  visibility: PlayableItem;
}

export interface StarRating {
  profileId: string;
  titleId: string;
  score: number;
  ratedAt: Date;
}

/** The catalog read in bulk, for models trained over all of it (recommendations). */
export class CatalogFacts {
  readonly #repository: TitleFactsRepository;

  constructor(repository: TitleFactsRepository) {
    this.#repository = repository;
  }

  async titles(): Promise<TitleFacts[]> {
    const rows = await this.#repository.allTitles();
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind as TitleFacts['kind'],
      name: row.title,
      synopsis: row.synopsis,
      releaseYear: row.releaseYear,
      genres: row.genres,
      tags: row.tags,
      people: row.people,
      popularity: row.popularity,
      createdAt: row.createdAt,
      visibility: {
        id: row.id,
        kind: 'movie',
        titleId: row.id,
        name: row.title,
        status: row.status,
        titleStatus: row.status,
        minPlanTier: row.minPlanTier,
        maturityLevel: row.maturityLevel,
        allowedRegions: row.allowedRegions,
        publishAt: row.publishAt,
        unpublishAt: row.unpublishAt,
      },
    }));
  }

  /** The genre names of some titles (analytics' top genres). */
  genresOf(titleIds: readonly string[]): Promise<Map<string, string[]>> {
    return this.#repository.genresOf(titleIds);
  }

  ratings(options: { since?: Date; profileId?: string } = {}): Promise<StarRating[]> {
    return this.#repository.ratings(options);
  }
}
