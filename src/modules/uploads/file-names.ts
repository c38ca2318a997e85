/**
 * Client file names are only a hint: they become part of a storage key and of what admins read,
 * so they are reduced to a short, portable, inert name. Storage keys allow [A-Za-z0-9._-] per
 * segment (storage.port.ts assertValidKey); the result always fits that.
 */

const VIDEO_EXTENSIONS = new Set([
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'webm',
  'avi',
  'ts',
  'mts',
  'm2ts',
  'mpg',
  'mpeg',
  'wmv',
  'flv',
  '3gp',
  'ogv',
  'mxf',
]);
const SUBTITLE_EXTENSIONS = new Set(['srt', 'vtt']);
const MAX_STEM = 100;

/** ffprobe's demuxer names (its `format_name`) to the extension such a file usually has. */
const extensionByFormat: ReadonlyArray<[RegExp, string]> = [
  [/^mov,mp4/, 'mp4'],
  [/^matroska,webm/, 'mkv'],
  [/^mpegts$/, 'ts'],
  [/^avi$/, 'avi'],
  [/^mpeg$/, 'mpg'],
  [/^flv$/, 'flv'],
  [/^asf$/, 'wmv'],
  [/^ogg$/, 'ogv'],
  [/^mxf/, 'mxf'],
];

export function extensionForFormat(formatName: string): string {
  return extensionByFormat.find(([pattern]) => pattern.test(formatName))?.[1] ?? 'video';
}

function splitName(name: string): { stem: string; extension: string } {
  // Only the last path segment, whichever separator the client's system uses.
  const base = name.split(/[/\\]/).pop() ?? '';
  const ascii = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-');
  const dot = ascii.lastIndexOf('.');
  const stem = dot > 0 ? ascii.slice(0, dot) : dot === 0 ? '' : ascii;
  const extension = dot >= 0 ? ascii.slice(dot + 1).toLowerCase() : '';
  return { stem, extension };
}

function cleanStem(stem: string, fallback: string): string {
  const cleaned = stem
    .replace(/\.+/g, '.')
    .replace(/-+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, MAX_STEM)
    .replace(/[.-]+$/, '');
  return cleaned || fallback;
}

/**
 * A safe name for an uploaded video: `../../etc/passwd.mp4` → `passwd.mp4`. An extension that is
 * not a video container's is replaced by the one ffprobe's format name suggests.
 */
export function safeVideoName(name: string, formatName: string): string {
  const { stem, extension } = splitName(name);
  const kept = VIDEO_EXTENSIONS.has(extension) ? extension : extensionForFormat(formatName);
  return `${cleanStem(stem, 'source')}.${kept}`;
}

/** The subtitle format a file name says (`srt` or `vtt`), or undefined for anything else. */
export function subtitleFormatOf(name: string): 'srt' | 'vtt' | undefined {
  const { extension } = splitName(name);
  return SUBTITLE_EXTENSIONS.has(extension) ? (extension as 'srt' | 'vtt') : undefined;
}

/**
 * Whether the start of a subtitle file looks like its format: WebVTT files must begin with
 * "WEBVTT" (https://www.w3.org/TR/webvtt1/#file-structure), SRT cues have "-->" timings.
 */
export function looksLikeSubtitles(format: 'srt' | 'vtt', head: string): boolean {
  const text = head.replace(/^\uFEFF/, '');
  if (format === 'vtt') return /^WEBVTT(?:[ \t\r\n]|$)/.test(text);
  return /\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}/.test(text);
}
