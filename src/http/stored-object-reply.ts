import type { FastifyReply } from 'fastify';
import type { ObjectBody } from '../platform/storage/storage.port.ts';

/** A single `bytes=a-b` / `bytes=a-` range (what players send); anything else is served whole. */
export function parseRange(header: string | undefined): { start: number; end?: number } | undefined {
  const match = header ? /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const start = Number(match[1]);
  return match[2] ? { start, end: Number(match[2]) } : { start };
}

/** Sends a stored object (whole, or the range asked for: 206 with Content-Range). */
export function sendStoredObject(
  reply: FastifyReply,
  object: ObjectBody,
  options: { contentType: string; cacheControl: string },
): FastifyReply {
  reply
    .header('content-type', options.contentType)
    .header('content-length', object.contentLength)
    .header('accept-ranges', 'bytes')
    .header('etag', object.etag)
    .header('cache-control', options.cacheControl);
  if (object.range) {
    reply.code(206).header('content-range', `bytes ${object.range.start}-${object.range.end}/${object.size}`);
  }
  return reply.send(object.body);
}
