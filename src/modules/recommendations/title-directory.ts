import type { CatalogFacts, PlayableItems, TitleFacts, Viewer } from '../catalog/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { ContentIndex } from './content.ts';
import { CatalogIndex } from './rows.ts';

/** Who recommendations are for: the catalog's viewer, and the tier of the account's plan. */
export type RecommendationViewer = Viewer & { planTier?: number };

/** Without a catalog version to watch (the worker), how long a loaded catalog is trusted. */
const RELOAD_MS = 60_000;

interface Snapshot {
  version: number | undefined;
  loadedAt: number;
  titles: ReadonlyMap<string, TitleFacts>;
  catalog: CatalogIndex;
  popularity: Float32Array;
  content: ContentIndex;
}

/**
 * The catalog as recommendations serve it, in memory: every title's facts, its visibility (the
 * catalog's own `whyHidden`), the content index for "more like this", and popularity. Reloaded
 * when the catalog's version moves, so a request filters titles without a query.
 */
export class TitleDirectory {
  readonly #facts: CatalogFacts;
  readonly #items: PlayableItems;
  readonly #version: { current(): Promise<number> } | undefined;
  readonly #clock: Clock;
  #snapshot: Snapshot | undefined;
  #loading: Promise<Snapshot> | undefined;

  constructor(options: {
    facts: CatalogFacts;
    items: PlayableItems;
    version?: { current(): Promise<number> };
    clock: Clock;
  }) {
    this.#facts = options.facts;
    this.#items = options.items;
    this.#version = options.version;
    this.#clock = options.clock;
  }

  async get(): Promise<Snapshot> {
    const snapshot = this.#snapshot;
    // The catalog's version is itself an in-memory read, re-checked across instances every few seconds.
    const version = await this.#version?.current();
    if (snapshot && version !== undefined && version === snapshot.version) return snapshot;
    if (snapshot && version === undefined && this.#clock.now().getTime() - snapshot.loadedAt < RELOAD_MS)
      return snapshot;
    this.#loading ??= this.#load(version).finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  /** Forgets the loaded catalog (a process without catalog versions, e.g. before training). */
  invalidate(): void {
    this.#snapshot = undefined;
  }

  visible(title: TitleFacts | undefined, viewer: RecommendationViewer): title is TitleFacts {
    if (title === undefined) return false;
    // A title the profile's plan does not reach is not recommended (browse shows it, with an upgrade).
    if (viewer.planTier !== undefined && title.visibility.minPlanTier > viewer.planTier) return false;
    return this.#items.whyHidden(title.visibility, viewer) === undefined;
  }

  async #load(version: number | undefined): Promise<Snapshot> {
    const titles = await this.#facts.titles();
    const catalog = new CatalogIndex(
      titles.map((title) => ({ id: title.id, name: title.name, genres: title.genres })),
    );
    const popularity = Float32Array.from(titles, (title) => title.popularity);
    const content = new ContentIndex(
      titles.map((title) => ({
        genres: title.genres,
        tags: title.tags,
        people: title.people,
        text: [title.name, title.synopsis],
      })),
    );
    const snapshot: Snapshot = {
      version,
      loadedAt: this.#clock.now().getTime(),
      titles: new Map(titles.map((title) => [title.id, title])),
      catalog,
      popularity,
      content,
    };
    this.#snapshot = snapshot;
    return snapshot;
  }
}
