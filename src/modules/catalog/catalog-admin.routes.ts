import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import { ARTWORK_MAX_BYTES, type ArtworkService } from './artwork.service.ts';
import {
  adminTitleSchema,
  episodeInput,
  episodePatch,
  genreInput,
  genreSchema,
  personInput,
  personPatch,
  personSchema,
  seasonInput,
  seasonPatch,
  titleInput,
  titlePatch,
} from './catalog.schemas.ts';
import { IMPORT_MAX_ROWS, type ImportService } from './import.service.ts';
import type { LibraryService } from './library.service.ts';
import type { TitlesService } from './titles.service.ts';

export interface CatalogAdminRoutesOptions {
  titles: TitlesService;
  library: LibraryService;
  artwork: ArtworkService;
  importer: ImportService;
}

const tags = ['catalog admin'];
const created = z.object({ id: z.uuid() });
const importReport = z.object({
  created: z.number().int(),
  failed: z.number().int(),
  rows: z.array(
    z.object({
      row: z.number().int(),
      status: z.enum(['created', 'error']),
      id: z.uuid().optional(),
      title: z.string().optional(),
      errors: z.array(z.string()).optional(),
    }),
  ),
});

/** Content management (permission content:write): titles, seasons, episodes, people, genres, artwork, import. */
export const catalogAdminRoutes: FastifyPluginAsyncZod<CatalogAdminRoutesOptions> = async (app, options) => {
  const { titles, library, artwork, importer } = options;

  // Artwork arrives as the raw image; the type is checked from its bytes, not this header.
  app.addContentTypeParser(
    ['image/jpeg', 'image/png', 'image/webp'],
    { parseAs: 'buffer', bodyLimit: ARTWORK_MAX_BYTES },
    (_request, body, done) => {
      done(null, body);
    },
  );
  app.addContentTypeParser(
    ['text/csv'],
    { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.post(
    '/api/admin/titles',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminCreateTitle',
        tags,
        summary: 'Create a title (a draft)',
        body: titleInput,
        response: { 201: adminTitleSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await titles.create(request.body, requestContext(request))),
  );

  app.get(
    '/api/admin/titles/:id',
    {
      config: { access: { permission: 'content:read-unpublished' } },
      schema: {
        operationId: 'adminGetTitle',
        tags,
        summary: 'A title as admins see it, drafts included',
        params: idParams,
        response: { 200: adminTitleSchema },
      },
    },
    async (request) => titles.get(request.params.id),
  );

  app.patch(
    '/api/admin/titles/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminUpdateTitle',
        tags,
        summary: 'Change a title',
        params: idParams,
        body: titlePatch,
        response: { 200: adminTitleSchema },
      },
    },
    async (request) => titles.update(request.params.id, request.body, requestContext(request)),
  );

  app.delete(
    '/api/admin/titles/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminDeleteTitle',
        tags,
        summary: 'Delete a title, its seasons and episodes',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const { artworkKeys } = await titles.delete(request.params.id, requestContext(request));
      await artwork.deleteKeys(artworkKeys);
      return reply.status(204).send();
    },
  );

  for (const [action, published] of [
    ['publish', true],
    ['unpublish', false],
  ] as const) {
    app.post(
      `/api/admin/titles/:id/${action}`,
      {
        config: { access: { permission: 'content:write' } },
        schema: {
          operationId: published ? 'adminPublishTitle' : 'adminUnpublishTitle',
          tags,
          summary: published
            ? 'Publish a title (visible from its publishAt, if any)'
            : 'Hide a published title (archived)',
          params: idParams,
          response: { 200: adminTitleSchema },
        },
      },
      async (request) => titles.setPublished(request.params.id, published, requestContext(request)),
    );
  }

  app.put(
    '/api/admin/titles/:id/artwork/:kind',
    {
      config: { access: { permission: 'content:write' } },
      bodyLimit: ARTWORK_MAX_BYTES,
      schema: {
        operationId: 'adminPutArtwork',
        tags,
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
      return { url: `/api/artwork/${key.slice('artwork/'.length)}` };
    },
  );

  app.post(
    '/api/admin/titles/:id/seasons',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminCreateSeason',
        tags,
        summary: 'Add a season to a series',
        params: idParams,
        body: seasonInput,
        response: { 201: created },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ id: await titles.addSeason(request.params.id, request.body, requestContext(request)) }),
  );

  app.patch(
    '/api/admin/seasons/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminUpdateSeason',
        tags,
        summary: 'Change a season',
        params: idParams,
        body: seasonPatch,
        response: { 200: created },
      },
    },
    async (request) => {
      await titles.updateSeason(request.params.id, request.body, requestContext(request));
      return { id: request.params.id };
    },
  );

  app.delete(
    '/api/admin/seasons/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminDeleteSeason',
        tags,
        summary: 'Delete a season and its episodes',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await titles.deleteSeason(request.params.id, requestContext(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/admin/seasons/:id/episodes',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminCreateEpisode',
        tags,
        summary: 'Add an episode to a season',
        params: idParams,
        body: episodeInput,
        response: { 201: created },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ id: await titles.addEpisode(request.params.id, request.body, requestContext(request)) }),
  );

  app.patch(
    '/api/admin/episodes/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminUpdateEpisode',
        tags,
        summary: 'Change an episode',
        params: idParams,
        body: episodePatch,
        response: { 200: created },
      },
    },
    async (request) => {
      await titles.updateEpisode(request.params.id, request.body, requestContext(request));
      return { id: request.params.id };
    },
  );

  for (const [action, status] of [
    ['publish', 'published'],
    ['unpublish', 'archived'],
  ] as const) {
    app.post(
      `/api/admin/episodes/:id/${action}`,
      {
        config: { access: { permission: 'content:write' } },
        schema: {
          operationId: action === 'publish' ? 'adminPublishEpisode' : 'adminUnpublishEpisode',
          tags,
          summary: `${action === 'publish' ? 'Publish' : 'Hide'} an episode`,
          params: idParams,
          response: { 200: created },
        },
      },
      async (request) => {
        await titles.updateEpisode(request.params.id, { status }, requestContext(request));
        return { id: request.params.id };
      },
    );
  }

  app.delete(
    '/api/admin/episodes/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminDeleteEpisode',
        tags,
        summary: 'Delete an episode',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await titles.deleteEpisode(request.params.id, requestContext(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/admin/people',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminListPeople',
        tags,
        summary: 'Find people (cast and crew)',
        querystring: z.object({
          q: z.string().trim().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ people: z.array(personSchema) }) },
      },
    },
    async (request) => ({ people: await library.listPeople(request.query) }),
  );

  app.post(
    '/api/admin/people',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminCreatePerson',
        tags,
        summary: 'Add a person',
        body: personInput,
        response: { 201: personSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await library.createPerson(request.body, requestContext(request))),
  );

  app.patch(
    '/api/admin/people/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminUpdatePerson',
        tags,
        summary: 'Change a person',
        params: idParams,
        body: personPatch,
        response: { 200: personSchema },
      },
    },
    async (request) => library.updatePerson(request.params.id, request.body, requestContext(request)),
  );

  app.delete(
    '/api/admin/people/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminDeletePerson',
        tags,
        summary: 'Delete a person nobody is credited as',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await library.deletePerson(request.params.id, requestContext(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/admin/genres',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminCreateGenre',
        tags,
        summary: 'Add a genre',
        body: genreInput,
        response: { 201: genreSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await library.createGenre(request.body, requestContext(request))),
  );

  app.patch(
    '/api/admin/genres/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminUpdateGenre',
        tags,
        summary: 'Rename a genre',
        params: idParams,
        body: genreInput.partial(),
        response: { 200: genreSchema },
      },
    },
    async (request) => library.updateGenre(request.params.id, request.body, requestContext(request)),
  );

  app.delete(
    '/api/admin/genres/:id',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminDeleteGenre',
        tags,
        summary: 'Delete a genre no title has',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await library.deleteGenre(request.params.id, requestContext(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/admin/titles/import',
    {
      config: { access: { permission: 'content:write' } },
      bodyLimit: 20 * 1024 * 1024,
      schema: {
        operationId: 'adminImportTitles',
        tags,
        summary: `Import titles from CSV (text/csv) or JSON (a list); up to ${IMPORT_MAX_ROWS} rows`,
        description:
          'Columns/fields: kind, title, originalTitle, synopsis, releaseDate, releaseYear, runtimeMinutes, maturityRating, ' +
          'genres (slugs), tags, audioLanguages, subtitleLanguages, allowedRegions, minPlanTier, publish. In CSV, lists are "|"-separated. ' +
          'Each row is created on its own; the report says, row by row, what happened.',
        response: { 200: importReport },
      },
    },
    async (request) => {
      const isCsv = String(request.headers['content-type'] ?? '').startsWith('text/csv');
      const rows =
        typeof request.body === 'string'
          ? importer.parse(request.body, isCsv ? 'csv' : 'json')
          : request.body;
      return importer.run(
        Array.isArray(rows) ? rows : importer.parse(JSON.stringify(rows), 'json'),
        requestContext(request),
      );
    },
  );
};
