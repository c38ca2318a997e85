import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import {
  genreInput,
  genrePatch,
  genreSchema,
  peopleQuery,
  personInput,
  personPatch,
  personSchema,
} from './catalog.schemas.ts';
import type { LibraryService } from './library.service.ts';

const tags = ['catalog admin'];
const access = { permission: 'content:write' } as const;

/** Content management (permission content:write): people (cast and crew) and genres. */
export const libraryAdminRoutes: FastifyPluginAsyncZod<{ library: LibraryService }> = async (
  app,
  { library },
) => {
  app.get(
    '/api/admin/people',
    {
      config: { access },
      schema: {
        operationId: 'adminListPeople',
        tags,
        summary: 'Find people (cast and crew)',
        querystring: peopleQuery,
        response: { 200: z.object({ people: z.array(personSchema) }) },
      },
    },
    async (request) => ({ people: await library.listPeople(request.query) }),
  );

  app.post(
    '/api/admin/people',
    {
      config: { access },
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
      config: { access },
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
      config: { access },
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
      config: { access },
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
      config: { access },
      schema: {
        operationId: 'adminUpdateGenre',
        tags,
        summary: 'Rename a genre',
        params: idParams,
        body: genrePatch,
        response: { 200: genreSchema },
      },
    },
    async (request) => library.updateGenre(request.params.id, request.body, requestContext(request)),
  );

  app.delete(
    '/api/admin/genres/:id',
    {
      config: { access },
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
};
