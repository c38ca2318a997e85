import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { opaqueToken, text } from '../../shared/schemas.ts';
import { requestMeta } from './auth-guard.ts';
import { authResult } from './identity.schemas.ts';
import type { LoginProtection } from './login-protection.ts';
import type { OidcService } from './oidc.service.ts';

export interface OidcRoutesOptions {
  oidc: OidcService;
  protection: LoginProtection;
  /** PUBLIC_URL is https: cookies get `Secure`. */
  secureCookies: boolean;
}

const OIDC_COOKIE = 'marquee_oidc';
/**
 * The browser's half of an OIDC sign-in: HttpOnly (no script reads it), SameSite=Lax (sent on the
 * provider's top-level redirect back, not on cross-site subrequests), scoped to the OIDC paths,
 * gone after ten minutes. An empty value clears it.
 */
const oidcCookie = (value: string, secure: boolean) =>
  `${OIDC_COOKIE}=${value}; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${value ? 600 : 0}${secure ? '; Secure' : ''}`;

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=') || undefined;
  }
  return undefined;
}

const tags = ['auth'];

/** Sign-in through OpenID Connect / OAuth 2.0 providers (oidc.service.ts has the flow). */
export const oidcRoutes: FastifyPluginAsyncZod<OidcRoutesOptions> = async (
  app,
  { oidc, protection, secureCookies },
) => {
  // Every unauthenticated door into an account spends the caller's address budget.
  const admit = async (request: { ip: string }) => protection.admitRequest(request.ip);

  app.get(
    '/api/auth/oidc/providers',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listOidcProviders',
        tags,
        summary: 'The sign-in providers configured (OIDC_PROVIDERS)',
        response: {
          200: z.object({
            providers: z.array(z.object({ id: z.string(), name: z.string(), startUrl: z.string() })),
          }),
        },
      },
    },
    () => ({ providers: oidc.list() }),
  );

  app.get(
    '/api/auth/oidc/:provider/start',
    {
      config: { access: 'public' },
      preHandler: admit,
      schema: {
        operationId: 'startOidcSignIn',
        tags,
        summary: 'Go sign in at a provider (authorization code + PKCE)',
        description:
          'Redirects to the provider. With `returnTo` (an address on PUBLIC_URL or CORS_ORIGINS), the callback ' +
          'redirects there with `#loginCode=…` to trade at /api/auth/oidc/exchange; without it, the callback answers with the tokens.',
        params: z.object({ provider: text({ max: 32 }) }),
        querystring: z.object({ returnTo: text({ max: 2000 }).optional() }),
        response: { 302: z.undefined() },
      },
    },
    async (request, reply) => {
      const { url, browserSecret } = await oidc.start(request.params.provider, {
        returnTo: request.query.returnTo,
      });
      reply.header('set-cookie', oidcCookie(browserSecret, secureCookies));
      return reply.redirect(url.href, 302);
    },
  );

  app.get(
    '/api/auth/oidc/:provider/callback',
    {
      config: { access: 'public' },
      preHandler: admit,
      schema: {
        operationId: 'completeOidcSignIn',
        tags,
        summary: 'Where the provider sends the browser back',
        params: z.object({ provider: text({ max: 32 }) }),
        querystring: z
          .object({
            code: text({ max: 4000 }).optional(),
            state: opaqueToken(500).optional(),
            iss: text({ max: 2000 }).optional(),
            error: text({ max: 200 }).optional(),
            error_description: text({ max: 2000 }).optional(),
          })
          .loose(),
        response: { 200: authResult, 302: z.undefined() },
      },
    },
    async (request, reply) => {
      const query = new URLSearchParams(
        Object.entries(request.query).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      );
      // Spent whatever happens: one cookie per flow.
      reply.header('set-cookie', oidcCookie('', secureCookies));
      const { result, returnTo } = await oidc.callback(request.params.provider, query, {
        ...requestMeta(request),
        browserSecret: cookieValue(request.headers.cookie, OIDC_COOKIE),
      });
      if (!returnTo) return result;
      const url = new URL(returnTo);
      url.hash = `loginCode=${await oidc.issueLoginCode(result)}`;
      return reply.redirect(url.href, 302);
    },
  );

  app.post(
    '/api/auth/oidc/exchange',
    {
      config: { access: 'public' },
      preHandler: admit,
      schema: {
        operationId: 'exchangeOidcCode',
        tags,
        summary: 'Trade the one-time sign-in code for tokens',
        body: z.object({ loginCode: opaqueToken(200).min(16) }),
        response: { 200: authResult },
      },
    },
    async (request) => oidc.redeemLoginCode(request.body.loginCode),
  );
};
