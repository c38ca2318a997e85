import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ProviderEventsService } from './provider-events.service.ts';
import { sandboxCheckoutPage } from './sandbox-page.ts';
import { WebhookNotConfigured, WebhookSignatureInvalid } from './subscriptions.errors.ts';
import { webhookAck } from './subscriptions.schemas.ts';
import type { SubscriptionsService } from './subscriptions.service.ts';

const checkoutParams = z.object({
  checkoutId: z.string().regex(/^sbx_sub_[A-Za-z0-9_-]{10,64}$/, 'must be a sandbox checkout id'),
});

/** The sandbox's checkout page: labelled as a sandbox, no money moves. */
export const sandboxRoutes: FastifyPluginAsyncZod<{ events: ProviderEventsService }> = async (
  app,
  { events },
) => {
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
