import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from '../../platform/cache/cache.port.ts';

interface Entry {
  etag: string;
  body: string;
}

/**
 * Answers from the shared cache, serialised once: the entry holds the JSON text and its ETag,
 * so a hit costs no query and no serialisation, and a client or CDN holding the same ETag gets
 * 304 Not Modified. `shared` answers (the same for everyone) may be kept by a CDN; the others
 * (profile- or region-dependent) only by the browser.
 */
export async function sendCached(options: {
  cache: Cache;
  key: string;
  ttlSeconds: number;
  shared: boolean;
  vary: string;
  request: FastifyRequest;
  reply: FastifyReply;
  compute: () => Promise<unknown>;
}): Promise<FastifyReply> {
  const { reply, request } = options;
  const hit = options.ttlSeconds > 0 ? await options.cache.get<Entry>(options.key) : undefined;
  const entry = hit ?? (await fresh(options.compute, reply));
  if (!hit && options.ttlSeconds > 0) await options.cache.set(options.key, entry, options.ttlSeconds * 1000);
  reply.header('etag', entry.etag);
  reply.header('vary', options.vary);
  reply.header(
    'cache-control',
    options.shared
      ? `public, max-age=${options.ttlSeconds}, stale-while-revalidate=${options.ttlSeconds}`
      : `private, max-age=${options.ttlSeconds}`,
  );
  const condition = request.headers['if-none-match'];
  if (condition && condition.split(',').some((tag) => tag.trim() === entry.etag || tag.trim() === '*')) {
    return reply.code(304).send();
  }
  return reply.type('application/json; charset=utf-8').send(entry.body);
}

async function fresh(compute: () => Promise<unknown>, reply: FastifyReply): Promise<Entry> {
  // The route's own serializer (its response schema, compiled), so a cached body is exactly what
  // an uncached answer would have been.
  const serialized: unknown = reply.serialize(await compute());
  const body =
    typeof serialized === 'string' ? serialized : Buffer.from(serialized as ArrayBuffer).toString('utf8');
  return { etag: `"${createHash('sha1').update(body).digest('base64url')}"`, body };
}

/** A short, stable name for a set of parameters inside a cache key. */
export const fingerprint = (value: unknown): string =>
  createHash('sha1')
    .update(JSON.stringify(value, Object.keys(value as object).sort()))
    .digest('base64url')
    .slice(0, 22);
