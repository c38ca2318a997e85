import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import type { RequestContext } from '../audit/index.ts';
import { can, permissionsOf, type Actor, type Permission } from './access.ts';
import type { AccessClaims, AccessTokens } from './access-tokens.ts';
import type { ApiKeysService } from './api-keys.service.ts';
import { AuthRequired, Forbidden, InvalidToken, SessionEnded } from './identity.errors.ts';
import type { RequestMeta } from './sessions.service.ts';
import type { SessionState, SessionStates } from './session-states.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once an auth hook has run; null for anonymous requests. */
    actor: Actor | null;
  }
}

export interface AuthGuard {
  /** A signed-in person (not a service key). */
  readonly user: onRequestHookHandler;
  /** A person or a service key holding this permission. */
  permission(permission: Permission): onRequestHookHandler;
  /** Identifies the caller if credentials are present; anonymous is fine. */
  readonly optional: onRequestHookHandler;
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

const BEARER = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/;

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = BEARER.exec(header);
  if (!match?.[1]) throw InvalidToken('Send the access token as "Authorization: Bearer <token>"');
  return match[1];
}

/**
 * Authentication, as onRequest hooks that routes opt into (a hook on every request would cost
 * every request, /healthz included). Bearer JWTs: signature once per token, session liveness on
 * every request (one cache read). Service keys: `X-Api-Key`.
 *
 * The common case — a token seen before, its session's state in the in-process cache — is
 * answered synchronously (no promise, no extra turn of the event loop: a visible share of a small
 * request, bench:auth); the same checks run either way, and anything else (first sight of a
 * token, a Redis cache, an API key) takes the asynchronous path.
 */
export function createAuthGuard(options: {
  tokens: AccessTokens;
  sessions: SessionStates;
  apiKeys: ApiKeysService;
}): AuthGuard {
  const { tokens, sessions } = options;

  /**
   * The actor per session state: the in-process cache hands out the same frozen state until the
   * session changes (a role, the profile, a revocation store a new one), so the actor built from
   * it is reused rather than rebuilt on every request. Liveness is still checked every time.
   */
  const actors = new WeakMap<SessionState, Extract<Actor, { kind: 'user' }>>();

  function actorOf(claims: AccessClaims, state: SessionState | undefined): Actor {
    if (!sessions.isAlive(state) || state.userId !== claims.userId || !state.account) throw SessionEnded();
    const known = actors.get(state);
    if (known && known.sessionId === claims.sessionId && known.userId === claims.userId) return known;
    const actor: Extract<Actor, { kind: 'user' }> = {
      kind: 'user',
      userId: claims.userId,
      sessionId: claims.sessionId,
      roles: state.roles,
      permissions: permissionsOf(state.roles),
      account: state.account,
      profile: state.profile,
    };
    // Shared by every request of the session from now on: frozen, like the state it came from.
    if (Object.isFrozen(state)) actors.set(state, Object.freeze(actor));
    return actor;
  }

  /** The caller when it can be told without waiting (null: anonymous); undefined when it cannot. */
  function identifyAtOnce(request: FastifyRequest): Actor | null | undefined {
    if (request.headers['x-api-key'] !== undefined) return undefined;
    const token = bearerToken(request);
    if (token === undefined) return null;
    const claims = tokens.verifyKnown(token);
    const state = claims && sessions.peek(claims.sessionId);
    return claims && state ? actorOf(claims, state) : undefined;
  }

  async function identify(request: FastifyRequest): Promise<Actor | null> {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string') {
      const actor = await options.apiKeys.authenticate(apiKey, request.ip);
      if (!actor) throw InvalidToken('The API key is not valid');
      return actor;
    }
    const token = bearerToken(request);
    if (token === undefined) return null;
    const claims = await tokens.verify(token);
    return actorOf(claims, await sessions.get(claims.sessionId));
  }

  /** An onRequest hook that identifies the caller and lets `admit` decide (it throws to refuse). */
  const hook =
    (admit: (actor: Actor | null) => Actor | null): onRequestHookHandler =>
    (request, _reply, done) => {
      try {
        const known = identifyAtOnce(request);
        if (known !== undefined) {
          request.actor = admit(known);
          done();
          return;
        }
      } catch (error) {
        done(error as Error);
        return;
      }
      identify(request)
        .then(admit)
        .then(
          (actor) => {
            request.actor = actor;
            done();
          },
          (error: unknown) => done(error as Error),
        );
    };

  const optional = hook((actor) => actor);
  const user = hook((actor) => {
    if (!actor) throw AuthRequired();
    if (actor.kind !== 'user') throw Forbidden('This endpoint is for signed-in people, not service keys');
    return actor;
  });
  const byPermission = new Map<Permission, onRequestHookHandler>();
  return {
    user,
    optional,
    permission(permission) {
      let guard = byPermission.get(permission);
      if (!guard) {
        guard = hook((actor) => {
          if (!actor) throw AuthRequired();
          if (!can(actor, permission))
            throw Forbidden(`This needs the ${permission} permission`, { permission });
          return actor;
        });
        byPermission.set(permission, guard);
      }
      return guard;
    },
  };
}
