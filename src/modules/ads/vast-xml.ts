/**
 * VMAP 1.0 and VAST 4.2 documents, built as strings by pure functions.
 * VMAP: https://www.iab.com/guidelines/vmap/ · VAST 4.2: https://iabtechlab.com/standards/vast/
 * URLs are root-relative, like every URL this API hands a player (resolved against the address
 * the document was fetched from).
 */
import type { AdBreak } from './decisioning.ts';

export const trackingEvents = [
  'start',
  'firstQuartile',
  'midpoint',
  'thirdQuartile',
  'complete',
  'skip',
] as const;
export const beaconEvents = ['impression', ...trackingEvents, 'click', 'error'] as const;
export type BeaconEvent = (typeof beaconEvents)[number];

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
export const xmlEscape = (value: string): string => value.replace(/[&<>"']/g, (c) => escapes[c]!);
const cdata = (value: string): string => `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/** `HH:MM:SS.mmm`, as VAST Duration and VMAP timeOffset spell a time. */
export function clockTime(seconds: number): string {
  const ms = Math.round(Math.max(0, seconds) * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** The session's schedule: one linear AdBreak per break, each asking our VAST endpoint. */
export function buildVmap(options: {
  breaks: readonly AdBreak[];
  vastUrl: (index: number) => string;
}): string {
  const breaks = options.breaks.map((adBreak) => {
    const offset = adBreak.offsetSeconds === 0 ? 'start' : clockTime(adBreak.offsetSeconds);
    return (
      `<vmap:AdBreak timeOffset="${offset}" breakType="linear" breakId="break-${adBreak.index}">` +
      `<vmap:AdSource id="break-${adBreak.index}-ads" allowMultipleAds="true" followRedirects="true">` +
      `<vmap:AdTagURI templateType="vast4">${cdata(options.vastUrl(adBreak.index))}</vmap:AdTagURI>` +
      `</vmap:AdSource></vmap:AdBreak>`
    );
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<vmap:VMAP xmlns:vmap="http://www.iab.net/videosuite/vmap" version="1.0">${breaks.join('')}</vmap:VMAP>`
  );
}

export interface ServedAd {
  /** The ad instance: every beacon of this showing names it. */
  instanceId: string;
  sequence: number;
  campaignId: string;
  campaignName: string;
  advertiserName: string;
  creativeId: string;
  creativeName: string;
  durationSeconds: number;
  clickThroughUrl: string;
  companionImageUrl: string | null;
  mediaFiles: ReadonlyArray<{ url: string; width: number; height: number; bitrateKbps: number }>;
  /** A signed beacon URL per event (the error one carries the [ERRORCODE] macro). */
  beacons: Readonly<Record<BeaconEvent, string>>;
}

export const AD_SYSTEM = 'Marquee';
/** Skippable after this long (VAST `skipoffset`). */
export const SKIP_OFFSET_SECONDS = 5;

/** What an ad's XML says that does not change from one showing to the next (campaign and creative). */
export type AdCopy = Omit<ServedAd, 'instanceId' | 'sequence' | 'beacons'>;

/**
 * Writes one beacon URL of a showing into the document, as pieces pushed onto `out` (it lands
 * inside a CDATA section, so it must not contain `]]>`). The decision service pushes its signed
 * URL's parts; `buildVast` pushes any URL, escaped.
 */
export type BeaconWriter = (out: string[], event: BeaconEvent) => void;

/**
 * The XML of one showing of an ad, pushed onto `out` as pieces: the document is joined once at
 * the end. (Joining an array makes one flat string; the same pieces concatenated make a tree of
 * a few hundred nodes that V8 flattens again when writing the response, which measured as much
 * as a fifth of a decision: docs/PERFORMANCE.md.)
 */
export type InlineAdTemplate = (
  out: string[],
  instanceId: string,
  sequence: number,
  beacon: BeaconWriter,
) => void;

/**
 * An ad's `<Ad>` element as a template: everything but the showing's instance id, sequence and
 * beacon URLs is rendered (escaped, CDATA-wrapped, times formatted) once here, so a decision
 * serving the same creative again only splices those in. The decision service keeps one per
 * creative of its in-memory campaigns (a reload makes new creatives, hence new templates).
 */
export function inlineAdTemplate(ad: AdCopy): InlineAdTemplate {
  const mediaFiles = ad.mediaFiles
    .map(
      (file) =>
        `<MediaFile delivery="progressive" type="video/mp4" width="${file.width}" height="${file.height}" bitrate="${file.bitrateKbps}" codec="avc1.42E01E, mp4a.40.2">${cdata(file.url)}</MediaFile>`,
    )
    .join('');
  const companion = ad.companionImageUrl
    ? `<Creative id="${ad.creativeId}-companion"><CompanionAds><Companion width="300" height="250">` +
      `<StaticResource creativeType="image/jpeg">${cdata(ad.companionImageUrl)}</StaticResource>` +
      `<CompanionClickThrough>${cdata(ad.clickThroughUrl)}</CompanionClickThrough>` +
      `</Companion></CompanionAds></Creative>`
    : '';
  const opened = `"><InLine><AdSystem version="1">${AD_SYSTEM}</AdSystem><AdServingId>`;
  const titled =
    `</AdServingId><AdTitle>${xmlEscape(ad.creativeName)}</AdTitle>` +
    `<Advertiser>${xmlEscape(ad.advertiserName)}</Advertiser><Error><![CDATA[`;
  const creativeOpen =
    `]]></Impression><Creatives><Creative id="${ad.creativeId}" sequence="1" adId="${ad.campaignId}">` +
    `<UniversalAdId idRegistry="marquee">${ad.creativeId}</UniversalAdId>` +
    `<Linear skipoffset="${clockTime(SKIP_OFFSET_SECONDS)}">` +
    `<Duration>${clockTime(ad.durationSeconds)}</Duration><TrackingEvents><Tracking event="start"><![CDATA[`;
  const tracking = (event: BeaconEvent) => `]]></Tracking><Tracking event="${event}"><![CDATA[`;
  const clickThrough =
    `]]></Tracking></TrackingEvents><VideoClicks><ClickThrough id="${ad.creativeId}">` +
    `${cdata(ad.clickThroughUrl)}</ClickThrough><ClickTracking><![CDATA[`;
  const tail = `]]></ClickTracking></VideoClicks><MediaFiles>${mediaFiles}</MediaFiles></Linear></Creative>${companion}</Creatives></InLine></Ad>`;
  const [firstQuartile, midpoint, thirdQuartile, complete, skip] = (
    ['firstQuartile', 'midpoint', 'thirdQuartile', 'complete', 'skip'] as const
  ).map(tracking);
  return (out, instanceId, sequence, beacon) => {
    out.push('<Ad id="', instanceId, '" sequence="', String(sequence), opened, instanceId, titled);
    beacon(out, 'error');
    out.push(']]></Error><Impression id="', instanceId, '"><![CDATA[');
    beacon(out, 'impression');
    out.push(creativeOpen);
    beacon(out, 'start');
    out.push(firstQuartile!);
    beacon(out, 'firstQuartile');
    out.push(midpoint!);
    beacon(out, 'midpoint');
    out.push(thirdQuartile!);
    beacon(out, 'thirdQuartile');
    out.push(complete!);
    beacon(out, 'complete');
    out.push(skip!);
    beacon(out, 'skip');
    out.push(clickThrough);
    beacon(out, 'click');
    out.push(tail);
  };
}

const VAST_OPEN = `<?xml version="1.0" encoding="UTF-8"?><VAST version="4.2" xmlns="http://www.iab.com/VAST">`;

/**
 * A VAST 4.2 response around the showings `render` pushes: an ad pod of Inline ads (sequence
 * 1…n), or — for a break nobody fills — an empty `<VAST>`, which the spec defines as "no ad"
 * (VAST 4.2 §2.3.6.1).
 */
export function vastDocument(render: (out: string[]) => void): string {
  const out = [VAST_OPEN];
  render(out);
  out.push('</VAST>');
  return out.join('');
}

/** A VAST 4.2 response of showings with any beacon URLs (escaped into their CDATA sections). */
export function buildVast(ads: readonly ServedAd[]): string {
  return vastDocument((out) => {
    for (const ad of ads)
      inlineAdTemplate(ad)(out, ad.instanceId, ad.sequence, (pieces, event) =>
        pieces.push(ad.beacons[event].replaceAll(']]>', ']]]]><![CDATA[>')),
      );
  });
}
