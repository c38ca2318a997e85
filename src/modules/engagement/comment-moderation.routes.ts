import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageQuery, pageSchema } from '../../shared/pagination.ts';
import { idParams, isoDate, noContent } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import { REPORT_REASONS } from './comment-moderation.repository.ts';
import type { CommentModerationService } from './comment-moderation.service.ts';

export interface CommentModerationRoutesOptions {
  moderation: CommentModerationService;
}

const tags = ['engagement'];
const moderate = { permission: 'comments:moderate' } as const;

const moderationItem = z
  .object({
    id: z.uuid(),
    titleId: z.uuid(),
    parentId: z.uuid().nullable(),
    authorId: z.uuid(),
    authorName: z.string(),
    body: z.string().describe('Plain text, as posted (render as text, never as HTML)'),
    createdAt: isoDate,
    editedAt: isoDate.nullable(),
    hiddenAt: isoDate.nullable().describe('When reports hid it; null: shown'),
    reportCount: z.number().int().describe('Open (not dismissed) reports'),
    reports: z.array(z.object({ reason: z.enum(REPORT_REASONS), count: z.number().int() })),
    lastReportedAt: isoDate.nullable(),
  })
  .meta({ id: 'ModerationComment' });

/** The comment moderation of `support` and `admin` (`comments:moderate`); every change audited. */
export const commentModerationRoutes: FastifyPluginAsyncZod<CommentModerationRoutesOptions> = async (
  app,
  options,
) => {
  const { moderation } = options;

  app.get(
    '/api/admin/comments',
    {
      config: { access: moderate },
      schema: {
        operationId: 'adminListModerationComments',
        tags,
        summary: 'The moderation queue: hidden and reported comments, newest first',
        querystring: pageQuery.extend({
          status: z
            .enum(['all', 'hidden', 'reported'])
            .default('all')
            .describe('hidden: hidden by reports; reported: with open reports; all: either'),
        }),
        response: { 200: pageSchema(moderationItem) },
      },
    },
    async (request) =>
      moderation.queue({
        filter: request.query.status,
        cursor: request.query.cursor,
        limit: request.query.limit,
      }),
  );

  app.post(
    '/api/admin/comments/:id/restore',
    {
      config: { access: moderate },
      schema: {
        operationId: 'adminRestoreComment',
        tags,
        summary: 'Show a comment hidden by reports again, dismissing its reports',
        description: 'Refusals: ENGAGEMENT_COMMENT_NOT_HIDDEN (409).',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await moderation.restore(requestContext(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/admin/comments/:id/dismiss-reports',
    {
      config: { access: moderate },
      schema: {
        operationId: 'adminDismissCommentReports',
        tags,
        summary: 'Dismiss a comment’s open reports (it stays shown or hidden as it is)',
        params: idParams,
        response: { 200: z.object({ dismissed: z.number().int().describe('Reports that were open') }) },
      },
    },
    async (request) => moderation.dismissReports(requestContext(request), request.params.id),
  );

  app.delete(
    '/api/admin/comments/:id',
    {
      config: { access: moderate },
      schema: {
        operationId: 'adminRemoveComment',
        tags,
        summary: 'Remove a comment (support, admin)',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await moderation.remove(requestContext(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.put(
    '/api/admin/users/:id/comment-ban',
    {
      config: { access: moderate },
      schema: {
        operationId: 'adminBanCommenter',
        tags,
        summary: 'Stop an account from posting comments (idempotent)',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await moderation.ban(requestContext(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/admin/users/:id/comment-ban',
    {
      config: { access: moderate },
      schema: {
        operationId: 'adminUnbanCommenter',
        tags,
        summary: 'Let a banned account comment again',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await moderation.unban(requestContext(request), request.params.id);
      return reply.code(204).send();
    },
  );
};
