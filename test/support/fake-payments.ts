import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the few Stripe and Razorpay API endpoints Marquee calls, so the official
 * SDKs run unmodified against it (nothing here can reach the real providers). Subscriptions are
 * held as the provider would hold them; tests set their state and deliver signed events.
 */
export interface FakePayments {
  url: string;
  subscriptions: Map<string, Record<string, unknown>>;
  requests: Array<{ method: string; path: string; body: string }>;
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Stripe's form encoding (`a[b][c]=1`) into nested objects. */
function formToObject(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node = out;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path.at(-1) ?? key] = value;
  }
  return out;
}

export async function startFakePayments(): Promise<FakePayments> {
  const subscriptions = new Map<string, Record<string, unknown>>();
  const requests: FakePayments['requests'] = [];
  const coupons = new Set<string>();
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await bodyOf(request);
      const path = new URL(request.url ?? '/', 'http://fake').pathname;
      const method = request.method ?? 'GET';
      requests.push({ method, path, body });
      const send = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      const json = request.headers['content-type']?.includes('json');
      const input = json ? (JSON.parse(body || '{}') as Record<string, unknown>) : formToObject(body);
      // Stripe
      if (method === 'POST' && path === '/v1/checkout/sessions') {
        const id = `cs_test_${randomBytes(8).toString('hex')}`;
        return send(200, {
          id,
          object: 'checkout.session',
          url: `https://checkout.stripe.test/${id}`,
          metadata: input.metadata,
        });
      }
      // Razorpay
      if (method === 'POST' && path === '/v1/plans') {
        return send(200, { id: `plan_${randomBytes(6).toString('hex')}`, entity: 'plan', ...input });
      }
      if (method === 'POST' && path === '/v1/subscriptions') {
        const id = `sub_${randomBytes(7).toString('hex')}`;
        const subscription = {
          id,
          entity: 'subscription',
          status: 'created',
          notes: input.notes,
          short_url: `https://rzp.test/${id}`,
        };
        subscriptions.set(id, subscription);
        return send(200, subscription);
      }
      // Stripe coupons (ids are unique), invoices and refunds
      if (method === 'POST' && path === '/v1/coupons') {
        const id = String(input.id);
        if (coupons.has(id)) {
          return send(400, {
            error: { type: 'invalid_request_error', code: 'resource_already_exists', message: 'exists' },
          });
        }
        coupons.add(id);
        return send(200, { ...input, id, object: 'coupon' });
      }
      const invoice = /^\/v1\/invoices\/([A-Za-z0-9_]+)$/.exec(path);
      if (method === 'GET' && invoice?.[1]) {
        return send(200, { id: invoice[1], object: 'invoice', payment_intent: `pi_for_${invoice[1]}` });
      }
      if (method === 'POST' && path === '/v1/refunds') {
        return send(200, { id: `re_${randomBytes(6).toString('hex')}`, object: 'refund', ...input });
      }
      // Razorpay refunds
      const refund = /^\/v1\/payments\/([A-Za-z0-9_]+)\/refund$/.exec(path);
      if (method === 'POST' && refund?.[1]) {
        return send(200, {
          id: `rfnd_${randomBytes(6).toString('hex')}`,
          entity: 'refund',
          payment_id: refund[1],
        });
      }
      const match = /^\/v1\/subscriptions\/([A-Za-z0-9_]+)(\/cancel)?$/.exec(path);
      if (match?.[1]) {
        const subscription = subscriptions.get(match[1]);
        if (!subscription) {
          return send(404, {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              message: `No such subscription: '${match[1]}'`,
              description: 'not found',
            },
          });
        }
        if (method === 'POST' && match[2]) subscription.status = 'cancelled';
        else if (method === 'POST') subscription.cancel_at_period_end = input.cancel_at_period_end === 'true';
        else if (method === 'DELETE') subscription.status = 'canceled';
        return send(200, subscription);
      }
      send(404, { error: { type: 'invalid_request_error', message: `unknown endpoint ${method} ${path}` } });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    subscriptions,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The environment that points both providers' official SDKs at the fake, with these webhook secrets. */
export function providersAt(
  fake: FakePayments,
  secrets: { stripeWebhook: string; razorpayWebhook: string },
): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: 'sk_test_marquee_0123456789',
    STRIPE_WEBHOOK_SECRET: secrets.stripeWebhook,
    STRIPE_API_BASE: fake.url,
    RAZORPAY_KEY_ID: 'rzp_test_key',
    RAZORPAY_KEY_SECRET: 'rzp_test_secret_0123',
    RAZORPAY_WEBHOOK_SECRET: secrets.razorpayWebhook,
    RAZORPAY_API_BASE: fake.url,
  };
}
