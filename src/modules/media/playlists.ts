/**
 * HLS playlists (RFC 8216), read from ffmpeg and written by us. Pure.
 */

/** Media playlists use decimal EXTINF durations (version 3) and EXT-X-KEY IVs (version 2). */
const MEDIA_PLAYLIST_VERSION = 3;
const MASTER_PLAYLIST_VERSION = 3;
/** RFC 8216 §7: EXT-X-MAP in a playlist that is not I-frames-only needs version 6. */
const FMP4_PLAYLIST_VERSION = 6;

export interface PlaylistSegment {
  uri: string;
  /** Seconds, from EXTINF. */
  duration: number;
}

/** The segments of a VOD media playlist as ffmpeg writes it. */
export function parseMediaPlaylist(text: string): PlaylistSegment[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist: no #EXTM3U');
  const segments: PlaylistSegment[] = [];
  let duration: number | undefined;
  for (const line of lines) {
    if (line.startsWith('#EXTINF:')) {
      duration = Number.parseFloat(line.slice('#EXTINF:'.length));
      if (!Number.isFinite(duration) || duration < 0) throw new Error(`bad EXTINF: ${line}`);
    } else if (line && !line.startsWith('#')) {
      if (duration === undefined) throw new Error(`segment ${line} has no EXTINF`);
      segments.push({ uri: line, duration });
      duration = undefined;
    }
  }
  if (!lines.includes('#EXT-X-ENDLIST')) throw new Error('playlist is not finished: no #EXT-X-ENDLIST');
  return segments;
}

/** The URI of a media playlist's EXT-X-MAP (its fMP4 initialization section), if it has one. */
export function parseMapUri(text: string): string | undefined {
  const line = text.split(/\r?\n/).find((entry) => entry.startsWith('#EXT-X-MAP:'));
  return line ? /URI="([^"\r\n]*)"/.exec(line)?.[1] : undefined;
}

export interface SegmentEncryption {
  /** Where the player fetches the key, e.g. '/api/keys/<keyId>'. */
  uri: string;
  iv: Uint8Array;
}

/**
 * A VOD media playlist. An EXT-X-KEY line is written wherever the key changes, so with
 * rotation every segment after it is decrypted with the new key and IV (RFC 8216 §4.3.2.4).
 */
export function renderMediaPlaylist(options: {
  segments: ReadonlyArray<PlaylistSegment & { encryption?: SegmentEncryption }>;
  /**
   * fMP4: the initialization section (EXT-X-MAP, version 6 per §7). Written before the first
   * EXT-X-KEY, so it is not encrypted: it holds the codec configuration, no picture.
   */
  map?: string;
}): string {
  const { segments, map } = options;
  // §4.3.3.1: every EXTINF, rounded to the nearest integer, must be ≤ the target duration.
  const targetDuration = Math.max(1, ...segments.map((segment) => Math.round(segment.duration)));
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${map === undefined ? MEDIA_PLAYLIST_VERSION : FMP4_PLAYLIST_VERSION}`,
    `#EXT-X-TARGETDURATION:${targetDuration}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...(map === undefined ? [] : [`#EXT-X-MAP:URI=${quoted(map)}`]),
  ];
  let currentKey: string | undefined;
  for (const segment of segments) {
    const key = segment.encryption;
    const keyLine = key
      ? `#EXT-X-KEY:METHOD=AES-128,URI=${quoted(key.uri)},IV=0x${Buffer.from(key.iv).toString('hex')}`
      : '#EXT-X-KEY:METHOD=NONE';
    if (keyLine !== currentKey && (key || currentKey !== undefined)) lines.push(keyLine);
    currentKey = keyLine;
    lines.push(`#EXTINF:${segment.duration.toFixed(6)},`, segment.uri);
  }
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

/** A WebVTT file served whole, as one segment. */
export function renderSubtitlePlaylist(options: { uri: string; durationSeconds: number }): string {
  const duration = Math.max(0.001, options.durationSeconds);
  return [
    '#EXTM3U',
    `#EXT-X-VERSION:${MEDIA_PLAYLIST_VERSION}`,
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(duration))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${duration.toFixed(6)},`,
    options.uri,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

export interface MasterVariant {
  uri: string;
  /** Peak bits per second of the variant with its largest audio rendition. */
  bandwidth: number;
  averageBandwidth: number;
  width: number;
  height: number;
  codecs: string;
  frameRate: number;
}

export interface MasterRendition {
  uri: string;
  /** RFC 5646, or 'und' (then omitted). */
  language: string;
  name: string;
  isDefault: boolean;
  /** Audio only: channel count. */
  channels?: number;
  /** Subtitles only: shown even when the viewer hasn't turned subtitles on. */
  forced?: boolean;
}

export const AUDIO_GROUP = 'aud';
export const SUBTITLE_GROUP = 'subs';

/** The multivariant playlist: audio and subtitle groups, then the variants from low to high. */
export function renderMasterPlaylist(options: {
  variants: readonly MasterVariant[];
  audio?: readonly MasterRendition[];
  subtitles?: readonly MasterRendition[];
}): string {
  const { variants, audio = [], subtitles = [] } = options;
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${MASTER_PLAYLIST_VERSION}`, '#EXT-X-INDEPENDENT-SEGMENTS', ''];
  for (const track of audio) {
    lines.push(
      '#EXT-X-MEDIA:' +
        attributes([
          ['TYPE', 'AUDIO'],
          ['GROUP-ID', quoted(AUDIO_GROUP)],
          ['LANGUAGE', track.language === 'und' ? undefined : quoted(track.language)],
          ['NAME', quoted(track.name)],
          ['DEFAULT', track.isDefault ? 'YES' : 'NO'],
          ['AUTOSELECT', 'YES'],
          ['CHANNELS', track.channels === undefined ? undefined : quoted(String(track.channels))],
          ['URI', quoted(track.uri)],
        ]),
    );
  }
  for (const track of subtitles) {
    lines.push(
      '#EXT-X-MEDIA:' +
        attributes([
          ['TYPE', 'SUBTITLES'],
          ['GROUP-ID', quoted(SUBTITLE_GROUP)],
          ['LANGUAGE', track.language === 'und' ? undefined : quoted(track.language)],
          ['NAME', quoted(track.name)],
          ['DEFAULT', track.isDefault ? 'YES' : 'NO'],
          ['AUTOSELECT', 'YES'],
          ['FORCED', track.forced ? 'YES' : 'NO'],
          ['URI', quoted(track.uri)],
        ]),
    );
  }
  if (audio.length > 0 || subtitles.length > 0) lines.push('');
  for (const variant of [...variants].sort((a, b) => a.bandwidth - b.bandwidth)) {
    lines.push(
      '#EXT-X-STREAM-INF:' +
        attributes([
          ['BANDWIDTH', String(Math.ceil(variant.bandwidth))],
          ['AVERAGE-BANDWIDTH', String(Math.ceil(variant.averageBandwidth))],
          ['RESOLUTION', `${variant.width}x${variant.height}`],
          ['CODECS', quoted(variant.codecs)],
          ['FRAME-RATE', variant.frameRate.toFixed(3)],
          ['AUDIO', audio.length > 0 ? quoted(AUDIO_GROUP) : undefined],
          ['SUBTITLES', subtitles.length > 0 ? quoted(SUBTITLE_GROUP) : undefined],
        ]),
      variant.uri,
    );
  }
  lines.push('');
  return lines.join('\n');
}

function attributes(pairs: ReadonlyArray<[string, string | undefined]>): string {
  return pairs
    .filter((pair): pair is [string, string] => pair[1] !== undefined)
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
}

/** §4.2: a quoted-string holds no double quote, CR or LF. Titles come from uploads, so strip them. */
function quoted(value: string): string {
  return `"${value.replace(/["\r\n]/g, (character) => (character === '"' ? "'" : ' '))}"`;
}
