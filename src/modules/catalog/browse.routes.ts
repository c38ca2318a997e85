import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { pageSchema } from '../../shared/pagination.ts';
import { idParams } from '../../shared/schemas.ts';
import { browseTitles, busiestGenres } from './browse.queries.ts';
import type { CatalogVersion } from './catalog-version.ts';
import { TitleNotFound } from './catalog.errors.ts';
import { browseQuery, genreSchema, titleDetailSchema, titleSummarySchema } from './catalog.schemas.ts';
import { fingerprint, sendCached } from './http-cache.ts';
import { loadTitle, type Viewer } from './titles.queries.ts';
import { viewerFrom } from './viewer.ts';

export interface BrowseRoutesOptions {
  db: Kysely<DB>;
  cache: Cache;
  storage: Storage;
  clock: Clock;
  version: CatalogVersion;
  countryHeader: string | undefined;
  cacheSeconds: number;
}

const homeRow = z.object({ id: z.string(), title: z.string(), items: z.array(titleSummarySchema) });
const HOME_ROW_SIZE = 20;

/** What viewers see: browse, search, a title's page, the home screen, artwork. */
export const browseRoutes: FastifyPluginAsyncZod<BrowseRoutesOptions> = async (app, options) => {
  const { db, cache, version } = options;
  const vary = ['authorization', ...(options.countryHeader ? [options.countryHeader] : [])].join(', ');

  const viewerOf = (request: FastifyRequest): Viewer => viewerFrom(request, options);
  // What a cached answer depends on besides its parameters: who may see what.
  const audience = (viewer: Viewer) => ({ cap: viewer.maturityLimit, country: viewer.country });
  const cacheOptions = (request: FastifyRequest) => ({
    cache,
    ttlSeconds: options.cacheSeconds,
    shared: request.actor === null,
    vary,
  });

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
    async (request, reply) => {
      const viewer = viewerOf(request);
      const key = `catalog:v${await version.current()}:list:${fingerprint({ ...request.query, ...audience(viewer) })}`;
      return sendCached({
        ...cacheOptions(request),
        key,
        request,
        reply,
        compute: () => browseTitles(db, request.query, viewer),
      });
    },
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
    async (request, reply) => {
      const viewer = viewerOf(request);
      const key = `catalog:v${await version.current()}:title:${request.params.id}:${fingerprint(audience(viewer))}`;
      return sendCached({
        ...cacheOptions(request),
        key,
        request,
        reply,
        compute: async () => {
          const title = await loadTitle(db, request.params.id, viewer);
          if (!title) throw TitleNotFound();
          return title;
        },
      });
    },
  );

  app.get(
    '/api/home',
    {
      config: { access: 'optional' },
      schema: {
        operationId: 'getHome',
        tags: ['catalog'],
        summary: 'The home screen in one request: rows of titles',
        response: { 200: z.object({ rows: z.array(homeRow) }), 304: z.undefined() },
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const key = `catalog:v${await version.current()}:home:${fingerprint(audience(viewer))}`;
      return sendCached({
        ...cacheOptions(request),
        key,
        request,
        reply,
        compute: async () => {
          const page = (query: Partial<z.input<typeof browseQuery>>) =>
            browseTitles(db, browseQuery.parse({ limit: HOME_ROW_SIZE, ...query }), viewer).then(
              (result) => result.items,
            );
          const [newest, popular, topRated, genres] = await Promise.all([
            page({ sort: 'newest' }),
            page({ sort: 'popular' }),
            page({ sort: 'rating' }),
            busiestGenres(db, viewer, 6),
          ]);
          const genreRows = await Promise.all(
            genres.map(async (genre) => ({
              id: `genre:${genre.slug}`,
              title: genre.name,
              items: await page({ genre: genre.slug, sort: 'popular' }),
            })),
          );
          const rows = [
            { id: 'new', title: 'New releases', items: newest },
            { id: 'popular', title: 'Popular on Marquee', items: popular },
            { id: 'top-rated', title: 'Top rated', items: topRated },
            ...genreRows,
          ];
          return { rows: rows.filter((row) => row.items.length > 0) };
        },
      });
    },
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
    async () => ({
      genres: await db.selectFrom('genres').select(['id', 'slug', 'name']).orderBy('name').execute(),
    }),
  );

  app.get(
    '/api/maturity-ratings',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listMaturityRatings',
        tags: ['catalog'],
        summary: 'The maturity ratings in use and the age each stands for',
        response: {
          200: z.object({
            ratings: z.array(
              z.object({ code: z.string(), system: z.string(), level: z.number().int(), label: z.string() }),
            ),
          }),
        },
      },
    },
    async () => ({
      ratings: await db
        .selectFrom('maturityRatings')
        .select(['code', 'system', 'level', 'label'])
        .orderBy('position')
        .execute(),
    }),
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
