import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../../shared/schemas.ts';
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
import type { SessionsService } from './sessions.service.ts';

export interface AuthRoutesOptions {
  auth: AuthService;
  devices: SessionsService;
  protection: LoginProtection;
  tokens: AccessTokens;
}

const tags = ['auth'];
const accepted = z.object({ status: z.literal('accepted') });

/** Sign-up, sign-in, tokens, devices, email verification, password reset, JWKS. (OIDC sign-in: oidc.routes.ts.) */
export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (
  app,
  { auth, devices, protection, tokens },
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
    async (request) => devices.refresh(request.body.refreshToken, requestMeta(request)),
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
      await devices.revoke(user.userId, user.sessionId, requestMeta(request), 'logout');
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
      signedOut: await devices.revokeAll(userOf(request).userId, requestMeta(request)),
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
      const sessions = await devices.list(user.userId);
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
      await devices.revoke(userOf(request).userId, request.params.id, requestMeta(request));
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
