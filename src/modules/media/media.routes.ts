import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageQuery, pageSchema } from '../../shared/pagination.ts';
import { idParams, isoDate } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import type { AssetRow } from './assets.repository.ts';
import type { MediaService } from './media.service.ts';

export interface MediaRoutesOptions {
  media: MediaService;
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

/** Transcode jobs for the admin console (permission jobs:manage): watch, cancel, retry. */
export const mediaRoutes: FastifyPluginAsyncZod<MediaRoutesOptions> = async (app, options) => {
  const { media } = options;

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
    '/api/admin/jobs/:id',
    {
      config: { access: { permission: 'jobs:manage' } },
      schema: {
        operationId: 'adminGetJob',
        tags,
        summary: 'One transcode job',
        params: idParams,
        response: { 200: transcodeJobSchema },
      },
    },
    async (request) => transcodeJobView(await media.get(request.params.id)),
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
