import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, noContent } from '../../shared/schemas.ts';
import { requestContext, userOf } from '../identity/index.ts';
import type { OffersService } from './offers.service.ts';
import type { PlansService } from './plans.service.ts';
import type { ProviderEventsService } from './provider-events.service.ts';
import { sandboxCheckoutPage } from './sandbox-page.ts';
import { WebhookNotConfigured, WebhookSignatureInvalid } from './subscriptions.errors.ts';
import {
  cancelBody,
  changePlanBody,
  checkoutSchema,
  couponCreate,
  couponPatch,
  couponSchema,
  offerSchema,
  paymentSchema,
  planCreate,
  planParams,
  planPatch,
  planSchema,
  subscribeBody,
  subscriptionStatusSchema,
  webhookAck,
} from './subscriptions.schemas.ts';
import type { SubscriptionsService } from './subscriptions.service.ts';

export interface SubscriptionsRoutesOptions {
  plans: PlansService;
  offers: OffersService;
  subscriptions: SubscriptionsService;
  events: ProviderEventsService;
  planIdOf: (userId: string) => Promise<string>;
  sandboxEnabled: boolean;
}

/** Plans, offers and the viewer's subscription. */
export const subscriptionsRoutes: FastifyPluginAsyncZod<SubscriptionsRoutesOptions> = async (
  app,
  options,
) => {
  const { plans, offers, subscriptions, planIdOf } = options;
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
        .send(await subscriptions.subscribe({ userId: user.userId, email: null }, request.body));
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
    async (request) => {
      const { userId } = userOf(request);
      return subscriptions.status(userId, () => planIdOf(userId));
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

  // Administration: plans (plans:manage) and offers (plans:manage too: they are the price list).
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

  if (options.sandboxEnabled) await app.register(sandboxRoutes, { events: options.events });
};

const checkoutParams = z.object({
  checkoutId: z.string().regex(/^sbx_sub_[A-Za-z0-9_-]{10,64}$/, 'must be a sandbox checkout id'),
});

/** The sandbox's checkout page: labelled as a sandbox, no money moves. */
const sandboxRoutes: FastifyPluginAsyncZod<{ events: ProviderEventsService }> = async (app, { events }) => {
  // Browsers post the page's form url-encoded; only in this plugin's scope.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  const tags = ['subscriptions'];

  app.get(
    '/api/sandbox/checkout/:checkoutId',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getSandboxCheckout',
        tags,
        summary: 'SANDBOX checkout page (no money moves): succeed, fail or stay pending',
        params: checkoutParams,
        produces: ['text/html'],
        response: { 200: z.string() },
      },
    },
    async (request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        )
        .send(sandboxCheckoutPage(request.params.checkoutId)),
  );

  app.post(
    '/api/sandbox/checkout/:checkoutId',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'completeSandboxCheckout',
        tags,
        summary: 'SANDBOX: pay (succeed), decline (fail) or leave the checkout pending',
        params: checkoutParams,
        body: z.object({ outcome: z.enum(['succeed', 'fail', 'pending']) }),
        response: {
          200: z.object({ status: z.enum(['succeeded', 'failed', 'pending']), sandbox: z.literal(true) }),
        },
      },
    },
    async (request) => ({
      ...(await events.sandboxOutcome(request.params.checkoutId, request.body.outcome)),
      sandbox: true as const,
    }),
  );
};

const signatureHeader = { stripe: 'stripe-signature', razorpay: 'x-razorpay-signature' } as const;

/** Provider webhooks: the raw body is what is signed, so it is kept as bytes. */
export const webhookRoutes: FastifyPluginAsyncZod<{
  events: ProviderEventsService;
  subscriptions: SubscriptionsService;
}> = async (app, { events, subscriptions }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  const tags = ['webhooks'];

  for (const provider of ['stripe', 'razorpay'] as const) {
    app.post(
      `/api/webhooks/${provider}`,
      {
        config: { access: { credential: provider === 'stripe' ? 'stripeSignature' : 'razorpaySignature' } },
        schema: {
          operationId: provider === 'stripe' ? 'receiveStripeWebhook' : 'receiveRazorpayWebhook',
          tags,
          summary: `${provider === 'stripe' ? 'Stripe' : 'Razorpay'} events: verified, recorded once, applied by a job`,
          response: { 200: webhookAck },
        },
      },
      async (request) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        // No signature is no credential, configured or not.
        if (typeof request.headers[signatureHeader[provider]] !== 'string') {
          throw WebhookSignatureInvalid(`No ${signatureHeader[provider]} header`);
        }
        if (!subscriptions.has(provider))
          throw WebhookNotConfigured(`Payments through ${provider} are not configured`);
        const verified = subscriptions.provider(provider).verify(body, request.headers);
        const fresh = await events.ingest(provider, verified);
        return { received: true, duplicate: !fresh };
      },
    );
  }
};
