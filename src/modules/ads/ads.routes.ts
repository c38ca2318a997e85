import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Clock } from '../../platform/clock.ts';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { viewerFrom } from '../catalog/index.ts';
import { userOf } from '../identity/index.ts';
import { beaconParams, beaconQuery, creativeFileParams, sessionQuery, vastQuery } from './ads.schemas.ts';
import { creativeFolder } from './creatives.service.ts';
import type { DecisionService } from './decision.service.ts';
import type { TrackingService } from './tracking.service.ts';
import { parseRange, sendStoredObject } from '../../http/stored-object-reply.ts';

export interface AdsRoutesOptions {
  decisions: DecisionService;
  tracking: TrackingService;
  storage: Storage;
  clock: Clock;
  countryHeader: string | undefined;
}

const tags = ['ads'];
const XML = 'application/xml; charset=utf-8';

/** The ad server: VMAP and VAST for a stream of the caller's, signed beacons, creative files. */
export const adsRoutes: FastifyPluginAsyncZod<AdsRoutesOptions> = async (app, options) => {
  const { decisions, tracking } = options;
  const adRequest = (request: FastifyRequest, query: { session: string; device: string }) => ({
    userId: userOf(request).userId,
    sessionId: query.session,
    deviceType: query.device,
    region: viewerFrom(request, options).country,
  });

  app.get(
    '/api/ads/vmap',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getAdSchedule',
        tags,
        summary: 'The VMAP 1.0 ad schedule of one of the caller’s playback streams (plans with ads only)',
        description: 'Refusals: ADS_SESSION_NOT_FOUND (404), ADS_NOT_ON_PLAN (403).',
        querystring: sessionQuery,
      },
    },
    async (request, reply) => {
      const xml = await decisions.vmap(adRequest(request, request.query));
      return reply.header('content-type', XML).header('cache-control', 'private, no-store').send(xml);
    },
  );

  app.get(
    '/api/ads/vast',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getAdBreak',
        tags,
        summary: 'A VAST 4.2 pod for one break of the caller’s stream (an empty VAST when nothing fills it)',
        description: 'Refusals: ADS_SESSION_NOT_FOUND, ADS_BREAK_NOT_FOUND (404), ADS_NOT_ON_PLAN (403).',
        querystring: vastQuery,
      },
    },
    async (request, reply) => {
      const vast = await decisions.vast({
        ...adRequest(request, request.query),
        breakIndex: request.query.break,
      });
      return reply.header('content-type', XML).header('cache-control', 'private, no-store').send(vast);
    },
  );

  app.get(
    '/api/ads/beacons/:event',
    {
      // Players fire these as pixels, without credentials: the signature is the credential.
      config: { access: 'public', quiet: true },
      schema: {
        operationId: 'sendAdBeacon',
        tags,
        summary: 'A signed tracking beacon of an ad instance (impression, quartiles, click…); counted once',
        description: 'Refusals: ADS_BEACON_INVALID (403) for a forged, altered or expired beacon.',
        params: beaconParams,
        querystring: beaconQuery,
      },
    },
    async (request, reply) => {
      const { i, c, x, s } = request.query;
      await tracking.record({
        event: request.params.event,
        instanceId: i,
        campaignId: c,
        expires: x,
        signature: s,
      });
      return reply.code(204).header('cache-control', 'no-store').send();
    },
  );

  app.get(
    '/api/ads/media/:id/:file',
    {
      config: { access: 'public', quiet: true },
      schema: {
        operationId: 'getAdMediaFile',
        tags,
        summary: 'A rendition of an ad creative (progressive MP4), with ranges',
        params: creativeFileParams,
      },
    },
    async (request, reply) => {
      const range = parseRange(request.headers.range);
      const object = await options.storage.get(
        `${creativeFolder(request.params.id)}/${request.params.file}`,
        range ? { range } : undefined,
      );
      return sendStoredObject(reply, object, {
        contentType: 'video/mp4',
        cacheControl: 'public, max-age=86400',
      });
    },
  );
};
