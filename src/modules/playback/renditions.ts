import { PlaybackPlanRequired } from './playback.errors.ts';
import type { RenditionManifest } from '../media/index.ts';
import { fitsHeight } from './playlist-rewrite.ts';

/** Which video rendition a download takes. Pure. */

/** What choosing a rendition reads of one. */
export type Rendition = Pick<
  RenditionManifest,
  'name' | 'width' | 'height' | 'bandwidth' | 'playlist' | 'videoCodec'
>;

/** Video codecs a client may declare it decodes, beyond the H.264 every client plays. */
export const DECLARABLE_CODECS = ['hevc'] as const;
export type DeclarableCodec = (typeof DECLARABLE_CODECS)[number];

/**
 * The renditions a client may be offered: H.264 always, an HEVC copy only when the client
 * declared HEVC. Downloads pass no codecs: offline packages stay H.264 (MPEG-TS) for every device.
 */
export function renditionsFor<T extends Pick<RenditionManifest, 'videoCodec'>>(
  renditions: readonly T[],
  codecs: readonly string[] = [],
): T[] {
  return renditions.filter(
    (rendition) => (rendition.videoCodec ?? 'avc') === 'avc' || codecs.includes(rendition.videoCodec!),
  );
}

/** A rendition's short side: what a download records as its `maxHeight` (portrait video too). */
export const shortSide = (rendition: Pick<Rendition, 'width' | 'height'>): number =>
  Math.min(rendition.width, rendition.height);

/**
 * The tallest rendition within both the plan's cap and the one the device asked for; if the
 * device asked for less than the smallest, the smallest the plan allows.
 */
export function chooseRendition(options: {
  renditions: readonly Rendition[];
  planMaxHeight: number;
  requestedMaxHeight?: number;
}): Rendition {
  const { renditions, planMaxHeight, requestedMaxHeight } = options;
  const within = (maxHeight: number) =>
    renditions
      .filter((rendition) => fitsHeight({ width: rendition.width, height: rendition.height, maxHeight }))
      .sort((a, b) => shortSide(b) - shortSide(a) || b.bandwidth - a.bandwidth);
  const allowed = within(planMaxHeight);
  if (allowed.length === 0) {
    throw PlaybackPlanRequired(`No rendition of this title fits your plan's ${planMaxHeight}p`);
  }
  const cap = Math.min(planMaxHeight, requestedMaxHeight ?? planMaxHeight);
  return within(cap)[0] ?? allowed.at(-1)!;
}

/** The downloaded rendition of a package, by the short side a download recorded. */
export const renditionOfHeight = (renditions: readonly Rendition[], height: number): Rendition | undefined =>
  renditions.find((rendition) => shortSide(rendition) === height);
