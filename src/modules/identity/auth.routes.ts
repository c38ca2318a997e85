import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, opaqueToken, text } from '../../shared/schemas.ts';
import type { AccessTokens } from './access-tokens.ts';
import { requestMeta, userOf } from './auth-guard.ts';
import type { AuthService } from './auth.service.ts';
import {
  authResult,
  changePasswordBody,
  emailTokenBody,
  loginBody,
  refreshBody,
  registerBody,
  resetConfirmBody,
  resetRequestBody,
  sessionSchema,
} from './identity.schemas.ts';
import type { LoginProtection } from './login-protection.ts';
import type { OidcService } from './oidc.service.ts';

export interface AuthRoutesOptions {
  auth: AuthService;
  oidc: OidcService;
  protection: LoginProtection;
  tokens: AccessTokens;
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
const accepted = z.object({ status: z.literal('accepted') });

/** Sign-up, sign-in, tokens, devices, email verification, password reset, OIDC sign-in, JWKS. */
export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (
  app,
  { auth, oidc, protection, tokens, secureCookies },
) => {
  // Every unauthenticated door into an account spends the caller's address budget.
  const admit = async (request: { ip: string }) => protection.admitRequest(request.ip);

  app.post(
    '/api/auth/register',
    {
      config: { access: 'public' },
      preHandler: admit,
      schema: {
        operationId: 'register',
        tags,
        summary: 'Create an account (then sign in with login)',
        description:
          'Answers 202 whether or not the address already has an account (no account enumeration): a new ' +
          'address is mailed a link to confirm it, an existing account’s owner is mailed a notice.',
        body: registerBody,
        response: { 202: accepted },
      },
    },
    async (request, reply) => {
      await auth.register(request.body);
      return reply.status(202).send({ status: 'accepted' });
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      preHandler: admit,
      schema: {
        operationId: 'login',
        tags,
        summary: 'Sign in with email and password',
        description:
          "At the account's device limit the answer is 409 AUTH_DEVICE_LIMIT with the signed-in `devices`; " +
          'sign in again with `replaceSessionId` set to one of them to sign it out.',
        body: loginBody,
        response: { 200: authResult },
      },
    },
    async (request) => auth.login(request.body, requestMeta(request)),
  );

  app.post(
    '/api/auth/refresh',
    {
      config: { access: 'public' },
      preHandler: admit,
      schema: {
        operationId: 'refreshTokens',
        tags,
        summary: 'Trade a refresh token for a new pair (the old one is spent)',
        body: refreshBody,
        response: { 200: authResult },
      },
    },
    async (request) => auth.refresh(request.body.refreshToken, requestMeta(request)),
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'logout',
        tags,
        summary: 'Sign this device out',
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      await auth.revokeSession(user.userId, user.sessionId, requestMeta(request), 'logout');
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/auth/logout-all',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'logoutAll',
        tags,
        summary: 'Sign every device out, this one included',
        response: { 200: z.object({ signedOut: z.number().int() }) },
      },
    },
    async (request) => ({
      signedOut: await auth.revokeAllSessions(userOf(request).userId, requestMeta(request)),
    }),
  );

  app.get(
    '/api/auth/sessions',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listSessions',
        tags,
        summary: "This account's signed-in devices",
        response: { 200: z.object({ sessions: z.array(sessionSchema) }) },
      },
    },
    async (request) => {
      const user = userOf(request);
      const sessions = await auth.listSessions(user.userId);
      return {
        sessions: sessions.map((session) => ({
          ...session,
          deviceType: session.deviceType as z.infer<typeof sessionSchema>['deviceType'],
          current: session.id === user.sessionId,
        })),
      };
    },
  );

  app.delete(
    '/api/auth/sessions/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'endSession',
        tags,
        summary: 'Sign one of your devices out',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await auth.revokeSession(userOf(request).userId, request.params.id, requestMeta(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/auth/password',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'changePassword',
        tags,
        summary: 'Change your password (other devices are signed out)',
        body: changePasswordBody,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      await auth.changePassword(
        user.userId,
        { ...request.body, keepSessionId: user.sessionId },
        requestMeta(request),
      );
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/auth/verify-email',
    {
      config: { access: 'public' },
      preHandler: admit,
      schema: {
        operationId: 'verifyEmail',
        tags,
        summary: 'Confirm an email address with the mailed token',
        body: emailTokenBody,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await auth.verifyEmail(request.body.token, requestMeta(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/auth/verify-email/resend',
    {
      config: { access: 'user' },
      preHandler: admit,
      schema: {
        operationId: 'resendVerificationEmail',
        tags,
        summary: 'Mail a new confirmation link',
        response: { 202: accepted },
      },
    },
    async (request, reply) => {
      await auth.resendVerification(userOf(request).userId);
      return reply.status(202).send({ status: 'accepted' });
    },
  );

  app.post(
    '/api/auth/password-reset/request',
    {
      config: { access: 'public' },
      preHandler: admit,
      schema: {
        operationId: 'requestPasswordReset',
        tags,
        summary: 'Mail a password-reset link',
        description: 'Answers 202 whether or not the address has an account.',
        body: resetRequestBody,
        response: { 202: accepted },
      },
    },
    async (request, reply) => {
      auth.requestPasswordReset(request.body.email);
      return reply.status(202).send({ status: 'accepted' });
    },
  );

  app.post(
    '/api/auth/password-reset/confirm',
    {
      config: { access: 'public' },
      preHandler: admit,
      schema: {
        operationId: 'confirmPasswordReset',
        tags,
        summary: 'Set a new password with the mailed token; signs every device out',
        body: resetConfirmBody,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await auth.resetPassword(request.body.token, request.body.password, requestMeta(request));
      return reply.status(204).send();
    },
  );

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

  app.get(
    '/.well-known/jwks.json',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getJwks',
        tags,
        summary: 'Public keys that verify Marquee access tokens',
        response: { 200: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { keys: tokens.jwks.keys.map((key) => ({ ...key })) };
    },
  );
};
