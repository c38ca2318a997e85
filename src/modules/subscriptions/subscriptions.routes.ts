import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { noContent } from '../../shared/schemas.ts';
import { requestContext, userOf } from '../identity/index.ts';
import type { OffersService } from './offers.service.ts';
import type { PlansService } from './plans.service.ts';
import type { ProviderEventsService } from './provider-events.service.ts';
import {
  cancelBody,
  changePlanBody,
  checkoutSchema,
  offerSchema,
  paymentSchema,
  planSchema,
  subscribeBody,
  subscriptionStatusSchema,
} from './subscriptions.schemas.ts';
import type { CheckoutService } from './checkout.service.ts';
import type { SubscriptionsService } from './subscriptions.service.ts';
import { sandboxRoutes } from './webhooks.routes.ts';

export interface SubscriptionsRoutesOptions {
  plans: PlansService;
  offers: OffersService;
  subscriptions: SubscriptionsService;
  checkout: CheckoutService;
  events: ProviderEventsService;
  planIdOf: (userId: string) => Promise<string>;
  sandboxEnabled: boolean;
}

/** Plans, offers and the viewer's subscription. */
export const subscriptionsRoutes: FastifyPluginAsyncZod<SubscriptionsRoutesOptions> = async (
  app,
  options,
) => {
  const { plans, offers, subscriptions, checkout, planIdOf } = options;
  /**
   * The status body per cached answer: the in-process cache hands every request the same frozen
   * object until the status changes (a change makes a new one), so it is serialised once, not per
   * request — GET /api/subscription/status is asked on every app start. With Redis each read
   * parses a new object and this misses. Weakly keyed: an entry goes with its cache entry.
   */
  const statusBodies = new WeakMap<object, string>();

  function sendStatus(reply: FastifyReply, snapshot: object): void {
    let body = statusBodies.get(snapshot);
    if (body === undefined) {
      // The route's own serializer (only the schema's fields; ISO strings written as they are).
      const serialized: unknown = reply.serialize(snapshot);
      body =
        typeof serialized === 'string' ? serialized : Buffer.from(serialized as ArrayBuffer).toString('utf8');
      if (Object.isFrozen(snapshot)) statusBodies.set(snapshot, body);
    }
    reply.type('application/json; charset=utf-8').send(body);
  }

  const tags = ['subscriptions'];

  app.get(
    '/api/plans',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listPlans',
        tags,
        summary: 'Every plan on offer: prices per currency and interval, and what it allows',
        response: { 200: z.object({ plans: z.array(planSchema) }) },
      },
    },
    async () => ({ plans: await plans.list({ includeInactive: false }) }),
  );

  app.get(
    '/api/offers',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listOffers',
        tags,
        summary: 'Coupons and promotions on offer now',
        response: { 200: z.object({ offers: z.array(offerSchema) }) },
      },
    },
    async () => ({ offers: await offers.current() }),
  );

  app.post(
    '/api/subscribe',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'subscribe',
        tags,
        summary: 'Start checkout for a plan; answers where to pay (the sandbox pays locally)',
        body: subscribeBody,
        response: { 201: checkoutSchema },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      return reply
        .status(201)
        .send(await checkout.subscribe({ userId: user.userId, email: null }, request.body));
    },
  );

  app.get(
    '/api/subscription/status',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getSubscriptionStatus',
        tags,
        summary: 'The account’s plan, subscription state, period, trial, offer and entitlements',
        response: { 200: subscriptionStatusSchema },
      },
    },
    // Not async: a cached answer goes out without a promise (most requests), else it is read.
    (request, reply) => {
      const { userId } = userOf(request);
      const cached = subscriptions.peekStatus(userId);
      if (cached) {
        sendStatus(reply, cached);
        return;
      }
      subscriptions
        .statusSnapshot(userId, () => planIdOf(userId))
        .then(
          (snapshot) => sendStatus(reply, snapshot),
          (error: unknown) => void (reply as FastifyReply).send(error),
        );
    },
  );

  app.post(
    '/api/subscription/cancel',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'cancelSubscription',
        tags,
        summary: 'Cancel at the period end (default) or now',
        body: cancelBody,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await subscriptions.cancel(requestContext(request), userOf(request).userId, request.body);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/subscription/resume',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'resumeSubscription',
        tags,
        summary: 'Keep a subscription that was set to end at the period end',
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await subscriptions.resume(requestContext(request), userOf(request).userId);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/subscription/plan',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'changeSubscriptionPlan',
        tags,
        summary: 'Change plan: an upgrade applies now, a downgrade at the period end',
        body: changePlanBody,
        response: { 200: z.object({ effective: z.enum(['now', 'period_end']) }) },
      },
    },
    async (request) => ({
      effective: await subscriptions.changePlan(
        requestContext(request),
        userOf(request).userId,
        request.body.planId,
      ),
    }),
  );

  app.get(
    '/api/subscription/payments',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listSubscriptionPayments',
        tags,
        summary: 'Payment history (invoices), newest first',
        response: { 200: z.object({ payments: z.array(paymentSchema) }) },
      },
    },
    async (request) => ({ payments: await subscriptions.payments(userOf(request).userId) }),
  );

  if (options.sandboxEnabled) await app.register(sandboxRoutes, { events: options.events });
};
