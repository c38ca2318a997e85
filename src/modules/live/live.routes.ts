import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { pageQuery, pageSchema } from '../../shared/pagination.ts';
import { idParams, noContent } from '../../shared/schemas.ts';
import { viewerFrom } from '../catalog/index.ts';
import { can, requestContext, userOf } from '../identity/index.ts';
import type { ChatService } from './chat.service.ts';
import type { LiveEventsService } from './live-events.service.ts';
import {
  chatTicketSchema,
  liveEventInput,
  liveEventPatch,
  liveEventSchema,
  streamKeySchema,
} from './live.schemas.ts';

const adminLiveEventSchema = liveEventSchema
  .extend({
    viewersNow: z
      .number()
      .int()
      .describe('People watching (in the chat) now; trails by one or two presence intervals'),
  })
  .meta({ id: 'AdminLiveEvent' });

export interface LiveRoutesOptions {
  events: LiveEventsService;
  chat: ChatService;
  /** People in the event now (the chat's presence count, summed over instances; see presence.ts). */
  viewersNow(eventId: string): number;
  clock: Clock;
  countryHeader: string | undefined;
}

const adminTags = ['live admin'];
const tags = ['live'];
const access = { permission: 'content:write' } as const;

/** Live events: admins schedule them (content:write); viewers look and get chat tickets. */
export const liveRoutes: FastifyPluginAsyncZod<LiveRoutesOptions> = async (app, options) => {
  const { events, chat } = options;

  app.post(
    '/api/admin/live-events',
    {
      config: { access },
      schema: {
        operationId: 'adminCreateLiveEvent',
        tags: adminTags,
        summary: 'Schedule a live event; the answer carries its stream key, shown only this once',
        body: liveEventInput,
        response: { 201: z.object({ event: liveEventSchema, streamKey: streamKeySchema.shape.streamKey }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await events.create(requestContext(request), request.body)),
  );

  app.get(
    '/api/admin/live-events',
    {
      config: { access },
      schema: {
        operationId: 'adminListLiveEvents',
        tags: adminTags,
        summary: 'Live events, newest first, each with its viewer count now',
        querystring: pageQuery,
        response: { 200: pageSchema(adminLiveEventSchema) },
      },
    },
    async (request) => {
      const page = await events.list(request.query);
      return {
        ...page,
        items: page.items.map((event) => ({ ...event, viewersNow: options.viewersNow(event.id) })),
      };
    },
  );

  app.get(
    '/api/admin/live-events/:id',
    {
      config: { access },
      schema: {
        operationId: 'adminGetLiveEvent',
        tags: adminTags,
        summary: 'A live event as admins see it',
        params: idParams,
        response: { 200: liveEventSchema },
      },
    },
    async (request) => events.get(request.params.id),
  );

  app.patch(
    '/api/admin/live-events/:id',
    {
      config: { access },
      schema: {
        operationId: 'adminUpdateLiveEvent',
        tags: adminTags,
        summary: 'Change a live event’s title, schedule or gates',
        params: idParams,
        body: liveEventPatch,
        response: { 200: liveEventSchema },
      },
    },
    async (request) => events.update(requestContext(request), request.params.id, request.body),
  );

  app.delete(
    '/api/admin/live-events/:id',
    {
      config: { access },
      schema: {
        operationId: 'adminDeleteLiveEvent',
        tags: adminTags,
        summary: 'Delete a live event and its chat',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await events.remove(requestContext(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/admin/live-events/:id/stream-key',
    {
      config: { access },
      schema: {
        operationId: 'adminRotateLiveStreamKey',
        tags: adminTags,
        summary: 'Replace the stream key (shown once); the old one is refused from now on',
        params: idParams,
        response: { 200: streamKeySchema },
      },
    },
    async (request) => events.rotateStreamKey(requestContext(request), request.params.id),
  );

  app.get(
    '/api/live',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listLiveEvents',
        tags,
        summary: 'Live now and coming up: events on air, then those of the next days, soonest first',
        description:
          'Hidden by region or maturity exactly as titles are; events above the viewer’s plan are listed with their tier (GET /api/live/:id then answers 402). At most 50.',
        querystring: z.object({
          days: z.coerce
            .number()
            .int()
            .min(1)
            .max(30)
            .default(7)
            .describe('How far ahead scheduled events are listed'),
        }),
        response: { 200: z.object({ items: z.array(liveEventSchema) }) },
      },
    },
    async (request) => ({
      items: await events.onAirAndUpcoming(viewerFrom(request, options), { days: request.query.days }),
    }),
  );

  app.get(
    '/api/live/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getLiveEvent',
        tags,
        summary: 'A live event the viewer may watch (region, maturity and plan as for titles)',
        description:
          'Refusals: LIVE_EVENT_NOT_FOUND (also when hidden by region or maturity), LIVE_PLAN_REQUIRED.',
        params: idParams,
        response: { 200: liveEventSchema },
      },
    },
    async (request) =>
      events.forViewer(request.params.id, {
        ...viewerFrom(request, options),
        userId: userOf(request).userId,
      }),
  );

  app.post(
    '/api/live/:id/chat-ticket',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'createLiveChatTicket',
        tags,
        summary:
          'A short-lived, single-use ticket to join the event’s chat over WebSocket (docs/LIVE-CHAT.md)',
        description: 'Refusals: LIVE_EVENT_NOT_FOUND, LIVE_PLAN_REQUIRED.',
        params: idParams,
        response: { 201: chatTicketSchema },
      },
    },
    async (request, reply) => {
      const actor = userOf(request);
      const ticket = await chat.issueTicket({
        eventId: request.params.id,
        viewer: { ...viewerFrom(request, options), userId: actor.userId },
        authorName: actor.profile?.name ?? actor.account.name,
        moderator: can(actor, 'comments:moderate'),
      });
      return reply.status(201).send(ticket);
    },
  );
};
