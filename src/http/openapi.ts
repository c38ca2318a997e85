import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { OpenAPIV3_1 } from 'openapi-types';

type Document = OpenAPIV3_1.Document;

const problemRef = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemRef } },
});

/** Every operation can fail the same few ways; say so once instead of in every route. */
function addProblemResponses(document: Document): Document {
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(pathItem ?? {})) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) continue;
      const responses = (operation as OpenAPIV3_1.OperationObject).responses ?? {};
      responses['4XX'] ??= problemResponse('The request was refused; `code` says why (docs/ERRORS.md)');
      responses['5XX'] ??= problemResponse('The server failed or is overloaded');
      (operation as OpenAPIV3_1.OperationObject).responses = responses;
    }
  }
  return document;
}

export interface OpenApiOptions {
  publicUrl: string;
  version: string;
}

/** The OpenAPI 3.1 document, generated from the routes' zod schemas; JSON at /api/openapi.json, UI at /docs. */
const openApi: FastifyPluginAsync<OpenApiOptions> = async (app, options) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Marquee API',
        version: options.version,
        description:
          'Self-hostable backend for a subscription video service. Errors are RFC 9457 problem details ' +
          '(`application/problem+json`) with a stable `code`.',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          playbackToken: {
            type: 'apiKey',
            in: 'query',
            name: 'token',
            description: 'A playback token from POST /api/playback/{itemId}',
          },
          pathToken: {
            type: 'apiKey',
            in: 'query',
            name: 'pt',
            description: 'The signature of a delivery URL in a playlist',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (input) =>
      addProblemResponses(jsonSchemaTransformObject(input) as Document) as ReturnType<
        typeof jsonSchemaTransformObject
      >,
  });

  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, securityPolicy: 'docs', quiet: true };
    });
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: false,
      uiConfig: { deepLinking: true, displayRequestDuration: true, tryItOutEnabled: true },
    });
  });

  app.get('/api/openapi.json', { schema: { hide: true }, config: { quiet: true } }, () => app.swagger());
};

export const openApiPlugin = fp(openApi, { name: 'marquee-openapi', fastify: '5.x' });
