import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageSchema } from '../../shared/pagination.ts';
import { idParams, noContent } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import type { SubscriptionsAdminService } from './subscriptions-admin.service.ts';
import {
  accountSubscriptionsSchema,
  adminPaymentSchema,
  adminSubscriptionSchema,
  complimentaryBody,
  metricsSchema,
  refundBody,
  subscriptionSearchQuery,
} from './subscriptions-admin.schemas.ts';

/** Support and analytics over subscriptions: `subscriptions:read` to look, `subscriptions:refund` to act. */
export const subscriptionsAdminRoutes: FastifyPluginAsyncZod<{ admin: SubscriptionsAdminService }> = async (
  app,
  { admin },
) => {
  const tags = ['admin'];
  const read = { access: { permission: 'subscriptions:read' as const } };
  const act = { access: { permission: 'subscriptions:refund' as const } };

  app.get(
    '/api/admin/subscriptions',
    {
      config: read,
      schema: {
        operationId: 'adminListSubscriptions',
        tags,
        summary: 'Search subscriptions by state, plan, provider, account or provider id, newest first',
        querystring: subscriptionSearchQuery,
        response: { 200: pageSchema(adminSubscriptionSchema) },
      },
    },
    async (request) => admin.search(request.query),
  );

  app.get(
    '/api/admin/subscriptions/metrics',
    {
      config: read,
      schema: {
        operationId: 'adminGetSubscriptionMetrics',
        tags,
        summary: 'MRR per currency, subscribers by plan and 30-day churn',
        response: { 200: metricsSchema },
      },
    },
    async () => admin.metrics(),
  );

  app.get(
    '/api/admin/users/:id/subscriptions',
    {
      config: read,
      schema: {
        operationId: 'adminGetAccountSubscriptions',
        tags,
        summary: 'An account’s subscriptions, payments and provider events',
        params: idParams,
        response: { 200: accountSubscriptionsSchema },
      },
    },
    async (request) => admin.account(request.params.id),
  );

  app.post(
    '/api/admin/subscription-payments/:id/refund',
    {
      config: act,
      schema: {
        operationId: 'adminRefundPayment',
        tags,
        summary: 'Refund a payment (or part of it) through its provider; audited',
        params: idParams,
        body: refundBody,
        response: { 200: adminPaymentSchema },
      },
    },
    async (request) => admin.refund(requestContext(request), request.params.id, request.body),
  );

  app.post(
    '/api/admin/users/:id/complimentary-plan',
    {
      config: act,
      schema: {
        operationId: 'adminGrantComplimentaryPlan',
        tags,
        summary: 'Put an account on a plan for free (ends its running subscription); audited',
        params: idParams,
        body: complimentaryBody,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await admin.grantComplimentary(requestContext(request), {
        userId: request.params.id,
        planId: request.body.planId,
        until: request.body.until ?? null,
      });
      return reply.status(204).send();
    },
  );
};
