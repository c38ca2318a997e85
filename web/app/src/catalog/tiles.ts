import type { TileItem } from '../../../ui/components.tsx';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';

/** API items as the shared design system's tiles. */
export function titleTile(title: Schemas['TitleSummary']): TileItem {
  return {
    id: title.id,
    title: title.title,
    href: `/title/${title.id}`,
    year: title.releaseYear,
    genre: title.genres[0] ?? null,
    poster: title.artwork.poster,
  };
}

/** A live event: "Live now" while on air, else when it starts (in the viewer's own time). */
export function liveTile(event: Schemas['LiveEvent']): TileItem {
  const starts = new Date(event.scheduledStart).toLocaleString(undefined, {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  return {
    id: event.id,
    title: event.title,
    href: `/live/${event.id}`,
    caption: event.state === 'live' ? '● Live now' : `Starts ${starts}`,
    poster: event.artworkUrl,
  };
}

export function continueTile(item: Schemas['ContinueWatchingItem']): TileItem {
  return {
    id: item.itemId,
    title: item.name,
    // An episode plays with its series known, so "next episode" can follow it.
    href:
      item.itemId === item.titleId ? `/play/${item.itemId}` : `/play/${item.itemId}?series=${item.titleId}`,
    caption: item.name,
    progress: item.durationSeconds ? item.positionSeconds / item.durationSeconds : null,
  };
}
