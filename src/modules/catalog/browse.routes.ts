import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { pageSchema } from '../../shared/pagination.ts';
import { idParams } from '../../shared/schemas.ts';
import type { BrowseService } from './browse.service.ts';
import type { CatalogVersion } from './catalog-version.ts';
import {
  browseQuery,
  genreSchema,
  homeSchema,
  maturityRatingSchema,
  titleDetailSchema,
  titleSummarySchema,
} from './catalog.schemas.ts';
import { fingerprint, sendCached } from './http-cache.ts';
import { viewerFrom, type Viewer } from './viewer.ts';

export interface BrowseRoutesOptions {
  browse: BrowseService;
  cache: Cache;
  storage: Storage;
  clock: Clock;
  version: CatalogVersion;
  countryHeader: string | undefined;
  cacheSeconds: number;
}

/** What viewers see: browse, search, a title's page, the home screen, artwork. */
export const browseRoutes: FastifyPluginAsyncZod<BrowseRoutesOptions> = async (app, options) => {
  const { browse, version } = options;
  const vary = ['authorization', ...(options.countryHeader ? [options.countryHeader] : [])].join(', ');

  /**
   * Answers from the shared cache under a key naming the catalog version, what was asked and
   * what the answer depends on besides: who may see what (the viewer's cap and country).
   */
  async function cached({
    request,
    reply,
    name,
    compute,
  }: {
    request: FastifyRequest;
    reply: FastifyReply;
    name: string;
    compute: (viewer: Viewer) => Promise<unknown>;
  }): Promise<FastifyReply> {
    const viewer = viewerFrom(request, options);
    const audience = { cap: viewer.maturityLimit, country: viewer.country };
    return sendCached({
      cache: options.cache,
      ttlSeconds: options.cacheSeconds,
      shared: request.actor === null,
      vary,
      key: `catalog:v${await version.current()}:${name}:${fingerprint(audience)}`,
      request,
      reply,
      compute: () => compute(viewer),
    });
  }

  app.get(
    '/api/videos',
    {
      config: { access: 'optional' },
      schema: {
        operationId: 'listTitles',
        tags: ['catalog'],
        summary: 'Browse and search published titles',
        description:
          'Filters combine. Signed in, the active profile’s maturity limit applies. Pages with `cursor` stay stable ' +
          'while titles are added. Answers carry an ETag and honour If-None-Match.',
        querystring: browseQuery,
        response: { 200: pageSchema(titleSummarySchema), 304: z.undefined() },
      },
    },
    async (request, reply) =>
      cached({
        request,
        reply,
        name: `list:${fingerprint(request.query)}`,
        compute: (viewer) => browse.list(request.query, viewer),
      }),
  );

  app.get(
    '/api/titles/:id',
    {
      config: { access: 'optional' },
      schema: {
        operationId: 'getTitle',
        tags: ['catalog'],
        summary: 'A title: details, cast and crew, seasons and episodes',
        params: idParams,
        response: { 200: titleDetailSchema, 304: z.undefined() },
      },
    },
    async (request, reply) =>
      cached({
        request,
        reply,
        name: `title:${request.params.id}`,
        compute: (viewer) => browse.title(request.params.id, viewer),
      }),
  );

  app.get(
    '/api/home',
    {
      config: { access: 'optional' },
      schema: {
        operationId: 'getHome',
        tags: ['catalog'],
        summary: 'The home screen in one request: rows of titles',
        response: { 200: homeSchema, 304: z.undefined() },
      },
    },
    async (request, reply) =>
      cached({ request, reply, name: 'home', compute: (viewer) => browse.home(viewer) }),
  );

  app.get(
    '/api/genres',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listGenres',
        tags: ['catalog'],
        summary: 'All genres',
        response: { 200: z.object({ genres: z.array(genreSchema) }) },
      },
    },
    async () => ({ genres: await browse.genres() }),
  );

  app.get(
    '/api/maturity-ratings',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listMaturityRatings',
        tags: ['catalog'],
        summary: 'The maturity ratings in use and the age each stands for',
        response: { 200: z.object({ ratings: z.array(maturityRatingSchema) }) },
      },
    },
    async () => ({ ratings: await browse.maturityRatings() }),
  );

  app.get(
    '/api/artwork/*',
    {
      schema: { tags: ['catalog'], summary: 'A poster or backdrop image', hide: true },
      config: { access: 'public', quiet: true },
    },
    async (request, reply) => {
      const key = `artwork/${(request.params as { '*': string })['*']}`;
      const object = await options.storage.get(key);
      // Content-addressed keys never change meaning: cache for a year.
      return reply
        .header('content-type', object.contentType)
        .header('content-length', object.contentLength)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', object.etag)
        .send(object.body);
    },
  );
};
