import { Transform, type Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import { CreativeFileTooLarge, CreativeVideoRequired } from './ads.errors.ts';
import {
  advertiserCreate,
  advertiserSchema,
  campaignCreate,
  campaignPatch,
  campaignSchema,
  creativeCreate,
  creativeSchema,
  cueDetectionBody,
  cueDetectionSchema,
  cuePointsBody,
  cuePointsSchema,
  reportQuery,
  reportSchema,
} from './ads.schemas.ts';
import { creativeView, type AdsAdminService } from './ads-admin.service.ts';
import type { CreativesService } from './creatives.service.ts';

export interface AdsAdminRoutesOptions {
  admin: AdsAdminService;
  creatives: CreativesService;
}

const tags = ['ads admin'];
const access = { permission: 'ads:manage' } as const;
export const MAX_CREATIVE_BYTES = 200 * 1024 * 1024;

/** Refuses a body past the limit while it streams (a raw body has no bodyLimit of its own). */
function limited(body: Readable, maxBytes: number): Readable {
  let seen = 0;
  return body.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        seen += chunk.length;
        if (seen > maxBytes) callback(CreativeFileTooLarge());
        else callback(null, chunk);
      },
    }),
  );
}

/** Campaign management for holders of ads:manage. */
export const adsAdminRoutes: FastifyPluginAsyncZod<AdsAdminRoutesOptions> = async (app, options) => {
  const { admin, creatives } = options;
  // A creative's video arrives as the raw body, streamed to disk: never buffered in memory.
  for (const type of ['application/octet-stream', /^video\/[a-z0-9.+-]+$/]) {
    app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }

  app.post(
    '/api/admin/ads/advertisers',
    {
      config: { access },
      schema: {
        operationId: 'adminCreateAdvertiser',
        tags,
        summary: 'Add an advertiser',
        body: advertiserCreate,
        response: { 201: advertiserSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await admin.createAdvertiser(requestContext(request), request.body)),
  );

  app.get(
    '/api/admin/ads/advertisers',
    {
      config: { access },
      schema: {
        operationId: 'adminListAdvertisers',
        tags,
        summary: 'Every advertiser, by name',
        response: { 200: z.object({ items: z.array(advertiserSchema) }) },
      },
    },
    async () => ({ items: await admin.listAdvertisers() }),
  );

  app.post(
    '/api/admin/ads/campaigns',
    {
      config: { access },
      schema: {
        operationId: 'adminCreateCampaign',
        tags,
        summary: 'Create a campaign: budget, flight, caps, priority, CPM, targeting',
        body: campaignCreate,
        response: { 201: campaignSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await admin.createCampaign(requestContext(request), request.body)),
  );

  app.get(
    '/api/admin/ads/campaigns',
    {
      config: { access },
      schema: {
        operationId: 'adminListCampaigns',
        tags,
        summary: 'Campaigns, newest first, with their creatives',
        response: { 200: z.object({ items: z.array(campaignSchema) }) },
      },
    },
    async () => ({ items: await admin.listCampaigns() }),
  );

  app.get(
    '/api/admin/ads/campaigns/:id',
    {
      config: { access },
      schema: {
        operationId: 'adminGetCampaign',
        tags,
        summary: 'A campaign with its creatives',
        params: idParams,
        response: { 200: campaignSchema },
      },
    },
    async (request) => admin.getCampaign(request.params.id),
  );

  app.patch(
    '/api/admin/ads/campaigns/:id',
    {
      config: { access },
      schema: {
        operationId: 'adminUpdateCampaign',
        tags,
        summary: 'Change a campaign (pause, budget, targeting…); every instance serves the change at once',
        params: idParams,
        body: campaignPatch,
        response: { 200: campaignSchema },
      },
    },
    async (request) => admin.updateCampaign(requestContext(request), request.params.id, request.body),
  );

  app.post(
    '/api/admin/ads/campaigns/:id/creatives',
    {
      config: { access },
      schema: {
        operationId: 'adminCreateCreative',
        tags,
        summary: 'Add a creative to a campaign; its video is uploaded next (PUT …/video)',
        params: idParams,
        body: creativeCreate,
        response: { 201: creativeSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await admin.createCreative(requestContext(request), request.params.id, request.body)),
  );

  app.put(
    '/api/admin/ads/creatives/:id/video',
    {
      config: { access },
      schema: {
        operationId: 'adminUploadCreativeVideo',
        tags,
        summary:
          'Upload a creative’s video (raw body, video/* or application/octet-stream, ≤ 200 MB, ≤ 2 min)',
        description:
          'Probed before it is stored: a file that is not a video is refused (MEDIA_NOT_A_VIDEO, 415). Then transcoded into a small MP4 set by the ads.transcode-creative job.',
        params: idParams,
        response: { 202: creativeSchema },
      },
    },
    async (request, reply) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Partial<Readable>).pipe !== 'function') throw CreativeVideoRequired();
      const row = await creatives.uploadVideo(request.params.id, limited(body, MAX_CREATIVE_BYTES));
      return reply.code(202).send(creativeView(row));
    },
  );

  app.put(
    '/api/admin/ads/cue-points/:id',
    {
      config: { access },
      schema: {
        operationId: 'adminSetCuePoints',
        tags,
        summary: 'Set the ad cue points of a movie or episode (seconds), replacing the old ones',
        params: idParams,
        body: cuePointsBody,
        response: { 200: cuePointsSchema },
      },
    },
    async (request) => admin.setCuePoints(request.params.id, request.body.seconds),
  );

  app.get(
    '/api/admin/ads/cue-points/:id',
    {
      config: { access },
      schema: {
        operationId: 'adminGetCuePoints',
        tags,
        summary: 'The ad cue points of a movie or episode',
        params: idParams,
        response: { 200: cuePointsSchema },
      },
    },
    async (request) => admin.cuePoints(request.params.id),
  );

  app.post(
    '/api/admin/ads/cue-points/:id/detection',
    {
      config: { access },
      schema: {
        operationId: 'adminDetectCuePoints',
        tags,
        summary: 'Propose cue points from the scene changes of a movie’s or episode’s video (a job)',
        description:
          'Queues ads.detect-cue-points (ffmpeg scdet on the uploaded source) and answers at once; the proposals appear on GET …/detection and become cue points only when put with PUT /api/admin/ads/cue-points/{id}. Asking again starts over. Refusals: ADS_CUE_DETECTION_NO_VIDEO (409) for an item without a transcoded video.',
        params: idParams,
        body: cueDetectionBody,
        response: { 202: cueDetectionSchema },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await admin.detectCuePoints(request.params.id, request.body.threshold)),
  );

  app.get(
    '/api/admin/ads/cue-points/:id/detection',
    {
      config: { access },
      schema: {
        operationId: 'adminGetCueDetection',
        tags,
        summary: 'The last cue point detection of a movie or episode: its status and proposed cue points',
        description: 'Refusals: ADS_CUE_DETECTION_NOT_FOUND (404) when none was asked for.',
        params: idParams,
        response: { 200: cueDetectionSchema },
      },
    },
    async (request) => admin.cueDetection(request.params.id),
  );

  app.get(
    '/api/admin/ads/report',
    {
      config: { access },
      schema: {
        operationId: 'adminAdReport',
        tags,
        summary: 'Delivery over UTC days: impressions, fill rate, completion rate, eCPM, per campaign',
        querystring: reportQuery,
        response: { 200: reportSchema },
      },
    },
    async (request) => admin.report(request.query),
  );
};
