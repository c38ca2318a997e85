import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, noContent } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import type { OffersService } from './offers.service.ts';
import type { PlansService } from './plans.service.ts';
import {
  couponCreate,
  couponPatch,
  couponSchema,
  planCreate,
  planParams,
  planPatch,
  planSchema,
} from './subscriptions.schemas.ts';

/** Administration of the price list: plans and offers (both `plans:manage`). */
export const priceListAdminRoutes: FastifyPluginAsyncZod<{
  plans: PlansService;
  offers: OffersService;
}> = async (app, { plans, offers }) => {
  const adminTags = ['admin'];
  app.get(
    '/api/admin/plans',
    {
      config: { access: { permission: 'plans:manage' } },
      schema: {
        operationId: 'adminListPlans',
        tags: adminTags,
        summary: 'Every plan, retired ones included',
        response: { 200: z.object({ plans: z.array(planSchema) }) },
      },
    },
    async () => ({ plans: await plans.list({ includeInactive: true }) }),
  );

  app.post(
    '/api/admin/plans',
    {
      config: { access: { permission: 'plans:manage' } },
      schema: {
        operationId: 'adminCreatePlan',
        tags: adminTags,
        summary: 'Create a plan with its prices and limits',
        body: planCreate,
        response: { 201: planSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await plans.create(requestContext(request), request.body)),
  );

  app.patch(
    '/api/admin/plans/:planId',
    {
      config: { access: { permission: 'plans:manage' } },
      schema: {
        operationId: 'adminUpdatePlan',
        tags: adminTags,
        summary: 'Change a plan (prices, when given, replace the list)',
        params: planParams,
        body: planPatch,
        response: { 200: planSchema },
      },
    },
    async (request) => plans.update(requestContext(request), request.params.planId, request.body),
  );

  app.delete(
    '/api/admin/plans/:planId',
    {
      config: { access: { permission: 'plans:manage' } },
      schema: {
        operationId: 'adminDeletePlan',
        tags: adminTags,
        summary: 'Delete a plan nobody uses (retire others with active: false)',
        params: planParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await plans.delete(requestContext(request), request.params.planId);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/admin/coupons',
    {
      config: { access: { permission: 'plans:manage' } },
      schema: {
        operationId: 'adminListCoupons',
        tags: adminTags,
        summary: 'Every coupon, with its redemption count',
        response: { 200: z.object({ coupons: z.array(couponSchema) }) },
      },
    },
    async () => ({ coupons: await offers.list() }),
  );

  app.post(
    '/api/admin/coupons',
    {
      config: { access: { permission: 'plans:manage' } },
      schema: {
        operationId: 'adminCreateCoupon',
        tags: adminTags,
        summary: 'Create a coupon',
        body: couponCreate,
        response: { 201: couponSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await offers.create(requestContext(request), request.body)),
  );

  app.patch(
    '/api/admin/coupons/:id',
    {
      config: { access: { permission: 'plans:manage' } },
      schema: {
        operationId: 'adminUpdateCoupon',
        tags: adminTags,
        summary: 'Rename, extend, limit or retire a coupon',
        params: idParams,
        body: couponPatch,
        response: { 200: couponSchema },
      },
    },
    async (request) => offers.update(requestContext(request), request.params.id, request.body),
  );

  app.delete(
    '/api/admin/coupons/:id',
    {
      config: { access: { permission: 'plans:manage' } },
      schema: {
        operationId: 'adminDeleteCoupon',
        tags: adminTags,
        summary: 'Delete an unused coupon, or retire a used one',
        params: idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await offers.delete(requestContext(request), request.params.id);
      return reply.status(204).send();
    },
  );
};
