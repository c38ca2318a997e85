import type { Viewer, WhyHidden } from '../catalog/index.ts';
import { fitsHeight, parseAttributeList } from './playlist-rewrite.ts';

/** A live event as playback needs it: its gates like a title's, its state and where its HLS is. */
export interface LiveSource {
  id: string;
  title: string;
  minPlanTier: number;
  state: 'scheduled' | 'live' | 'ended';
  /** Storage prefix of the event's HLS: `master.m3u8` and `<n>/index.m3u8` under it. */
  prefix: string;
}

/** The live module's answer (its index.ts wires it): the event, and why this viewer can't see it. */
export type LiveSources = (
  eventId: string,
  viewer: Viewer,
) => Promise<{ event: LiveSource; hidden: WhyHidden | undefined } | undefined>;

export interface LiveVariant {
  /** Its playlist, relative to the master (`0/index.m3u8`). */
  playlist: string;
  width: number;
  height: number;
  bandwidth: number;
}

/**
 * The variants a live master playlist lists (ffmpeg writes it once, when the ladder starts).
 * Pure. A variant without RESOLUTION is left out: what we can't measure we don't offer.
 */
export function liveVariants(master: string): LiveVariant[] {
  const lines = master.split(/\r?\n/);
  const variants: LiveVariant[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const attributes = new Map(parseAttributeList(line.slice('#EXT-X-STREAM-INF:'.length)));
    const resolution = /^(\d+)x(\d+)$/.exec(attributes.get('RESOLUTION') ?? '');
    const playlist = lines.slice(index + 1).find((next) => next.trim() !== '' && !next.startsWith('#'));
    if (!resolution || !playlist) continue;
    variants.push({
      playlist: playlist.trim(),
      width: Number(resolution[1]),
      height: Number(resolution[2]),
      bandwidth: Number(attributes.get('BANDWIDTH') ?? 0),
    });
  }
  return variants;
}

/** The variants a plan capped at `maxHeight` may play. */
export const liveVariantsFitting = (master: string, maxHeight: number): LiveVariant[] =>
  liveVariants(master).filter((variant) => fitsHeight({ ...variant, maxHeight }));
