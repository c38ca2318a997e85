import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { pageQuery, pageSchema } from '../../shared/pagination.ts';
import { idParams, isoDate, noContent } from '../../shared/schemas.ts';
import { MY_LIST_MAX, type EngagementService } from './engagement.service.ts';
import { memberFrom } from './member.ts';
import type { ProgressRecorder } from './progress.service.ts';

export interface EngagementRoutesOptions {
  engagement: EngagementService;
  recorder: ProgressRecorder;
  clock: Clock;
  countryHeader: string | undefined;
}

const tags = ['engagement'];
const MAX_SECONDS = 1_000_000;

const reaction = z.enum(['up', 'down']);
const aggregates = {
  ratingCount: z.number().int(),
  ratingAverage: z.number().nullable(),
  ratingScore: z.number().nullable().describe('The Bayesian score the catalog sorts "top rated" by'),
};
const listItem = z
  .object({ titleId: z.uuid(), kind: z.enum(['movie', 'series']), name: z.string(), addedAt: isoDate })
  .meta({ id: 'MyListItem' });
const continueItem = z
  .object({
    itemId: z.uuid(),
    titleId: z.uuid(),
    kind: z.enum(['movie', 'episode']),
    name: z.string(),
    positionSeconds: z.number(),
    durationSeconds: z.number().nullable(),
    updatedAt: isoDate,
  })
  .meta({ id: 'ContinueWatchingItem' });
const historyItem = z
  .object({
    itemId: z.uuid(),
    titleId: z.uuid(),
    name: z.string().nullable().describe('null when the profile may no longer see the item'),
    positionSeconds: z.number(),
    durationSeconds: z.number().nullable(),
    finished: z.boolean(),
    watchedAt: isoDate,
  })
  .meta({ id: 'HistoryItem' });

/**
 * Engagement per active profile: thumbs, star ratings, My List, history, continue watching and
 * progress reports from players without a stream. Every route acts on the caller's own profile.
 */
export const engagementRoutes: FastifyPluginAsyncZod<EngagementRoutesOptions> = async (app, options) => {
  const { engagement, recorder } = options;
  const memberOf = (request: FastifyRequest) => memberFrom(request, options);

  app.get(
    '/api/titles/:id/opinion',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getTitleOpinion',
        tags,
        summary: 'The active profile’s thumb and stars for a title',
        params: idParams,
        response: {
          200: z.object({ titleId: z.uuid(), reaction: reaction.nullable(), stars: z.number().nullable() }),
        },
      },
    },
    async (request) => engagement.opinion(memberOf(request), request.params.id),
  );

  app.put(
    '/api/titles/:id/reaction',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'reactToTitle',
        tags,
        summary: 'Thumbs up or down for a title, as the active profile (idempotent)',
        params: idParams,
        body: z.object({ reaction }),
        response: { 200: z.object({ titleId: z.uuid(), reaction }) },
      },
    },
    async (request) => engagement.react(memberOf(request), request.params.id, request.body.reaction),
  );

  app.delete(
    '/api/titles/:id/reaction',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'removeTitleReaction',
        tags,
        summary: 'Take back the active profile’s thumb (idempotent)',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await engagement.unreact(memberOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.put(
    '/api/titles/:id/rating',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'rateTitle',
        tags,
        summary: 'Rate a title for the active profile (0.5–5 in half stars)',
        description:
          'The title’s count, average and score change in the same transaction. Refusals: ENGAGEMENT_PROFILE_REQUIRED.',
        params: idParams,
        body: z.object({ stars: z.number().multipleOf(0.5).min(0.5).max(5) }),
        response: { 200: z.object({ titleId: z.uuid(), stars: z.number(), ...aggregates }) },
      },
    },
    async (request) => engagement.rate(memberOf(request), request.params.id, request.body.stars),
  );

  app.delete(
    '/api/titles/:id/rating',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'removeTitleRating',
        tags,
        summary: 'Remove the active profile’s rating of a title (idempotent)',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await engagement.unrate(memberOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/me/list',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getMyList',
        tags,
        summary: 'My List of the active profile, in its order',
        response: { 200: z.object({ items: z.array(listItem) }) },
      },
    },
    async (request) => engagement.list(memberOf(request)),
  );

  app.put(
    '/api/me/list',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'reorderMyList',
        tags,
        summary: 'Reorder My List: the named titles first, in this order',
        description: 'Refusals: ENGAGEMENT_LIST_ORDER_MISMATCH (a title not in the list, or named twice).',
        body: z.object({ titleIds: z.array(z.uuid()).min(1).max(MY_LIST_MAX) }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await engagement.reorderList(memberOf(request), request.body.titleIds);
      return reply.code(204).send();
    },
  );

  app.put(
    '/api/me/list/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'addToMyList',
        tags,
        summary: 'Add a title to the top of My List (idempotent)',
        description: 'Refusals: ENGAGEMENT_LIST_FULL.',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await engagement.addToList(memberOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/me/list/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'removeFromMyList',
        tags,
        summary: 'Remove a title from My List',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await engagement.removeFromList(memberOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/me/continue-watching',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getContinueWatching',
        tags,
        summary: 'In-progress items of the active profile, most recent first, one per title',
        description:
          'Finished items leave it; when an episode ends, the next episode of its series takes its place.',
        response: { 200: z.object({ items: z.array(continueItem) }) },
      },
    },
    async (request) => engagement.continueWatching(memberOf(request)),
  );

  app.get(
    '/api/me/rows',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getPersonalRows',
        tags,
        summary: 'The active profile’s own home rows (continue watching, My List)',
        description:
          'The client shows these above the shared rows of /api/home, which stay cached per audience: personal rows are never in a shared cache.',
        response: {
          200: z.object({
            continueWatching: z.array(continueItem),
            myList: z.array(listItem),
          }),
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const [continuing, list] = await Promise.all([
        engagement.continueWatching(member),
        engagement.list(member),
      ]);
      return { continueWatching: continuing.items, myList: list.items };
    },
  );

  app.get(
    '/api/me/history',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getWatchHistory',
        tags,
        summary: 'What the active profile watched, newest first',
        querystring: pageQuery,
        response: { 200: pageSchema(historyItem) },
      },
    },
    async (request) => engagement.history(memberOf(request), request.query),
  );

  app.delete(
    '/api/me/history',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'clearWatchHistory',
        tags,
        summary: 'Clear the active profile’s whole history (and its resume positions)',
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await engagement.forgetAll(memberOf(request));
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/me/history/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'removeFromWatchHistory',
        tags,
        summary: 'Remove one movie or episode from the active profile’s history',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await engagement.forget(memberOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/progress',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'recordProgress',
        tags,
        summary: 'Report a position without a stream (offline playback syncing back)',
        description:
          'Buffered and written within ENGAGEMENT_PROGRESS_FLUSH_MS; the latest by `at` (the player’s time, capped at the server’s now) wins. A position past `durationSeconds` (without one: the length an earlier report gave) is clamped to it. Refusals: 503 ENGAGEMENT_PROGRESS_BUSY when the buffer is full (retry after a second).',
        body: z.object({
          itemId: z.uuid(),
          positionSeconds: z.number().min(0).max(MAX_SECONDS),
          durationSeconds: z.number().positive().max(MAX_SECONDS).optional(),
          at: isoDate.optional().describe('When the player was at this position'),
        }),
        response: { 202: z.object({ positionSeconds: z.number(), finished: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const member = memberOf(request);
      const recorded = await recorder.record({
        userId: member.userId,
        profileId: member.profileId,
        itemId: request.body.itemId,
        positionSeconds: request.body.positionSeconds,
        durationSeconds: request.body.durationSeconds ?? null,
        ...(request.body.at && { at: request.body.at }),
        viewer: member.viewer,
      });
      return reply.code(202).send(recorded);
    },
  );
};
