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
 * A document being written, as bytes into one growing Buffer, then read out once as a string. A
 * VAST pod is ~5.7 KB of which most is the same for every showing of a creative: its templates
 * hold those parts already encoded (UTF-8), so a showing copies them and writes only its own ASCII
 * parts (an instance id, a sequence, beacon URLs, tags) — no nine tag strings per ad and no join
 * of ~200 pieces (a join measured ~7 µs of a 6 KB answer's ~20 µs in a bare server).
 *
 * The buffer is reused from one document to the next (`reset`), and the answer leaves as a flat
 * string (`toText`): a fresh Buffer per answer is memory outside V8's heap, ~8 KB a request,
 * which V8 weighs when deciding to collect the whole heap; in a process with a large heap it
 * measured four times slower than this, and slower than the join it replaced (docs/PERFORMANCE.md).
 */
export class VastOutput {
  #bytes: Buffer;
  #length = 0;

  constructor(capacity = 8192) {
    this.#bytes = Buffer.allocUnsafe(capacity);
  }

  #reserve(size: number): void {
    if (this.#length + size <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.#bytes.length, this.#length + size));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }

  /** Bytes encoded beforehand (a template's static parts). */
  bytes(chunk: Uint8Array): void {
    this.#reserve(chunk.length);
    this.#bytes.set(chunk, this.#length);
    this.#length += chunk.length;
  }

  /** Text of ours that is ASCII by construction (UUIDs, numbers, our paths); one byte per character. */
  ascii(text: string): void {
    this.#reserve(text.length);
    this.#length += this.#bytes.write(text, this.#length, 'latin1');
  }

  /** Any text, UTF-8. */
  utf8(text: string): void {
    const size = Buffer.byteLength(text);
    this.#reserve(size);
    this.#length += this.#bytes.write(text, this.#length, size, 'utf8');
  }

  /** `source[start, end)` in base64url without padding, as `Buffer#toString('base64url')` spells it. */
  base64url(source: Uint8Array, start: number, end: number): void {
    this.#reserve(Math.ceil(((end - start) * 4) / 3));
    const out = this.#bytes;
    let at = this.#length;
    let index = start;
    for (; index + 3 <= end; index += 3) {
      const triple = (source[index]! << 16) | (source[index + 1]! << 8) | source[index + 2]!;
      out[at++] = BASE64URL[triple >>> 18]!;
      out[at++] = BASE64URL[(triple >>> 12) & 63]!;
      out[at++] = BASE64URL[(triple >>> 6) & 63]!;
      out[at++] = BASE64URL[triple & 63]!;
    }
    const left = end - index;
    if (left > 0) {
      const pair = (source[index]! << 16) | (left === 2 ? source[index + 1]! << 8 : 0);
      out[at++] = BASE64URL[pair >>> 18]!;
      out[at++] = BASE64URL[(pair >>> 12) & 63]!;
      if (left === 2) out[at++] = BASE64URL[(pair >>> 6) & 63]!;
    }
    this.#length = at;
  }

  /** Starts a new document in the same buffer. */
  reset(): void {
    this.#length = 0;
  }

  /** The document written, as text (the bytes are UTF-8). */
  toText(): string {
    return this.#bytes.toString('utf8', 0, this.#length);
  }

  /** The bytes written (a view of this output's buffer: valid until the next `reset`). */
  toBuffer(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }
}

const BASE64URL = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');

/**
 * Writes one beacon URL of a showing into the document (it lands inside a CDATA section, so it
 * must not contain `]]>`). The decision service writes its signed URL's parts; `buildVast` writes
 * any URL, escaped.
 */
export type BeaconWriter = (out: VastOutput, event: BeaconEvent) => void;

/** The XML of one showing of an ad, written onto `out`. */
export type InlineAdTemplate = (
  out: VastOutput,
  /** The instance id, XML-safe and encoded (the decision service's UUID, as bytes). */
  instanceId: Uint8Array,
  sequence: number,
  beacon: BeaconWriter,
) => void;

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/**
 * An ad's `<Ad>` element as a template: everything but the showing's instance id, sequence and
 * beacon URLs is rendered (escaped, CDATA-wrapped, times formatted, encoded) once here, so a
 * decision serving the same creative again only splices those in. The decision service keeps one
 * per creative of its in-memory campaigns (a reload makes new creatives, hence new templates).
 */
export function inlineAdTemplate(ad: AdCopy): InlineAdTemplate {
  const mediaFiles = ad.mediaFiles
    .map(
      (file) =>
        `<MediaFile delivery="progressive" type="video/mp4" width="${file.width}" height="${file.height}" bitrate="${file.bitrateKbps}" codec="avc1.42E01E, mp4a.40.2">${cdata(file.url)}</MediaFile>`,
    )
    .join('');
  const companion = ad.companionImageUrl
    ? `<Creative id="${xmlEscape(ad.creativeId)}-companion"><CompanionAds><Companion width="300" height="250">` +
      `<StaticResource creativeType="image/jpeg">${cdata(ad.companionImageUrl)}</StaticResource>` +
      `<CompanionClickThrough>${cdata(ad.clickThroughUrl)}</CompanionClickThrough>` +
      `</Companion></CompanionAds></Creative>`
    : '';
  const adOpen = utf8('<Ad id="');
  const sequenceOpen = utf8('" sequence="');
  const opened = utf8(`"><InLine><AdSystem version="1">${AD_SYSTEM}</AdSystem><AdServingId>`);
  const titled = utf8(
    `</AdServingId><AdTitle>${xmlEscape(ad.creativeName)}</AdTitle>` +
      `<Advertiser>${xmlEscape(ad.advertiserName)}</Advertiser><Error><![CDATA[`,
  );
  const impressionOpen = utf8(']]></Error><Impression id="');
  const impressionUrl = utf8('"><![CDATA[');
  const creativeOpen = utf8(
    `]]></Impression><Creatives><Creative id="${xmlEscape(ad.creativeId)}" sequence="1" adId="${xmlEscape(ad.campaignId)}">` +
      `<UniversalAdId idRegistry="marquee">${xmlEscape(ad.creativeId)}</UniversalAdId>` +
      `<Linear skipoffset="${clockTime(SKIP_OFFSET_SECONDS)}">` +
      `<Duration>${clockTime(ad.durationSeconds)}</Duration><TrackingEvents><Tracking event="start"><![CDATA[`,
  );
  const tracking = (event: BeaconEvent) => utf8(`]]></Tracking><Tracking event="${event}"><![CDATA[`);
  const clickThrough = utf8(
    `]]></Tracking></TrackingEvents><VideoClicks><ClickThrough id="${xmlEscape(ad.creativeId)}">` +
      `${cdata(ad.clickThroughUrl)}</ClickThrough><ClickTracking><![CDATA[`,
  );
  const tail = utf8(
    `]]></ClickTracking></VideoClicks><MediaFiles>${mediaFiles}</MediaFiles></Linear></Creative>${companion}</Creatives></InLine></Ad>`,
  );
  const [firstQuartile, midpoint, thirdQuartile, complete, skip] = (
    ['firstQuartile', 'midpoint', 'thirdQuartile', 'complete', 'skip'] as const
  ).map(tracking);
  return (out, instanceId, sequence, beacon) => {
    out.bytes(adOpen);
    out.bytes(instanceId);
    out.bytes(sequenceOpen);
    out.ascii(String(sequence));
    out.bytes(opened);
    out.bytes(instanceId);
    out.bytes(titled);
    beacon(out, 'error');
    out.bytes(impressionOpen);
    out.bytes(instanceId);
    out.bytes(impressionUrl);
    beacon(out, 'impression');
    out.bytes(creativeOpen);
    beacon(out, 'start');
    out.bytes(firstQuartile!);
    beacon(out, 'firstQuartile');
    out.bytes(midpoint!);
    beacon(out, 'midpoint');
    out.bytes(thirdQuartile!);
    beacon(out, 'thirdQuartile');
    out.bytes(complete!);
    beacon(out, 'complete');
    out.bytes(skip!);
    beacon(out, 'skip');
    out.bytes(clickThrough);
    beacon(out, 'click');
    out.bytes(tail);
  };
}

const VAST_OPEN = utf8(
  `<?xml version="1.0" encoding="UTF-8"?><VAST version="4.2" xmlns="http://www.iab.com/VAST">`,
);
const VAST_CLOSE = utf8('</VAST>');

/**
 * A VAST 4.2 response around the showings `render` writes: an ad pod of Inline ads (sequence
 * 1…n), or — for a break nobody fills — an empty `<VAST>`, which the spec defines as "no ad"
 * (VAST 4.2 §2.3.6.1). `out`: a writer to reuse (the decision service keeps one).
 */
export function vastDocument(render: (out: VastOutput) => void, out = new VastOutput()): string {
  out.reset();
  out.bytes(VAST_OPEN);
  render(out);
  out.bytes(VAST_CLOSE);
  return out.toText();
}

/** A VAST 4.2 response of showings with any beacon URLs (escaped into their CDATA sections). */
export function buildVast(ads: readonly ServedAd[]): string {
  return vastDocument((out) => {
    for (const ad of ads)
      inlineAdTemplate(ad)(out, utf8(xmlEscape(ad.instanceId)), ad.sequence, (writer, event) =>
        writer.utf8(ad.beacons[event].replaceAll(']]>', ']]]]><![CDATA[>')),
      );
  });
}
