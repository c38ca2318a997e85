/**
 * "Next episode" at the end of an episode: the episode after this one in the series' order
 * (seasons by number, episodes by number), crossing into the next season. Pure.
 */

/** The part of GET /api/titles/:id this reads. */
export interface SeriesOutline {
  id: string;
  seasons: ReadonlyArray<{
    number: number;
    episodes: ReadonlyArray<{ id: string; number: number; name: string; status?: string }>;
  }>;
}

export interface NextEpisode {
  id: string;
  seasonNumber: number;
  number: number;
  name: string;
}

export function nextEpisodeAfter(series: SeriesOutline, episodeId: string): NextEpisode | null {
  const ordered = [...series.seasons]
    .sort((a, b) => a.number - b.number)
    .flatMap((season) =>
      [...season.episodes]
        // Only what a viewer can play: the catalog lists drafts to their editors only, but be sure.
        .filter((episode) => episode.status === undefined || episode.status === 'published')
        .sort((a, b) => a.number - b.number)
        .map((episode) => ({ ...episode, seasonNumber: season.number })),
    );
  const index = ordered.findIndex((episode) => episode.id === episodeId);
  const next = index >= 0 ? ordered[index + 1] : undefined;
  return next ? { id: next.id, seasonNumber: next.seasonNumber, number: next.number, name: next.name } : null;
}

export const episodeLabel = (episode: NextEpisode) =>
  `S${episode.seasonNumber} · E${episode.number} ${episode.name}`;
