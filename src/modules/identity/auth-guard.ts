import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { RequestContext } from '../audit/index.ts';
import { can, permissionsOf, type Actor, type Permission } from './access.ts';
import type { AccessTokens } from './access-tokens.ts';
import type { ApiKeysService } from './api-keys.service.ts';
import { AuthRequired, Forbidden, InvalidToken, SessionEnded } from './identity.errors.ts';
import type { RequestMeta } from './sessions.service.ts';
import type { SessionStates } from './session-states.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once an auth hook has run; null for anonymous requests. */
    actor: Actor | null;
  }
}

export interface AuthGuard {
  /** A signed-in person (not a service key). */
  readonly user: onRequestAsyncHookHandler;
  /** A person or a service key holding this permission. */
  permission(permission: Permission): onRequestAsyncHookHandler;
  /** Identifies the caller if credentials are present; anonymous is fine. */
  readonly optional: onRequestAsyncHookHandler;
}

export const requestMeta = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'] ?? null,
});

export const requestContext = (request: FastifyRequest): RequestContext => ({
  actor: !request.actor
    ? { type: 'system', id: null }
    : request.actor.kind === 'user'
      ? { type: 'user', id: request.actor.userId }
      : { type: 'api_key', id: request.actor.keyId },
  ip: request.ip,
  requestId: request.id,
});

/** The signed-in user of a request guarded by `guard.user`. */
export function userOf(request: FastifyRequest): Extract<Actor, { kind: 'user' }> {
  if (request.actor?.kind !== 'user') throw AuthRequired();
  return request.actor;
}

/**
 * Authentication, as onRequest hooks that routes opt into (a hook on every request would cost
 * every request, /healthz included). Bearer JWTs: signature once per token, session liveness on
 * every request (one cache read). Service keys: `X-Api-Key`.
 */
export function createAuthGuard(options: {
  tokens: AccessTokens;
  sessions: SessionStates;
  apiKeys: ApiKeysService;
}): AuthGuard {
  async function identify(request: FastifyRequest): Promise<Actor | null> {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string') {
      const actor = await options.apiKeys.authenticate(apiKey, request.ip);
      if (!actor) throw InvalidToken('The API key is not valid');
      return actor;
    }
    const header = request.headers.authorization;
    if (header === undefined) return null;
    const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/.exec(header);
    if (!match?.[1]) throw InvalidToken('Send the access token as "Authorization: Bearer <token>"');
    const claims = await options.tokens.verify(match[1]);
    const state = await options.sessions.get(claims.sessionId);
    if (!options.sessions.isAlive(state) || state.userId !== claims.userId || !state.account)
      throw SessionEnded();
    return {
      kind: 'user',
      userId: claims.userId,
      sessionId: claims.sessionId,
      roles: state.roles,
      permissions: permissionsOf(state.roles),
      account: state.account,
      profile: state.profile,
    };
  }

  const optional: onRequestAsyncHookHandler = async (request: FastifyRequest, _reply: FastifyReply) => {
    request.actor = await identify(request);
  };
  const user: onRequestAsyncHookHandler = async (request: FastifyRequest) => {
    const actor = await identify(request);
    if (!actor) throw AuthRequired();
    if (actor.kind !== 'user') throw Forbidden('This endpoint is for signed-in people, not service keys');
    request.actor = actor;
  };
  const byPermission = new Map<Permission, onRequestAsyncHookHandler>();
  return {
    user,
    optional,
    permission(permission) {
      let hook = byPermission.get(permission);
      if (!hook) {
        hook = async (request: FastifyRequest) => {
          const actor = await identify(request);
          if (!actor) throw AuthRequired();
          if (!can(actor, permission))
            throw Forbidden(`This needs the ${permission} permission`, { permission });
          request.actor = actor;
        };
        byPermission.set(permission, hook);
      }
      return hook;
    },
  };
}
