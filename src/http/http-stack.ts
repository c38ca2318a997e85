import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import underPressure from '@fastify/under-pressure';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/config.ts';
import { Overloaded, problemFor, RouteNotFound, sendProblem } from './problem.ts';
import { securityHeaderSets, type SecurityPolicy } from './security-headers.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which precomputed security-header set the route answers with (default 'api'). */
    securityPolicy?: SecurityPolicy;
    /** Leave this route out of the access log (health probes, metrics scrapes). */
    quiet?: boolean;
  }
}

const PRESSURE_SAMPLE_MS = 1000;
const TYPE_EVENT_LOOP_DELAY = underPressure.TYPE_EVENT_LOOP_DELAY;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id is kept when it is sane; otherwise we make one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

export interface HttpStackOptions {
  config: Config;
}

/**
 * Everything every request passes through, in as few hooks as possible (each one costs every
 * request; bench:http measures them): one onRequest hook for the request id and security headers,
 * The access log and the latency histogram come from the AccessLog log controller.
 */
const httpStack: FastifyPluginAsync<HttpStackOptions> = async (app, { config }) => {
  const headerSets = securityHeaderSets({ hsts: config.http.publicUrl.startsWith('https:') });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.headers(headerSets[request.routeOptions.config.securityPolicy ?? 'api']);
    done();
  });

  if (config.http.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...config.http.corsOrigins],
      credentials: true,
      exposedHeaders: ['x-request-id', 'etag', 'retry-after'],
      maxAge: 600,
    });
  }

  // The first samples after start-up measure the boot itself (migrations, the first compile of
  // every module), not load: a fresh instance would shed its first requests for its own boot.
  // Event-loop delay is therefore ignored until two sample windows have passed since listening.
  let bootSamplesUntil = 0;
  app.addHook('onListen', async () => {
    bootSamplesUntil = performance.now() + 2 * PRESSURE_SAMPLE_MS;
  });
  await app.register(underPressure, {
    sampleInterval: PRESSURE_SAMPLE_MS,
    pressureHandler: (_request, _reply, type) =>
      type === TYPE_EVENT_LOOP_DELAY && performance.now() < bootSamplesUntil
        ? undefined
        : Promise.reject(Overloaded()),
    maxEventLoopDelay: config.pressure.maxEventLoopDelayMs || undefined,
    maxHeapUsedBytes: config.pressure.maxHeapUsedBytes || undefined,
    retryAfter: config.pressure.retryAfterSeconds,
    exposeStatusRoute: false,
  });

  app.setErrorHandler((error, request, reply) => {
    const shed = (error as { code?: string }).code === 'FST_UNDER_PRESSURE';
    const problem = problemFor(shed ? Overloaded() : error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.debug({ code: problem.code, detail: problem.detail }, 'request refused');
    // A problem that knows when to come back says so in the standard header too (RFC 9110 §10.2.3).
    if (typeof problem.retryAfterSeconds === 'number')
      reply.header('retry-after', String(problem.retryAfterSeconds));
    else if (problem.status === 503 && !reply.hasHeader('retry-after')) {
      reply.header('retry-after', String(config.pressure.retryAfterSeconds));
    }
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problemFor(
        RouteNotFound(`${request.method} ${request.url.split('?')[0]} is not an endpoint of this API`),
        request,
      ),
    ),
  );
};

export const httpStackPlugin = fp(httpStack, { name: 'marquee-http-stack', fastify: '5.x' });
