import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import {
  adminTitleSchema,
  episodeInput,
  episodePatch,
  seasonInput,
  seasonPatch,
  titleInput,
  titlePatch,
} from './catalog.schemas.ts';
import type { SeriesService } from './series.service.ts';
import type { TitlesService } from './titles.service.ts';

export interface TitlesAdminRoutesOptions {
  titles: TitlesService;
  series: SeriesService;
}

const tags = ['catalog admin'];
const access = { permission: 'content:write' } as const;
const created = z.object({ id: z.uuid() });

/** Content management (permission content:write): titles, and a series' seasons and episodes. */
export const titlesAdminRoutes: FastifyPluginAsyncZod<TitlesAdminRoutesOptions> = async (app, options) => {
  const { titles, series } = options;

  app.post(
    '/api/admin/titles',
    {
      config: { access },
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
      config: { access },
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
      config: { access },
      schema: {
        operationId: 'adminDeleteTitle',
        tags,
        summary: 'Delete a title, its seasons and episodes',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await titles.delete(request.params.id, requestContext(request));
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
        config: { access },
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

  app.post(
    '/api/admin/titles/:id/seasons',
    {
      config: { access },
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
        .send({ id: await series.addSeason(request.params.id, request.body, requestContext(request)) }),
  );

  app.patch(
    '/api/admin/seasons/:id',
    {
      config: { access },
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
      await series.updateSeason(request.params.id, request.body, requestContext(request));
      return { id: request.params.id };
    },
  );

  app.delete(
    '/api/admin/seasons/:id',
    {
      config: { access },
      schema: {
        operationId: 'adminDeleteSeason',
        tags,
        summary: 'Delete a season and its episodes',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await series.deleteSeason(request.params.id, requestContext(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/admin/seasons/:id/episodes',
    {
      config: { access },
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
        .send({ id: await series.addEpisode(request.params.id, request.body, requestContext(request)) }),
  );

  app.patch(
    '/api/admin/episodes/:id',
    {
      config: { access },
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
      await series.updateEpisode(request.params.id, request.body, requestContext(request));
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
        config: { access },
        schema: {
          operationId: action === 'publish' ? 'adminPublishEpisode' : 'adminUnpublishEpisode',
          tags,
          summary: `${action === 'publish' ? 'Publish' : 'Hide'} an episode`,
          params: idParams,
          response: { 200: created },
        },
      },
      async (request) => {
        await series.updateEpisode(request.params.id, { status }, requestContext(request));
        return { id: request.params.id };
      },
    );
  }

  app.delete(
    '/api/admin/episodes/:id',
    {
      config: { access },
      schema: {
        operationId: 'adminDeleteEpisode',
        tags,
        summary: 'Delete an episode',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await series.deleteEpisode(request.params.id, requestContext(request));
      return reply.status(204).send();
    },
  );
};
