import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { noContent } from '../../shared/schemas.ts';
import { userOf } from '../identity/index.ts';
import { clickThroughSchema, ruleBody, ruleRow, whySchema } from './recommendations.schemas.ts';
import type { RecommendationsAdminService } from './recommendations-admin.service.ts';

export interface RecommendationsAdminRoutesOptions {
  recommendations: RecommendationsAdminService;
}

const tags = ['recommendations'];

/** Admins: pin or exclude titles per row, read why a title was recommended to a profile, click-through per row. */
export const recommendationsAdminRoutes: FastifyPluginAsyncZod<RecommendationsAdminRoutesOptions> = async (
  app,
  options,
) => {
  const { recommendations } = options;

  app.put(
    '/api/admin/recommendations/rules',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminSetRecommendationRule',
        tags,
        summary: 'Pin a title to the front of a row kind, or exclude it from one (or from all: row "all")',
        body: ruleBody,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await recommendations.setRule({ ...request.body, by: userOf(request).userId });
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/admin/recommendations/rules/:row/:titleId',
    {
      config: { access: { permission: 'content:write' } },
      schema: {
        operationId: 'adminDeleteRecommendationRule',
        tags,
        summary: 'Remove a pin or exclude',
        params: z.object({ row: ruleRow, titleId: z.uuid() }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await recommendations.removeRule(request.params);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/admin/recommendations/profiles/:profileId/why/:titleId',
    {
      config: { access: { permission: 'users:read' } },
      schema: {
        operationId: 'adminExplainRecommendation',
        tags,
        summary:
          'Why a title is (or is not) recommended to a profile: its rows, reasons, source title and rules',
        params: z.object({ profileId: z.uuid(), titleId: z.uuid() }),
        response: { 200: whySchema },
      },
    },
    async (request) => recommendations.why(request.params.profileId, request.params.titleId),
  );

  app.get(
    '/api/admin/recommendations/click-through',
    {
      config: { access: { permission: 'analytics:read' } },
      schema: {
        operationId: 'adminRecommendationClickThrough',
        tags,
        summary: 'Impressions, clicks and click-through per row kind over the last days',
        querystring: z.object({ days: z.coerce.number().int().min(1).max(365).default(7) }),
        response: { 200: clickThroughSchema },
      },
    },
    async (request) => recommendations.clickThrough(request.query.days),
  );
};
