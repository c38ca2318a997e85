import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageQuery, pageSchema } from '../../shared/pagination.ts';
import { idParams, isoDate } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import type { AssetRow } from './assets.repository.ts';
import type { JobEventsHub } from './job-events.ts';
import type { MediaService, RenditionQualityView } from './media.service.ts';

export interface MediaRoutesOptions {
  media: MediaService;
  jobEvents: JobEventsHub;
}

const tags = ['media admin'];
const statuses = ['queued', 'processing', 'ready', 'failed', 'cancelled', 'retiring', 'retired'] as const;

export const transcodeJobSchema = z
  .object({
    id: z.uuid().describe('The video asset (one uploaded source) this transcode makes'),
    itemId: z.uuid(),
    status: z.enum(statuses),
    progress: z.number().describe('0–100'),
    attempts: z.number().int(),
    sourceName: z.string(),
    sourceBytes: z.number(),
    failure: z.object({ code: z.string(), reason: z.string() }).nullable(),
    durationSeconds: z.number().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    createdAt: isoDate,
    startedAt: isoDate.nullable(),
    finishedAt: isoDate.nullable(),
  })
  .meta({ id: 'TranscodeJob' });

export function transcodeJobView(row: AssetRow): z.output<typeof transcodeJobSchema> {
  return {
    id: row.id,
    itemId: row.itemId,
    status: row.status as (typeof statuses)[number],
    progress: row.progress,
    attempts: row.attempts,
    sourceName: row.sourceName,
    sourceBytes: Number(row.sourceBytes),
    failure: row.failureCode ? { code: row.failureCode, reason: row.failureReason ?? '' } : null,
    durationSeconds: row.durationSeconds,
    width: row.width,
    height: row.height,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

const qualitySchema = z
  .object({
    ssim: z.number().describe('Mean SSIM against the source (rendition scaled to the source size), ≤ 1'),
    psnr: z.number().describe('PSNR in dB against the source, from the mean squared error (100: identical)'),
    frames: z.number().int().describe('Sampled frames compared'),
  })
  .meta({ id: 'RenditionQuality' });

export const transcodeJobDetailSchema = transcodeJobSchema
  .extend({
    ladderMode: z
      .enum(['fixed', 'content-aware'])
      .nullable()
      .describe('How the ladder was chosen; null for packages made before content-aware ladders'),
    renditions: z
      .array(
        z.object({
          name: z.string(),
          width: z.number().int(),
          height: z.number().int(),
          tier: z.string(),
          codecs: z.string(),
          bandwidth: z.number().int().describe('Peak bits/s with the loudest audio (BANDWIDTH)'),
          averageBandwidth: z.number().int(),
          quality: qualitySchema.nullable().describe('Null for packages made before the quality step'),
        }),
      )
      .describe('The packaged video renditions, smallest first (empty until the package is ready)'),
    droppedRenditions: z
      .array(
        z.object({
          name: z.string(),
          width: z.number().int(),
          height: z.number().int(),
          quality: qualitySchema,
        }),
      )
      .describe('Rungs encoded and measured, but not packaged: no better than the rung below'),
  })
  .meta({ id: 'TranscodeJobDetail' });

/** Transcode jobs for the admin console (permission jobs:manage): watch, cancel, retry. */
export const mediaRoutes: FastifyPluginAsyncZod<MediaRoutesOptions> = async (app, options) => {
  const { media, jobEvents } = options;

  app.get(
    '/api/admin/jobs',
    {
      config: { access: { permission: 'jobs:manage' } },
      schema: {
        operationId: 'adminListJobs',
        tags,
        summary: 'Transcode jobs, newest first, with their progress',
        querystring: pageQuery.extend({ status: z.enum(statuses).optional(), itemId: z.uuid().optional() }),
        response: { 200: pageSchema(transcodeJobSchema) },
      },
    },
    async (request) => {
      const page = await media.assets.list(request.query);
      return { items: page.items.map(transcodeJobView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/admin/jobs/events',
    {
      config: { access: { permission: 'jobs:manage' } },
      schema: {
        operationId: 'adminJobEvents',
        tags,
        summary: 'Transcode jobs as they move, pushed (Server-Sent Events) rather than polled',
        description:
          'A `text/event-stream`. First a `job` event for each job queued or running now, then one ' +
          'whenever a job moves (data: `{type, assetId, itemId, status, progress, reason?}`; progress ' +
          'is recorded at most once a second). Ends with an `idle` event once no job is queued or ' +
          'running, or after 30 s without an event; read the list again and reconnect then.',
        produces: ['text/event-stream'],
        response: { 200: z.string().describe('text/event-stream') },
      },
    },
    async (request, reply) => {
      const stream = await jobEvents.stream({
        active: async () => {
          const [queued, processing] = await Promise.all([
            media.assets.list({ status: 'queued', limit: 100 }),
            media.assets.list({ status: 'processing', limit: 100 }),
          ]);
          return [...processing.items, ...queued.items];
        },
        closed: (handler) => request.raw.once('close', handler),
      });
      return (
        reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-store')
          // Fastify sends a stream as it is; the schema above types the reply by what it documents.
          .send(stream as unknown as string)
      );
    },
  );

  app.get(
    '/api/admin/jobs/:id',
    {
      config: { access: { permission: 'jobs:manage' } },
      schema: {
        operationId: 'adminGetJob',
        tags,
        summary: 'One transcode job, with the SSIM and PSNR of each rendition it packaged',
        params: idParams,
        response: { 200: transcodeJobDetailSchema },
      },
    },
    async (request) => {
      const asset = await media.get(request.params.id);
      const quality: RenditionQualityView = await media.renditionQuality(asset);
      return { ...transcodeJobView(asset), ...quality };
    },
  );

  app.post(
    '/api/admin/jobs/:id/cancel',
    {
      config: { access: { permission: 'jobs:manage' } },
      schema: {
        operationId: 'adminCancelJob',
        tags,
        summary: 'Cancel a queued or running transcode (ffmpeg is stopped; nothing it made is kept)',
        params: idParams,
        response: { 200: transcodeJobSchema },
      },
    },
    async (request) => transcodeJobView(await media.cancel(request.params.id, requestContext(request))),
  );

  app.post(
    '/api/admin/jobs/:id/retry',
    {
      config: { access: { permission: 'jobs:manage' } },
      schema: {
        operationId: 'adminRetryJob',
        tags,
        summary: 'Run a failed or cancelled transcode again from its stored source',
        params: idParams,
        response: { 200: transcodeJobSchema },
      },
    },
    async (request) => transcodeJobView(await media.retry(request.params.id, requestContext(request))),
  );
};
