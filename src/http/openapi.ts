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

/**
 * Named schemas come from zod's process-wide registry in the order modules were loaded; sorted,
 * the document is the same whatever loaded first (docs/openapi.json is compared byte for byte).
 */
function sortSchemas(document: Document): Document {
  const schemas = document.components?.schemas;
  if (schemas) {
    document.components = {
      ...document.components,
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
    };
  }
  return document;
}

export interface OpenApiOptions {
  publicUrl: string;
  version: string;
}

/** The OpenAPI 3.1 document, generated from the routes' zod schemas; JSON at /api/openapi.json, UI at /docs. */
const openApi: FastifyPluginAsync<OpenApiOptions> = async (app, options) => {
  // Every documented operation has a stable, unique operationId: generated clients name their
  // methods after it (docs/DEVELOPMENT.md). A route without one stops the application starting.
  const operationIds = new Map<string, string>();
  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (route.url === '/docs' || route.url.startsWith('/docs/') || schema?.hide === true) return;
    // HEAD twins of GET routes share their schema and are not documented (swagger's default).
    if (route.method === 'HEAD') return;
    const where = `${String(route.method)} ${route.url}`;
    const id = schema?.operationId;
    if (!id || !/^[a-z][A-Za-z0-9]*$/.test(id))
      throw new Error(`${where} needs a camelCase schema.operationId (docs/DEVELOPMENT.md)`);
    const taken = operationIds.get(id);
    if (taken !== undefined && taken !== where)
      throw new Error(`${where}: operationId ${id} is taken by ${taken}`);
    operationIds.set(id, where);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Marquee API',
        version: options.version,
        description:
          'Self-hostable backend for a subscription video service. Errors are RFC 9457 problem details ' +
          '(`application/problem+json`) with a stable `code`.',
        license: { name: 'MIT', identifier: 'MIT' },
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
          metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when set' },
          stripeSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'stripe-signature',
            description: "Stripe's webhook signature over the raw body",
          },
          razorpaySignature: {
            type: 'apiKey',
            in: 'header',
            name: 'x-razorpay-signature',
            description: "Razorpay's webhook signature (HMAC-SHA256 of the raw body)",
          },
          chatTicket: {
            type: 'apiKey',
            in: 'query',
            name: 'ticket',
            description: 'A short-lived, single-use chat ticket from POST /api/live/{eventId}/chat-ticket',
          },
          adBeacon: {
            type: 'apiKey',
            in: 'query',
            name: 'sig',
            description: 'The signature of a tracking URL in a VAST response',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (input) =>
      sortSchemas(addProblemResponses(jsonSchemaTransformObject(input) as Document)) as ReturnType<
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

  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public', quiet: true } }, () =>
    app.swagger(),
  );
};

export const openApiPlugin = fp(openApi, { name: 'marquee-openapi', fastify: '5.x' });
