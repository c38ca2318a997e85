import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext } from '../identity/index.ts';
import { ARTWORK_MAX_BYTES, type ArtworkService } from './artwork.service.ts';
import { artworkUrl } from './titles.sql.ts';

/** Posters and backdrops (permission content:write); the bytes are the request's body. */
export const artworkRoutes: FastifyPluginAsyncZod<{ artwork: ArtworkService }> = async (app, { artwork }) => {
  // Artwork arrives as the raw image; the type is checked from its bytes, not this header.
  app.addContentTypeParser(
    ['image/jpeg', 'image/png', 'image/webp'],
    { parseAs: 'buffer', bodyLimit: ARTWORK_MAX_BYTES },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.put(
    '/api/admin/titles/:id/artwork/:kind',
    {
      config: { access: { permission: 'content:write' } },
      bodyLimit: ARTWORK_MAX_BYTES,
      schema: {
        operationId: 'adminPutArtwork',
        tags: ['catalog admin'],
        summary: 'Upload a poster or backdrop (the body is the JPEG, PNG or WebP image)',
        params: z.object({ id: z.uuid(), kind: z.enum(['poster', 'backdrop']) }),
        response: { 200: z.object({ url: z.string() }) },
      },
    },
    async (request) => {
      if (!Buffer.isBuffer(request.body)) throw new Error('artwork body parser did not run');
      const key = await artwork.replace({
        titleId: request.params.id,
        kind: request.params.kind,
        image: request.body,
        context: requestContext(request),
      });
      return { url: artworkUrl(key) };
    },
  );
};
