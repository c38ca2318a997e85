import type { Readable } from 'node:stream';
import { defineError } from '../../shared/errors.ts';

/**
 * Object storage: a local directory by default, S3 (or anything speaking its API) by config.
 * Keys are slash-separated relative paths; the content type of an object follows from its key's
 * extension on every adapter, so a playlist is always served as a playlist.
 */
export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string;
  etag: string;
  lastModified: Date;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive; omitted means to the end. */
  end?: number;
}

export interface ObjectBody extends ObjectInfo {
  body: Readable;
  /** The bytes actually in `body` (the range's length for a ranged read). */
  contentLength: number;
  range: { start: number; end: number } | undefined;
}

export interface Storage {
  readonly kind: 'local' | 's3';
  /** Writes an object atomically: readers see the old object or the whole new one, never a part. */
  put(key: string, body: Buffer | Uint8Array | string | Readable): Promise<ObjectInfo>;
  get(key: string, options?: { range?: ByteRange }): Promise<ObjectBody>;
  head(key: string): Promise<ObjectInfo | undefined>;
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (which must end with '/'). */
  deletePrefix(prefix: string): Promise<number>;
  list(prefix: string): AsyncIterable<ObjectInfo>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const ObjectNotFound = defineError('STORAGE_OBJECT_NOT_FOUND', 'not_found', 'No such stored object');
export const RangeNotSatisfiable = defineError(
  'STORAGE_RANGE_NOT_SATISFIABLE',
  'range_not_satisfiable',
  'Range not satisfiable',
);
export const InvalidObjectKey = defineError('STORAGE_INVALID_KEY', 'invalid', 'Invalid storage key');

const KEY = /^[A-Za-z0-9_][A-Za-z0-9._\-/]*$/;

/** Rejects anything that could escape the storage root or mean different things on disk and S3. */
export function assertValidKey(key: string, options: { prefix?: boolean } = {}): void {
  const valid =
    key.length > 0 &&
    key.length <= 1024 &&
    KEY.test(key) &&
    !key
      .split('/')
      .some(
        (segment, index, all) =>
          segment === '.' ||
          segment === '..' ||
          (segment === '' && !(options.prefix && index === all.length - 1)),
      );
  if (!valid) throw InvalidObjectKey(`"${key.slice(0, 80)}" is not a valid storage key`);
  if (options.prefix && !key.endsWith('/')) throw InvalidObjectKey('a prefix must end with "/"');
}

const contentTypes: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  key: 'application/octet-stream',
};

export function contentTypeFor(key: string): string {
  const dot = key.lastIndexOf('.');
  const slash = key.lastIndexOf('/');
  if (dot <= slash) return 'application/octet-stream';
  return contentTypes[key.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}

/** Resolves a requested range against an object's size (RFC 9110 §14.1.2 semantics). */
export function resolveRange(
  range: ByteRange | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (!range) return undefined;
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (range.start < 0 || range.start >= size || end < range.start) {
    throw RangeNotSatisfiable(`bytes ${range.start}-${range.end ?? ''} of an object of ${size} bytes`, {
      size,
    });
  }
  return { start: range.start, end };
}
