import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userOf } from '../identity/index.ts';
import { qoeBeaconSchema } from './analytics.events.ts';
import type { AnalyticsIngest } from './analytics.service.ts';
import type { AnalyticsReports } from './analytics-reports.service.ts';
import { toCsv } from './csv.ts';

export interface AnalyticsRoutesOptions {
  ingest: AnalyticsIngest;
  reports: AnalyticsReports;
  countryHeader: string | undefined;
}

/** A player sends a batch every few seconds; more than this in one is a misbehaving client. */
export const MAX_BEACONS_PER_BATCH = 200;
const COUNTRY = /^[A-Za-z]{2}$/;

const tags = ['analytics'];
const rangeQuery = z.object({
  from: z.iso.datetime({ offset: true }).describe('Start of the range (inclusive)'),
  to: z.iso.datetime({ offset: true }).describe('End of the range (exclusive)'),
  granularity: z.enum(['hour', 'day']).default('day'),
  format: z.enum(['json', 'csv']).optional().describe('csv: the rows as text/csv (or send Accept: text/csv)'),
});
const wantsCsv = (format: string | undefined, accept: string | undefined) =>
  format === 'csv' || (format === undefined && /\btext\/csv\b/.test(accept ?? ''));
const titleColumns = ['bucket', 'titleId', 'plays', 'finishes', 'watchHours', 'completionRate'] as const;
const qoeColumns = [
  'bucket',
  'group',
  'plays',
  'averageStartupMs',
  'rebufferCount',
  'rebufferRatio',
  'bitrateSwitches',
  'errorRate',
] as const;
const titleFigures = z
  .object({
    bucket: z.string(),
    titleId: z.uuid(),
    plays: z.number().int(),
    finishes: z.number().int(),
    watchHours: z.number(),
    completionRate: z.number().nullable(),
  })
  .meta({ id: 'AnalyticsTitleFigures' });
const qoeFigures = z
  .object({
    bucket: z.string(),
    group: z.string().nullable(),
    plays: z.number().int(),
    averageStartupMs: z.number().nullable(),
    rebufferCount: z.number().int(),
    rebufferRatio: z.number().nullable().describe('Time rebuffering over time watched plus rebuffering'),
    bitrateSwitches: z.number().int(),
    errorRate: z.number().nullable().describe('Playback errors per play'),
  })
  .meta({ id: 'AnalyticsQoeFigures' });

/** Players' QoE beacons in; dashboard figures (from the rollups) out. */
export const analyticsRoutes: FastifyPluginAsyncZod<AnalyticsRoutesOptions> = async (app, options) => {
  const { ingest, reports } = options;

  app.post(
    '/api/analytics/events',
    {
      config: { access: 'user', quiet: true },
      schema: {
        operationId: 'sendPlaybackBeacons',
        tags,
        summary: 'Report a batch of quality-of-experience beacons for one of this account’s live streams',
        description:
          'Refusals: ANALYTICS_SESSION_UNKNOWN (the stream is not this account’s, or has ended), ANALYTICS_BUSY (503: retry later).',
        body: z.object({
          sessionId: z.uuid().describe('The playback session (from startPlayback)'),
          events: z.array(qoeBeaconSchema).min(1).max(MAX_BEACONS_PER_BATCH),
        }),
        response: { 202: z.object({ accepted: z.number().int() }) },
      },
    },
    async (request, reply) => {
      const header = options.countryHeader ? request.headers[options.countryHeader] : undefined;
      const accepted = await ingest.ingestBeacons({
        userId: userOf(request).userId,
        sessionId: request.body.sessionId,
        beacons: request.body.events,
        edgeRegion: typeof header === 'string' && COUNTRY.test(header) ? header.toUpperCase() : undefined,
      });
      return reply.code(202).send(accepted);
    },
  );

  app.get(
    '/api/admin/analytics/titles',
    {
      config: { access: { permission: 'analytics:read' } },
      schema: {
        operationId: 'adminAnalyticsTitles',
        tags,
        summary: 'Plays, finishes, watch hours and completion rate per title per hour or day',
        description: 'Refusals: ANALYTICS_RANGE_INVALID (hour: at most 31 days; day: at most 400).',
        querystring: rangeQuery,
        produces: ['application/json', 'text/csv'],
        response: {
          200: z.union([
            z.object({ items: z.array(titleFigures) }),
            z.string().describe('text/csv, with a header line'),
          ]),
        },
      },
    },
    async (request, reply) => {
      const items = await reports.titles({
        granularity: request.query.granularity,
        from: new Date(request.query.from),
        to: new Date(request.query.to),
      });
      if (!wantsCsv(request.query.format, request.headers.accept)) return { items };
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="titles.csv"')
        .send(toCsv(titleColumns, items));
    },
  );

  app.get(
    '/api/admin/analytics/qoe',
    {
      config: { access: { permission: 'analytics:read' } },
      schema: {
        operationId: 'adminAnalyticsQoe',
        tags,
        summary: 'Start time, rebuffering ratio and error rate per hour or day, by plan, region or device',
        description: 'Refusals: ANALYTICS_RANGE_INVALID (hour: at most 31 days; day: at most 400).',
        querystring: rangeQuery.extend({ by: z.enum(['none', 'plan', 'region', 'device']).default('none') }),
        produces: ['application/json', 'text/csv'],
        response: {
          200: z.union([
            z.object({ items: z.array(qoeFigures) }),
            z.string().describe('text/csv, with a header line'),
          ]),
        },
      },
    },
    async (request, reply) => {
      const items = await reports.qoe({
        granularity: request.query.granularity,
        from: new Date(request.query.from),
        to: new Date(request.query.to),
        by: request.query.by,
      });
      if (!wantsCsv(request.query.format, request.headers.accept)) return { items };
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="qoe.csv"')
        .send(toCsv(qoeColumns, items));
    },
  );
};
