/**
 * Reading the ad server's answers (VMAP 1.0 schedule, VAST 4.2 pod) into plain data. Pure: it
 * takes any DOM-like XML document (the browser's DOMParser, @xmldom/xmldom in the tests), so the
 * parsing is table-tested without a browser. The same rules as /watch's ads.js.
 */

/** The part of a DOM Element this reads (the server-side tsconfig has no DOM library). */
export interface XmlNode {
  getElementsByTagName(name: string): ArrayLike<XmlNode>;
  getAttribute(name: string): string | null;
  textContent: string | null;
}

export interface AdBreak {
  /** Seconds into the content; 0 is the pre-roll. null when the offset is one we don't play. */
  offsetSeconds: number | null;
  vastUrl: string;
}

export type QuartileEvent = 'start' | 'firstQuartile' | 'midpoint' | 'thirdQuartile' | 'complete';

export interface PodAd {
  id: string;
  /** The MP4 to play, or null when the ad has none (reported as VAST error 403). */
  mediaUrl: string | null;
  impressionUrl: string | null;
  /** With `[ERRORCODE]` still in it. */
  errorUrl: string | null;
  tracking: Partial<Record<QuartileEvent, string>>;
}

/** The tallest MP4 rendition up to this height: ads are short, a small file starts fast. */
export const AD_MAX_HEIGHT = 720;

const list = (parent: XmlNode, name: string) => Array.from(parent.getElementsByTagName(name));
const text = (parent: XmlNode, name: string) => list(parent, name)[0]?.textContent?.trim() || null;

/** A VMAP timeOffset in seconds: `start`, or `HH:MM:SS(.mmm)`; null for `end`, `#n` and percentages. */
export function offsetSeconds(offset: string | null): number | null {
  if (offset === 'start') return 0;
  const parts = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(offset ?? '');
  return parts ? Number(parts[1]) * 3600 + Number(parts[2]) * 60 + Number(parts[3]) : null;
}

export function breaksOf(vmap: XmlNode): AdBreak[] {
  return list(vmap, 'vmap:AdBreak').flatMap((element) => {
    const vastUrl = text(element, 'vmap:AdTagURI');
    return vastUrl ? [{ offsetSeconds: offsetSeconds(element.getAttribute('timeOffset')), vastUrl }] : [];
  });
}

/** The pre-roll: the break at offset 0, if the schedule has one. */
export function prerollOf(breaks: readonly AdBreak[]): AdBreak | null {
  return breaks.find((adBreak) => adBreak.offsetSeconds === 0) ?? null;
}

/**
 * The mid-roll due at `position` (seconds into the content): the latest break after the start
 * that the content has reached, by playing or by a seek past it, and that has not played yet.
 * A seek past several plays only the last of them (one break, not a string of them); the ones
 * passed over are returned as `skipped`, so they don't play later either.
 */
export function dueMidroll(options: {
  breaks: readonly AdBreak[];
  played: ReadonlySet<AdBreak>;
  position: number;
}): { due: AdBreak; skipped: AdBreak[] } | null {
  const reached = options.breaks.filter(
    (adBreak) =>
      adBreak.offsetSeconds !== null &&
      adBreak.offsetSeconds > 0 &&
      adBreak.offsetSeconds <= options.position &&
      !options.played.has(adBreak),
  );
  if (reached.length === 0) return null;
  reached.sort((a, b) => a.offsetSeconds! - b.offsetSeconds!);
  return { due: reached.at(-1)!, skipped: reached.slice(0, -1) };
}

/** The pod's ads in order (VAST `sequence`, document order for ads without one). */
export function podOf(vast: XmlNode): PodAd[] {
  const ads = list(vast, 'Ad').map((ad, index) => ({ ad, index }));
  const sequence = (ad: XmlNode, index: number) => Number(ad.getAttribute('sequence') ?? '') || 1e6 + index;
  ads.sort((a, b) => sequence(a.ad, a.index) - sequence(b.ad, b.index));
  return ads.map(({ ad }) => {
    const tracking: PodAd['tracking'] = {};
    for (const element of list(ad, 'Tracking')) {
      const event = element.getAttribute('event');
      const url = element.textContent?.trim();
      if (url && isQuartileEvent(event)) tracking[event] = url;
    }
    const files = list(ad, 'MediaFile')
      .filter((file) => file.getAttribute('type') === 'video/mp4')
      .map((file) => ({
        height: Number(file.getAttribute('height')) || 0,
        url: file.textContent?.trim() ?? '',
      }))
      .filter((file) => file.url !== '')
      .sort((a, b) => a.height - b.height);
    const fitting = files.filter((file) => file.height <= AD_MAX_HEIGHT);
    const chosen = fitting.at(-1) ?? files[0];
    return {
      id: ad.getAttribute('id') ?? '',
      mediaUrl: chosen?.url ?? null,
      impressionUrl: text(ad, 'Impression'),
      errorUrl: text(ad, 'Error'),
      tracking,
    };
  });
}

function isQuartileEvent(event: string | null): event is QuartileEvent {
  return (
    event === 'start' ||
    event === 'firstQuartile' ||
    event === 'midpoint' ||
    event === 'thirdQuartile' ||
    event === 'complete'
  );
}

/** The quartile events due at this share (0…1) of an ad played, in order. */
export function quartilesReached(share: number): QuartileEvent[] {
  const due: QuartileEvent[] = [];
  if (share >= 0.25) due.push('firstQuartile');
  if (share >= 0.5) due.push('midpoint');
  if (share >= 0.75) due.push('thirdQuartile');
  return due;
}

/** VAST error codes this player reports: 403 no supported media, 405 media failed, 402 timeout. */
export function errorBeacon(errorUrl: string | null, code: 402 | 403 | 405): string | null {
  return errorUrl ? errorUrl.replace('[ERRORCODE]', String(code)) : null;
}

export function adLabel(position: number, count: number): string {
  return `Ad · ${position} of ${count}`;
}
