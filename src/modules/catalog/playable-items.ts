import type { Clock } from '../../platform/clock.ts';
import { NotPlayable } from './catalog.errors.ts';
import type { CatalogVersion } from './catalog-version.ts';
import type { PlayableItemsRepository } from './playable-items.repository.ts';
import type { Viewer } from './viewer.ts';

/** A movie, or an episode of a series: what has video. */
export interface PlayableItem {
  id: string;
  kind: 'movie' | 'episode';
  titleId: string;
  /** "Interstellar", or "Dark · S1E2 · Secrets". */
  name: string;
  status: string;
  titleStatus: string;
  minPlanTier: number;
  maturityLevel: number;
  allowedRegions: string[] | null;
  publishAt: Date | null;
  unpublishAt: Date | null;
}

/** A title a viewer may see, as lists show it. */
export interface VisibleTitle {
  id: string;
  kind: 'movie' | 'series';
  name: string;
}

export type WhyHidden = 'not_published' | 'not_yet_available' | 'no_longer_available' | 'region' | 'maturity';

/**
 * The catalog's side of video: other features (media, playback) find playable items and move
 * them through processing → ready here, and ask whether a viewer may see one (and why not).
 */
export class PlayableItems {
  readonly #items: PlayableItemsRepository;
  readonly #version: CatalogVersion;
  readonly #clock: Clock;

  constructor(options: { items: PlayableItemsRepository; version: CatalogVersion; clock: Clock }) {
    this.#items = options.items;
    this.#version = options.version;
    this.#clock = options.clock;
  }

  async find(id: string): Promise<PlayableItem | undefined> {
    const movie = await this.#items.findTitle(id);
    if (movie) {
      if (movie.kind !== 'movie')
        throw NotPlayable('A series has no video of its own: use one of its episodes');
      return { ...movie, kind: 'movie', titleId: movie.id, name: movie.title, titleStatus: movie.status };
    }
    const episode = await this.#items.findEpisode(id);
    if (!episode) return undefined;
    return {
      id: episode.id,
      kind: 'episode',
      titleId: episode.titleId,
      name: `${episode.title} · S${episode.seasonNumber}E${episode.number} · ${episode.name}`,
      status: episode.status,
      titleStatus: episode.titleStatus,
      minPlanTier: episode.minPlanTier,
      maturityLevel: episode.maturityLevel,
      allowedRegions: episode.allowedRegions,
      // An episode is available once both it and its series are.
      publishAt: latest(episode.publishAt, episode.titlePublishAt),
      unpublishAt: episode.unpublishAt,
    };
  }

  /** Why a viewer may not see the item, or undefined when they may. */
  whyHidden(item: PlayableItem, viewer: Viewer): WhyHidden | undefined {
    if (item.status !== 'published' || item.titleStatus !== 'published') return 'not_published';
    if (item.publishAt && item.publishAt > viewer.now) return 'not_yet_available';
    if (item.unpublishAt && item.unpublishAt <= viewer.now) return 'no_longer_available';
    if (item.allowedRegions && !(viewer.country && item.allowedRegions.includes(viewer.country)))
      return 'region';
    if (viewer.maturityLimit !== null && item.maturityLevel > viewer.maturityLimit) return 'maturity';
    return undefined;
  }

  /**
   * The titles (movies or series) among `ids` this viewer may see, by id: what engagement shows
   * in My List and accepts reactions, ratings and list entries for.
   */
  async visibleTitles(ids: readonly string[], viewer: Viewer): Promise<Map<string, VisibleTitle>> {
    const rows = await this.#items.findTitles(ids);
    const visible = new Map<string, VisibleTitle>();
    for (const row of rows) {
      const hidden = this.whyHidden(
        {
          ...row,
          kind: 'movie',
          titleId: row.id,
          name: row.title,
          titleStatus: row.status,
          minPlanTier: 0,
        },
        viewer,
      );
      if (!hidden)
        visible.set(row.id, { id: row.id, kind: row.kind as VisibleTitle['kind'], name: row.title });
    }
    return visible;
  }

  /** The published episode after this one in its series (next in the season, else the next season's first). */
  nextEpisode(episodeId: string): Promise<string | undefined> {
    return this.#items.nextEpisode(episodeId);
  }

  /**
   * Moves an item's status for its video: `processing` while transcoding, `ready` when done.
   * A published item stays published (a re-transcode replaces its video in place).
   */
  async setVideoStatus(id: string, status: 'processing' | 'ready' | 'draft'): Promise<void> {
    await this.#items.setVideoStatus(id, { status, at: this.#clock.now() });
    await this.#version.bump();
  }
}

const latest = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
