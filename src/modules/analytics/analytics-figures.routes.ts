import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AnalyticsFigures, FigureRange, FigureRow } from './analytics-figures.service.ts';
import { toCsv, wantsCsv } from './csv.ts';

export interface AnalyticsFiguresRoutesOptions {
  figures: AnalyticsFigures;
}

const tags = ['analytics'];
const figureQuery = z.object({
  from: z.iso.datetime({ offset: true }).describe('Start of the range (inclusive)'),
  to: z.iso.datetime({ offset: true }).describe('End of the range (exclusive)'),
  group: z.enum(['hour', 'day', 'month']).default('day').describe('Bucket size'),
  format: z.enum(['json', 'csv']).optional().describe('csv: the rows as text/csv (or send Accept: text/csv)'),
});
const figureRows = z
  .object({ items: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))) })
  .meta({ id: 'AnalyticsFigureRows' });

interface Figure {
  path: string;
  operationId: string;
  summary: string;
  columns: readonly string[];
  rows: (figures: AnalyticsFigures, range: FigureRange) => Promise<FigureRow[]>;
}

/** Every business figure: one route each, the same query, JSON or CSV. */
const figureList: readonly Figure[] = [
  {
    path: 'active-profiles',
    operationId: 'adminAnalyticsActiveProfiles',
    summary: 'Daily or monthly active profiles and accounts (group hour reads as day)',
    columns: ['bucket', 'activeProfiles', 'activeAccounts'],
    rows: (figures, range) => figures.activeProfiles(range),
  },
  {
    path: 'sign-ups',
    operationId: 'adminAnalyticsSignUps',
    summary: 'New accounts, sign-ins, new paying subscribers and conversion free → paid',
    columns: ['bucket', 'signUps', 'signIns', 'newPaying', 'conversion'],
    rows: (figures, range) => figures.signUps(range),
  },
  {
    path: 'revenue',
    operationId: 'adminAnalyticsRevenue',
    summary:
      'MRR and ARR at the end of each bucket by plan and currency, with plan switches and money collected and refunded',
    columns: [
      'bucket',
      'planId',
      'currency',
      'mrrMinor',
      'arrMinor',
      'payingSubscribers',
      'newPaying',
      'renewals',
      'switchedIn',
      'switchedOut',
      'collectedMinor',
      'refundedMinor',
    ],
    rows: (figures, range) => figures.revenue(range),
  },
  {
    path: 'churn',
    operationId: 'adminAnalyticsChurn',
    summary: 'Paying subscribers at the start of each bucket, lost in it, and the churn rate',
    columns: ['bucket', 'payingAtStart', 'newPaying', 'churned', 'churnRate'],
    rows: (figures, range) => figures.churn(range),
  },
  {
    path: 'trials',
    operationId: 'adminAnalyticsTrials',
    summary: 'Trials started and converted to paid, and the trial conversion',
    columns: ['bucket', 'trialsStarted', 'trialsConverted', 'trialConversion'],
    rows: (figures, range) => figures.trials(range),
  },
  {
    path: 'refunds',
    operationId: 'adminAnalyticsRefunds',
    summary: 'Refunds and refunded amounts by currency',
    columns: ['bucket', 'currency', 'refunds', 'refundedMinor'],
    rows: (figures, range) => figures.refunds(range),
  },
  {
    path: 'ads',
    operationId: 'adminAnalyticsAds',
    summary: 'Ad impressions, quartiles, completion, fill rate and revenue',
    columns: [
      'bucket',
      'impressions',
      'firstQuartiles',
      'midpoints',
      'thirdQuartiles',
      'completes',
      'completionRate',
      'slotsRequested',
      'slotsFilled',
      'fillRate',
      'revenueMinor',
    ],
    rows: (figures, range) => figures.ads(range),
  },
  {
    path: 'recommendations',
    operationId: 'adminAnalyticsRecommendations',
    summary: 'Recommendation impressions, clicks and click-through per row',
    columns: ['bucket', 'row', 'impressions', 'clicks', 'clickThrough'],
    rows: (figures, range) => figures.recommendations(range),
  },
  {
    path: 'live',
    operationId: 'adminAnalyticsLive',
    summary: 'Per live event: joins, peak viewers, chat messages and messages per minute',
    columns: ['bucket', 'liveEventId', 'joins', 'peakViewers', 'chatMessages', 'chatMessagesPerMinute'],
    rows: (figures, range) => figures.live(range),
  },
  {
    path: 'viewers',
    operationId: 'adminAnalyticsViewers',
    summary: 'Viewers watching now (first row) and streams started per bucket and plan',
    columns: ['bucket', 'planId', 'streamsStarted', 'concurrentViewers'],
    rows: (figures, range) => figures.viewers(range),
  },
  {
    path: 'peak-viewers',
    operationId: 'adminAnalyticsPeakViewers',
    summary: 'Peak concurrency: the most streams open at once in each bucket (sampled every minute)',
    columns: ['bucket', 'peakViewers'],
    rows: (figures, range) => figures.peakViewers(range),
  },
  {
    path: 'top-titles',
    operationId: 'adminAnalyticsTopTitles',
    summary: 'The 50 titles with the most plays over the range, with watch hours and completion rate',
    columns: ['titleId', 'plays', 'watchHours', 'completionRate'],
    rows: (figures, range) => figures.topTitles({ ...range, limit: 50 }),
  },
  {
    path: 'top-genres',
    operationId: 'adminAnalyticsTopGenres',
    summary: 'Genres by plays over the range (a title counts toward each of its genres), with watch hours',
    columns: ['genre', 'plays', 'titles', 'watchHours', 'completionRate'],
    rows: (figures, range) => figures.topGenres(range),
  },
];

/** The dashboard's figures (from the rollups), each as JSON or CSV. */
export const analyticsFiguresRoutes: FastifyPluginAsyncZod<AnalyticsFiguresRoutesOptions> = async (
  app,
  options,
) => {
  for (const figure of figureList) {
    app.get(
      `/api/admin/analytics/${figure.path}`,
      {
        config: { access: { permission: 'analytics:read' } },
        schema: {
          operationId: figure.operationId,
          tags,
          summary: figure.summary,
          description: `Columns: ${figure.columns.join(', ')}. Refusals: ANALYTICS_RANGE_INVALID (hour: at most 31 days; day: at most 400; month: at most 3660).`,
          querystring: figureQuery,
          produces: ['application/json', 'text/csv'],
          response: { 200: z.union([figureRows, z.string().describe('text/csv, with a header line')]) },
        },
      },
      async (request, reply) => {
        const { from, to, group, format } = request.query;
        const items = await figure.rows(options.figures, { group, from: new Date(from), to: new Date(to) });
        if (wantsCsv(format, request.headers.accept)) {
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${figure.path}.csv"`)
            .send(toCsv(figure.columns, items));
        }
        return { items };
      },
    );
  }
};
