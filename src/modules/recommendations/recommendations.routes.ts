import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { idParams, noContent } from '../../shared/schemas.ts';
import { viewerFrom } from '../catalog/index.ts';
import { userOf } from '../identity/index.ts';
import { feedbackBody, recommendationRow, recommendedItem } from './recommendations.schemas.ts';
import type { RecommendationsAdminService } from './recommendations-admin.service.ts';
import { subjectOf, type RecommendationsService } from './recommendations.service.ts';

export interface RecommendationsRoutesOptions {
  recommendations: RecommendationsService;
  /** Where impressions and clicks are recorded. */
  feedback: Pick<RecommendationsAdminService, 'recordFeedback'>;
  clock: Clock;
  countryHeader: string | undefined;
  /** The tier of the account's plan (subscriptions'), so no row offers what the plan can't play. */
  planTierOf?: (userId: string) => Promise<number>;
}

const tags = ['recommendations'];

/** The active profile's rows, "more like this", "not interested" and the rows' impressions and clicks. */
export const recommendationsRoutes: FastifyPluginAsyncZod<RecommendationsRoutesOptions> = async (
  app,
  options,
) => {
  const { recommendations, feedback } = options;
  /**
   * The body per served rows, as the bytes that go out: the service hands out the same frozen rows
   * until an input changes, so they are serialised and UTF-8 encoded once, not per request (a
   * profile's rows are tens of kilobytes; encoding them and measuring the string was a visible
   * share of the request, bench:cpu). Weakly keyed: an entry goes with its rows.
   */
  const bodies = new WeakMap<readonly object[], Buffer>();
  const who = async (request: FastifyRequest) => {
    const actor = userOf(request);
    const planTier = await options.planTierOf?.(actor.userId);
    return {
      userId: actor.userId,
      subject: subjectOf(actor.userId, actor.profile?.id ?? null),
      viewer: { ...viewerFrom(request, options), ...(planTier !== undefined && { planTier }) },
    };
  };

  app.get(
    '/api/recommendations',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getRecommendations',
        tags,
        summary:
          'Rows for the active profile: top picks, because you watched, trending, genres — each item with its reason',
        response: { 200: z.object({ rows: z.array(recommendationRow) }) },
      },
    },
    async (request, reply) => {
      const actor = userOf(request);
      // The plan's tier only when the rows are built anew: while the account's stamp holds, the
      // served rows are the same as before (a plan change moves the stamp).
      const rows = await recommendations.rowsFor({
        subject: subjectOf(actor.userId, actor.profile?.id ?? null),
        userId: actor.userId,
        viewer: viewerFrom(request, options),
        planTier: async () => options.planTierOf?.(actor.userId),
      });
      let body = bodies.get(rows);
      if (body === undefined) {
        const serialized: unknown = reply.serialize({ rows });
        body =
          typeof serialized === 'string'
            ? Buffer.from(serialized, 'utf8')
            : Buffer.from(serialized as ArrayBuffer);
        bodies.set(rows, body);
      }
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(body);
    },
  );

  app.get(
    '/api/titles/:id/similar',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listSimilarTitles',
        tags,
        summary: 'Titles like this one that the active profile may watch',
        params: idParams,
        response: { 200: z.object({ titleId: z.uuid(), items: z.array(recommendedItem) }) },
      },
    },
    async (request) => {
      const { subject, userId, viewer } = await who(request);
      return {
        titleId: request.params.id,
        items: await recommendations.similar({ titleId: request.params.id, subject, userId, viewer }),
      };
    },
  );

  app.post(
    '/api/recommendations/not-interested',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'markNotInterested',
        tags,
        summary: 'Never recommend this title to the active profile again (takes effect at once)',
        body: z.object({ titleId: z.uuid() }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      const { subject, userId, viewer } = await who(request);
      await recommendations.notInterested({ subject, userId, viewer, titleId: request.body.titleId });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/recommendations/feedback',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'recordRecommendationFeedback',
        tags,
        summary: 'Record impressions and clicks of recommended titles, per row (for click-through)',
        body: feedbackBody,
        response: { 200: z.object({ recorded: z.number().int() }) },
      },
    },
    async (request) => {
      const { subject, userId } = await who(request);
      return {
        recorded: await feedback.recordFeedback({ subject, userId, events: request.body.events }),
      };
    },
  );
};
