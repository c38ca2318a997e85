import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { pageQuery, pageSchema } from '../../shared/pagination.ts';
import { idParams, isoDate, multilineText, noContent } from '../../shared/schemas.ts';
import { userOf } from '../identity/index.ts';
import { REPORT_REASONS } from './comment-moderation.repository.ts';
import type { CommentsService } from './comments.service.ts';
import { memberFrom } from './member.ts';

export interface CommentsRoutesOptions {
  comments: CommentsService;
  clock: Clock;
  countryHeader: string | undefined;
}

const tags = ['engagement'];
export const COMMENT_MAX_CHARACTERS = 2000;

const commentBody = multilineText({ min: 1, max: COMMENT_MAX_CHARACTERS }).describe(
  'Plain text: stored and returned as sent, never interpreted as HTML',
);
const commentSchema = z
  .object({
    id: z.uuid(),
    titleId: z.uuid(),
    parentId: z.uuid().nullable(),
    authorName: z.string(),
    body: z.string().nullable().describe('null once its author deleted it'),
    replyCount: z.number().int(),
    createdAt: isoDate,
    editedAt: isoDate.nullable(),
    mine: z.boolean(),
  })
  .meta({ id: 'Comment' });

/** Comments on titles (their moderation: `comment-moderation.routes.ts`). */
export const commentsRoutes: FastifyPluginAsyncZod<CommentsRoutesOptions> = async (app, options) => {
  const { comments } = options;
  const memberOf = (request: FastifyRequest) => memberFrom(request, options);

  app.get(
    '/api/titles/:id/comments',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listComments',
        tags,
        summary: 'Top-level comments on a title, newest or most replied first',
        params: idParams,
        querystring: pageQuery.extend({ sort: z.enum(['newest', 'top']).default('newest') }),
        response: { 200: pageSchema(commentSchema) },
      },
    },
    async (request) => comments.list(memberOf(request), request.params.id, request.query),
  );

  app.post(
    '/api/titles/:id/comments',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'postComment',
        tags,
        summary: 'Comment on a title, or reply to a top-level comment (`parentId`)',
        description:
          'Refusals: ENGAGEMENT_COMMENT_KIDS_PROFILE (kids profiles read comments, never post), ENGAGEMENT_COMMENT_BANNED, ENGAGEMENT_COMMENT_BLOCKED_WORD, ENGAGEMENT_COMMENT_NESTED, ENGAGEMENT_COMMENT_RATE_LIMITED (COMMENTS_PER_MINUTE).',
        params: idParams,
        body: z.object({ body: commentBody, parentId: z.uuid().optional() }),
        response: { 201: commentSchema },
      },
    },
    async (request, reply) => {
      const actor = userOf(request);
      const comment = await comments.post(
        { ...memberOf(request), authorName: actor.profile?.name ?? actor.account.name },
        request.params.id,
        request.body,
      );
      return reply.code(201).send(comment);
    },
  );

  app.get(
    '/api/comments/:id/replies',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listCommentReplies',
        tags,
        summary: 'Replies to a comment, newest first',
        params: idParams,
        querystring: pageQuery,
        response: { 200: pageSchema(commentSchema) },
      },
    },
    async (request) => comments.replies(memberOf(request), request.params.id, request.query),
  );

  app.patch(
    '/api/comments/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'editComment',
        tags,
        summary: 'Edit one’s own comment within COMMENT_EDIT_MINUTES of posting',
        description: 'Refusals: ENGAGEMENT_COMMENT_EDIT_CLOSED, ENGAGEMENT_COMMENT_BLOCKED_WORD.',
        params: idParams,
        body: z.object({ body: commentBody }),
        response: { 200: commentSchema },
      },
    },
    async (request) => comments.edit(memberOf(request), request.params.id, request.body.body),
  );

  app.delete(
    '/api/comments/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'deleteComment',
        tags,
        summary: 'Delete one’s own comment (its replies stay)',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await comments.delete(memberOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/comments/:id/report',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'reportComment',
        tags,
        summary: 'Report a comment; COMMENT_HIDE_AFTER_REPORTS accounts’ reports hide it',
        description: 'Once per account (a report a moderator dismissed still counts as made).',
        params: idParams,
        // No body at all is a report without a reason (Fastify hands the schema a null body).
        body: z
          .object({ reason: z.enum(REPORT_REASONS).default('other') })
          .nullish()
          .describe('Why; no body: other'),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await comments.report(memberOf(request), request.params.id, request.body?.reason ?? 'other');
      return reply.code(204).send();
    },
  );
};
