import { isHevcCodecs } from '../media/index.ts';
import { PlaybackPlanRequired } from './playback.errors.ts';

/**
 * Per-viewer edits of the HLS playlists our packager writes (media/hls-package.ts): drop the
 * variants above the plan's quality, and point every URI at a signed or proxied location. Pure
 * text-in, text-out; every line we don't touch is kept byte for byte (RFC 8216 §4).
 *
 * Filtering is a courtesy, not the protection: a player that fetches a hidden variant anyway
 * still can't decrypt it, because the key server refuses keys above the plan's tier.
 */

export type UriKind = 'variant' | 'media' | 'key' | 'segment' | 'map';

/** Tags whose URI attribute we rewrite, and what the URI points at. */
const URI_TAGS: Readonly<Record<string, UriKind>> = {
  'EXT-X-I-FRAME-STREAM-INF': 'variant',
  'EXT-X-MEDIA': 'media',
  'EXT-X-RENDITION-REPORT': 'media',
  'EXT-X-KEY': 'key',
  'EXT-X-SESSION-KEY': 'key',
  'EXT-X-MAP': 'map',
  'EXT-X-PART': 'segment',
  'EXT-X-PRELOAD-HINT': 'segment',
};

/**
 * Whether a picture fits a plan's cap. The cap is a rung in the ladder's sense (ladder.ts): the
 * box maxHeight × maxHeight·16/9, either way up, with 2 px for the encoder's rounding to even.
 * For 16:9 landscape video that is exactly "height ≤ maxHeight"; unlike a bare height test it
 * keeps a 720×1280 vertical variant for a 720p plan and drops a 1920×696 scope variant from it,
 * just as tierFor() files them (HD and FHD), so the playlist offers what the keys open.
 */
export function fitsHeight(options: { width: number; height: number; maxHeight: number }): boolean {
  const { width, height, maxHeight } = options;
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  return short <= maxHeight && long <= (maxHeight * 16) / 9 + 2;
}

/**
 * The master playlist with only the variants (and I-frame variants) that fit `maxHeight` and
 * whose video codec the client decodes: H.264 always, HEVC (CODECS `hvc1.`/`hev1.`) only when
 * `codecs` holds 'hevc'. Audio and subtitle groups are kept. A variant without RESOLUTION is
 * dropped: what we can't measure we don't offer. Throws PLAYBACK_PLAN_REQUIRED when no variant fits.
 */
export function filterMasterPlaylist(options: {
  text: string;
  maxHeight: number;
  codecs?: readonly string[];
}): string {
  const { text, maxHeight } = options;
  const hevc = options.codecs?.includes('hevc') ?? false;
  const lines = playlistLines(text);
  const kept: string[] = [];
  let variants = 0;
  let keptVariants = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const tag = tagOf(line);
    if (tag === 'EXT-X-STREAM-INF') {
      const uriIndex = variantUriIndex(lines, index);
      variants++;
      if (variantFits({ line, maxHeight }) && (hevc || !variantIsHevc(line))) {
        keptVariants++;
        kept.push(...lines.slice(index, uriIndex + 1));
      }
      index = uriIndex;
    } else if (tag === 'EXT-X-I-FRAME-STREAM-INF') {
      if (variantFits({ line, maxHeight }) && (hevc || !variantIsHevc(line))) kept.push(line);
    } else {
      kept.push(line);
    }
  }
  if (variants === 0) throw new Error('not a master playlist: no #EXT-X-STREAM-INF');
  if (keptVariants === 0) {
    throw PlaybackPlanRequired(`no rendition of this title fits your plan's ${maxHeight}p`, { maxHeight });
  }
  return kept.join('\n');
}

/**
 * Every URI of a master or media playlist through `rewrite`: quoted URI attributes and bare URI
 * lines (a variant's after EXT-X-STREAM-INF, otherwise a segment's). A tag we don't know that
 * carries a URI is an error rather than left pointing at an unsigned location.
 */
export function rewriteUris(options: {
  text: string;
  rewrite: (uri: string, kind: UriKind) => string;
}): string {
  const { text, rewrite } = options;
  const lines = playlistLines(text);
  let afterStreamInf = false;
  return lines
    .map((line) => {
      if (line.trim() === '') return line;
      if (!line.startsWith('#')) {
        const uri = rewrite(line.trim(), afterStreamInf ? 'variant' : 'segment');
        afterStreamInf = false;
        if (uri === '' || uri.startsWith('#') || /[\r\n]/.test(uri)) {
          throw new RangeError(`a rewritten URI must be one line that is not a tag: ${JSON.stringify(uri)}`);
        }
        return uri;
      }
      const tag = tagOf(line);
      if (tag === 'EXT-X-STREAM-INF') afterStreamInf = true;
      if (tag === undefined) return line;
      const kind = URI_TAGS[tag];
      if (kind === undefined) {
        if (/[:,]URI="/.test(line)) throw new Error(`cannot rewrite the URI of #${tag}`);
        return line;
      }
      const attributes = parseAttributeList(line.slice(tag.length + 2));
      const uriAttribute = attributes.find(([name]) => name === 'URI');
      if (!uriAttribute) return line;
      const uri = rewrite(unquote(uriAttribute[1]), kind);
      // §4.2: a quoted-string cannot hold a double quote, CR or LF.
      if (/["\r\n]/.test(uri))
        throw new RangeError(`a rewritten URI cannot be quoted: ${JSON.stringify(uri)}`);
      uriAttribute[1] = `"${uri}"`;
      return `#${tag}:${attributes.map(([name, value]) => `${name}=${value}`).join(',')}`;
    })
    .join('\n');
}

/**
 * A cap for the player's bit rate (hls.js `maxMaxBitrate`, AVPlayer `preferredPeakBitRate`): the
 * highest BANDWIDTH among the renditions that fit, or undefined when none does.
 */
export function maxBitrateFor(
  renditions: ReadonlyArray<{ width: number; height: number; bandwidth: number }>,
  maxHeight: number,
): number | undefined {
  const fitting = renditions.filter((rendition) => fitsHeight({ ...rendition, maxHeight }));
  return fitting.length === 0 ? undefined : Math.max(...fitting.map((rendition) => rendition.bandwidth));
}

/**
 * The thumbnails track (WebVTT, src/modules/media/thumbnails.ts) with each cue's sprite sheet
 * rewritten (signed, like a segment) and its `#xywh=` media fragment kept; timings, the header
 * and anything that is not a sprite reference pass through unchanged.
 */
export function rewriteThumbnailCues(options: { text: string; rewrite: (uri: string) => string }): string {
  return options.text
    .split('\n')
    .map((line) => {
      const target = /^([^\s#?]+\.(?:jpe?g|png|webp))(#xywh=\d+,\d+,\d+,\d+)\s*$/.exec(line);
      return target ? `${options.rewrite(target[1]!)}${target[2]!}` : line;
    })
    .join('\n');
}

/**
 * RFC 8216 §4.2 attribute-list: NAME=value pairs, where a quoted-string value may hold commas.
 * Values are kept as written (quotes included) so untouched attributes round-trip exactly.
 */
export function parseAttributeList(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const pattern = /([A-Z0-9-]+)=("[^"\r\n]*"|[^",\r\n]*)(?:,|$)/y;
  while (pattern.lastIndex < text.length) {
    const start = pattern.lastIndex;
    const match = pattern.exec(text);
    if (!match || match.index !== start) throw new Error(`malformed attribute list: ${text}`);
    pairs.push([match[1]!, match[2]!]);
  }
  return pairs;
}

function playlistLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.replace(/^\uFEFF/, '').trim() !== '#EXTM3U')
    throw new Error('not an HLS playlist: no #EXTM3U');
  return lines;
}

/** 'EXT-X-KEY' for '#EXT-X-KEY:…'; undefined for comments, URIs and blank lines. */
function tagOf(line: string): string | undefined {
  if (!line.startsWith('#EXT')) return undefined;
  const colon = line.indexOf(':');
  return line.slice(1, colon < 0 ? undefined : colon);
}

/** §4.3.4.2: the URI line follows the tag; only blank lines and comments may come between. */
function variantUriIndex(lines: readonly string[], tagIndex: number): number {
  for (let index = tagIndex + 1; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '' || (line.startsWith('#') && tagOf(line) === undefined)) continue;
    if (line.startsWith('#')) break;
    return index;
  }
  throw new Error(`malformed master playlist: no URI after ${lines[tagIndex]}`);
}

function variantFits(options: { line: string; maxHeight: number }): boolean {
  const tag = tagOf(options.line)!;
  const resolution = parseAttributeList(options.line.slice(tag.length + 2)).find(
    ([name]) => name === 'RESOLUTION',
  );
  const match = resolution && /^(\d+)x(\d+)$/.exec(resolution[1]);
  if (!match) return false;
  return fitsHeight({ width: Number(match[1]), height: Number(match[2]), maxHeight: options.maxHeight });
}

/** A variant whose CODECS names HEVC: a client that didn't declare it may be unable to decode it. */
function variantIsHevc(line: string): boolean {
  const tag = tagOf(line)!;
  const codecs = parseAttributeList(line.slice(tag.length + 2)).find(([name]) => name === 'CODECS');
  return codecs !== undefined && isHevcCodecs(unquote(codecs[1]));
}

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
}
