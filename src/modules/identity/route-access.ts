import type { FastifyPluginAsync, FastifySchema, onRequestHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Permission } from './access.ts';
import type { AuthGuard } from './auth-guard.ts';

/**
 * Who may call a route, declared once in the route's `config.access`. The authentication hook
 * and the OpenAPI `security` (plus an `x-access` extension that clients and the endpoint sweep
 * read) are derived from it here, so a route cannot be guarded one way and documented another.
 * A route without a declaration stops the application from starting.
 *
 * - `public`: nobody is identified (health, sign-up, the catalog's cached pages);
 * - `optional`: the caller is identified when credentials come, and the answer may depend on it;
 * - `user`: a signed-in person (never a service key) — the route acts on that person's own things;
 * - `{ permission }`: a person or a service key holding the permission;
 * - `{ credential }`: the route checks a credential of its own (a playback token, a signed path,
 *   a webhook signature…) in its service; the declaration documents which.
 *
 * Ownership ("this profile is mine") is not a route rule: `user` routes resolve every id through
 * the caller's account in their repository, so another account's id is simply not found.
 */
export type RouteAccess =
  'public' | 'optional' | 'user' | { permission: Permission } | { credential: CredentialScheme };

/** Credentials a route checks itself; each is a security scheme in the OpenAPI document. */
export const credentialSchemes = [
  'playbackToken',
  'pathToken',
  'metricsToken',
  'stripeSignature',
  'razorpaySignature',
  'chatTicket',
  'adBeacon',
] as const;
export type CredentialScheme = (typeof credentialSchemes)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (see route-access.ts): the guard and the OpenAPI security derive from it. */
    access?: RouteAccess;
  }
}

type SecurityRequirement = Record<string, string[]>;

/** The OpenAPI security requirement that a declaration means. */
export function securityOf(access: RouteAccess): SecurityRequirement[] | undefined {
  if (access === 'public') return undefined;
  if (access === 'optional') return [{}, { bearerAuth: [] }];
  if (access === 'user') return [{ bearerAuth: [] }];
  if ('permission' in access) return [{ bearerAuth: [] }, { apiKey: [] }];
  return [{ [access.credential]: [] }];
}

/** A short, stable name of the declaration for the `x-access` extension: `user`, `permission:users:manage`… */
export function accessLabel(access: RouteAccess): string {
  if (typeof access === 'string') return access;
  if ('permission' in access) return `permission:${access.permission}`;
  return `credential:${access.credential}`;
}

function hookFor(guard: AuthGuard, access: RouteAccess): onRequestHookHandler | undefined {
  if (access === 'public') return undefined;
  if (access === 'optional') return guard.optional;
  if (access === 'user') return guard.user;
  if ('permission' in access) return guard.permission(access.permission);
  return undefined;
}

/** The documentation UI's own assets (registered by @fastify/swagger-ui) are the only undeclared routes. */
const exempt = (route: RouteOptions) => route.url === '/docs' || route.url.startsWith('/docs/');

/**
 * Registered once at the root before any route: every route registered after it gets the guard
 * its declaration names, first among its onRequest hooks, and the matching OpenAPI security.
 */
export function routeAccessPlugin(guard: AuthGuard): FastifyPluginAsync {
  const routeAccess: FastifyPluginAsync = async (app) => {
    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      if (access === undefined) {
        if (exempt(route)) return;
        throw new Error(
          `${String(route.method)} ${route.url} declares no access: add config.access (see src/modules/identity/route-access.ts)`,
        );
      }
      const hook = hookFor(guard, access);
      if (hook) {
        const existing = route.onRequest ? [route.onRequest].flat() : [];
        route.onRequest = [hook, ...existing];
      }
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      if (schema.security !== undefined)
        throw new Error(`${String(route.method)} ${route.url}: security is derived from config.access`);
      const security = securityOf(access);
      route.schema = {
        ...schema,
        ...(security && { security }),
        'x-access': accessLabel(access),
      } as FastifySchema;
    });
  };
  return fp(routeAccess, { name: 'marquee-route-access', fastify: '5.x' });
}
