import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/config.ts';
import type { AppQueue } from '../../jobs/job-catalog.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import { systemClock, type Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import { domainEventPublisher } from '../../platform/pubsub/domain-events.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.port.ts';
import { IDENTITY_EVENTS_CHANNEL, type IdentityEvent } from './identity.events.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { MailOutbox } from '../../platform/mail/mail.port.ts';
import type { RateLimits } from '../../platform/ratelimit/ratelimit.port.ts';
import type { AuditLog } from '../audit/index.ts';
import { AccessTokens } from './access-tokens.ts';
import { adminRoutes } from './admin.routes.ts';
import { AdminUsersService } from './admin-users.service.ts';
import { ApiKeysService } from './api-keys.service.ts';
import { createAuthGuard, type AuthGuard } from './auth-guard.ts';
import { authRoutes } from './auth.routes.ts';
import { AuthService } from './auth.service.ts';
import { ApiKeysRepository } from './api-keys.repository.ts';
import { EmailTokensRepository } from './email-tokens.repository.ts';
import { OidcIdentitiesRepository } from './oidc-identities.repository.ts';
import { oidcRoutes } from './oidc.routes.ts';
import { ProfilesRepository } from './profiles.repository.ts';
import { SecurityEventsRepository } from './security-events.repository.ts';
import { SessionsRepository } from './sessions.repository.ts';
import { SessionsService, type AccountLimits } from './sessions.service.ts';
import { transactorFor, type Executor } from '../../platform/db/transactor.ts';
import { LoginProtection } from './login-protection.ts';
import { meRoutes } from './me.routes.ts';
import { OidcService } from './oidc.service.ts';
import { ProfilesService } from './profiles.service.ts';
import { routeAccessPlugin } from './route-access.ts';
import { SessionStates } from './session-states.ts';
import { UsersRepository } from './users.repository.ts';
import { AuthRequired } from './identity.errors.ts';
import type { Actor } from './access.ts';
import { loadSigningKeys } from './signing-keys.ts';

export { can, permissions, roles, type Actor, type Permission, type Role } from './access.ts';
export { requestContext, requestMeta, userOf, type AuthGuard } from './auth-guard.ts';
export type { AccountLimits } from './sessions.service.ts';
export type { Profile } from './profiles.service.ts';
export { ensureAdmin } from './admin-bootstrap.ts';
export { ensureDemoViewers } from './demo-viewers.ts';
export { loadSigningKeys, rotateSigningKeys, type SigningKey } from './signing-keys.ts';
export { Forbidden, AuthRequired } from './identity.errors.ts';
export { credentialSchemes, type CredentialScheme, type RouteAccess } from './route-access.ts';

/**
 * Puts an account on a plan, in the caller's transaction. Only the subscriptions module calls
 * this (it is the one writer of a user's plan); `now` from its clock.
 */
export const setAccountPlan = (executor: Executor, change: { userId: string; planId: string; now: Date }) =>
  new UsersRepository(executor, { now: () => change.now }).setPlan(change, executor);

/** An account's address and name, for mails other features send (subscription reminders). */
export const accountContact = async (executor: Kysely<DB>, userId: string) => {
  const user = await new UsersRepository(executor, systemClock).findById(userId);
  return user && { email: user.email, name: user.name };
};

/** The account with this address, if any (support's subscription search by email). */
export const accountIdByEmail = async (executor: Kysely<DB>, email: string) =>
  (await new UsersRepository(executor, systemClock).findByEmail(email.toLowerCase()))?.id;

export { IDENTITY_EVENTS_CHANNEL, type IdentityEvent } from './identity.events.ts';

export interface IdentityDeps {
  db: Kysely<DB>;
  cache: Cache;
  clock: Clock;
  rateLimits: RateLimits;
  queue: AppQueue;
  audit: AuditLog;
  /** The mail outbox, which admins read redacted. */
  outbox: MailOutbox;
  config: Pick<Config, 'auth'> & { http: Pick<Config['http'], 'publicUrl' | 'corsOrigins'> };
  /** Device caps per account (the plan's max_devices); defaults to AUTH_MAX_DEVICES for everyone. */
  limits?: AccountLimits;
  logger?: Logger;
  /** Where identity's domain events (sign-ups, sign-ins) go. */
  pubsub: PubSub;
  /** Whether new accounts may be made now (the admin setting); open when not given. */
  signUpsOpen?: () => boolean;
}

export interface Identity {
  /** Registers identity's routes and the `request.actor` slot. */
  plugin: FastifyPluginAsync;
  /** Register at the root before any route: derives each route's guard and OpenAPI security from `config.access`. */
  routeAccess: FastifyPluginAsync;
  guard: AuthGuard;
  /** Whether a sign-in session (a device) is still signed in: one cache read, like every request's check. */
  isSignedIn(sessionId: string): Promise<boolean>;
  /** The plan an account is on (`plans.id`), for the features that apply its limits. */
  planIdOf(userId: string): Promise<string>;
  /** The name a sign-in session's device goes by ("Living room TV", "Chrome on macOS"), as the device list shows it. */
  deviceNameOf(sessionId: string): Promise<string | undefined>;
  /**
   * Before staff read or change something of an account another feature owns: USER_NOT_FOUND, or
   * FORBIDDEN for a change on an account with more rights than the actor's.
   */
  checkStaffAccess(actor: Actor, userId: string, intent: 'read' | 'change'): Promise<void>;
}

/** Builds identity from the ports it uses; the app registers `plugin` and hands `guard` to other features. */
export async function createIdentity(deps: IdentityDeps): Promise<Identity> {
  const { db, cache, clock, config } = deps;
  const tokens = await AccessTokens.create({
    keys: await loadSigningKeys(config.auth.signingKeysFile, clock),
    issuer: config.auth.issuer,
    ttlSeconds: config.auth.accessTokenTtlSeconds,
    clock,
  });
  const transactor = transactorFor(db);
  const users = new UsersRepository(db, clock);
  const sessionRows = new SessionsRepository(db, clock);
  const profileRows = new ProfilesRepository(db, clock);
  const securityEvents = new SecurityEventsRepository(db);
  const sessions = new SessionStates({
    sessions: sessionRows,
    cache,
    clock,
    accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
  });
  const protection = new LoginProtection({
    rateLimits: deps.rateLimits,
    perIpPerMinute: config.auth.rateLimitPerMinute,
    lockoutAfterFailures: config.auth.lockoutAfterFailures,
    lockoutMaxSeconds: config.auth.lockoutMaxSeconds,
  });
  const profiles = new ProfilesService({
    profiles: profileRows,
    users,
    sessionRows,
    transactor,
    sessions,
    rateLimits: deps.rateLimits,
    maxProfiles: config.auth.maxProfiles,
    kidsMaturityLimit: config.auth.kidsMaturityLimit,
    onChanged: (userId) => sessions.forgetUser(userId),
  });
  const createDefaultProfile = (trx: Executor, user: { id: string; name: string }) =>
    profiles.createDefault(trx, user);
  const signUpsOpen = deps.signUpsOpen ?? (() => true);
  const publish = domainEventPublisher<IdentityEvent>({
    pubsub: deps.pubsub,
    channel: IDENTITY_EVENTS_CHANNEL,
    logger: deps.logger,
  });
  const devices = new SessionsService({
    users,
    sessionRows,
    profiles: profileRows,
    securityEvents,
    transactor,
    clock,
    tokens,
    sessions,
    limits: deps.limits ?? { maxDevices: async () => config.auth.maxDevices },
    refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
    publish,
  });
  const auth = new AuthService({
    users,
    sessionRows,
    securityEvents,
    emailTokens: new EmailTokensRepository(db, clock),
    transactor,
    clock,
    devices,
    sessions,
    protection,
    queue: deps.queue,
    publicUrl: config.http.publicUrl,
    logger: deps.logger,
    createDefaultProfile,
    signUpsOpen,
    publish,
    onUserChanged: (userId) => sessions.forgetUser(userId),
  });
  const apiKeys = new ApiKeysService({
    keys: new ApiKeysRepository(db),
    transactor,
    cache,
    clock,
    audit: deps.audit,
  });
  const guard = createAuthGuard({ tokens, sessions, apiKeys });
  const oidc = new OidcService({
    users,
    identities: new OidcIdentitiesRepository(db, clock),
    securityEvents,
    transactor,
    cache,
    auth,
    publicUrl: config.http.publicUrl,
    allowedReturnOrigins: config.http.corsOrigins,
    providers: config.auth.oidcProviders,
    createDefaultProfile,
    signUpsOpen,
    publish,
    clock,
  });
  const adminUsers = new AdminUsersService({
    users,
    sessionRows,
    transactor,
    sessions,
    audit: deps.audit,
    apiKeys,
  });

  const plugin = fp(
    async (app) => {
      app.decorateRequest('actor', null);
      await app.register(authRoutes, { auth, devices, protection, tokens });
      await app.register(oidcRoutes, {
        oidc,
        protection,
        secureCookies: config.http.publicUrl.startsWith('https:'),
      });
      await app.register(meRoutes, { auth, profiles });
      await app.register(adminRoutes, {
        outbox: deps.outbox,
        adminUsers,
        apiKeys,
        audit: deps.audit,
      });
    },
    { name: 'marquee-identity' },
  );
  return {
    plugin,
    routeAccess: routeAccessPlugin(guard),
    guard,
    isSignedIn: async (sessionId) => sessions.isAlive(await sessions.get(sessionId)),
    planIdOf: async (userId) => {
      const user = await users.findById(userId);
      if (!user) throw AuthRequired('This account no longer exists');
      return user.planId;
    },
    deviceNameOf: async (sessionId) => (await sessionRows.findById(sessionId))?.deviceName,
    checkStaffAccess: (actor, userId, intent) => adminUsers.checkStaffAccess(actor, userId, intent),
  };
}
