import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams } from '../../shared/schemas.ts';
import { userOf } from './auth-guard.ts';
import type { AuthService } from './auth.service.ts';
import {
  mePatch,
  profileBody,
  profilePatch,
  profileSchema,
  securityEventSchema,
  selectProfileBody,
  userSchema,
} from './identity.schemas.ts';
import type { Actor, Role } from './access.ts';
import type { ActingAs, Profile, ProfilesService } from './profiles.service.ts';
import type { AccountSnapshot, ProfileSnapshot } from './session-states.ts';

export interface MeRoutesOptions {
  auth: AuthService;
  profiles: ProfilesService;
}

const actingAs = (request: FastifyRequest): ActingAs => ({
  activeProfileId: userOf(request).profile?.id ?? null,
});
const publicProfile = ({ userId: _userId, ...profile }: Profile) => profile;
/**
 * GET /api/me's body, per cached session state: the snapshots are frozen objects the in-process
 * cache hands to every request of the session until it changes (any change makes new ones), so
 * the body is serialised once per state, not per request. With Redis every read parses new
 * objects and this simply misses. Keyed weakly: an entry goes when its state leaves the cache.
 */
const meBodies = new WeakMap<
  AccountSnapshot,
  { userId: string; roles: readonly Role[]; profile: ProfileSnapshot | null; body: string }
>();

function sendMe(actor: Extract<Actor, { kind: 'user' }>, reply: FastifyReply): void {
  const { userId, roles, account, profile } = actor;
  let known = meBodies.get(account);
  if (known?.userId !== userId || known.roles !== roles || known.profile !== profile) {
    // The route's own serializer (only the schema's fields), which writes ISO strings as they are.
    const serialized: unknown = reply.serialize({
      user: { ...account, id: userId, roles },
      activeProfile: profile,
    });
    const body =
      typeof serialized === 'string' ? serialized : Buffer.from(serialized as ArrayBuffer).toString('utf8');
    known = { userId, roles, profile, body };
    meBodies.set(account, known);
  }
  reply.type('application/json; charset=utf-8').send(known.body);
}

/** The signed-in account, its profiles, and what happened to it. */
export const meRoutes: FastifyPluginAsyncZod<MeRoutesOptions> = async (app, { auth, profiles }) => {
  app.get(
    '/api/me',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getMe',
        tags: ['me'],
        summary: 'The signed-in account and the profile this device watches as',
        response: { 200: z.object({ user: userSchema, activeProfile: profileSchema.nullable() }) },
      },
    },
    // Everything here came with the session check: no further read.
    (request, reply) => {
      sendMe(userOf(request), reply);
    },
  );

  app.patch(
    '/api/me',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'updateMe',
        tags: ['me'],
        summary: 'Change your name',
        body: mePatch,
        response: { 200: userSchema },
      },
    },
    async (request) => auth.updateAccount(userOf(request).userId, request.body),
  );

  app.get(
    '/api/me/security-events',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listSecurityEvents',
        tags: ['me'],
        summary: 'Recent security events on your account (sign-ins, refresh-token reuse, resets…)',
        response: { 200: z.object({ events: z.array(securityEventSchema) }) },
      },
    },
    async (request) => ({ events: await auth.securityEvents(userOf(request).userId) }),
  );

  const profileTags = ['profiles'];
  app.get(
    '/api/profiles',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listProfiles',
        tags: profileTags,
        summary: "This account's profiles",
        response: {
          200: z.object({ profiles: z.array(profileSchema), activeProfileId: z.uuid().nullable() }),
        },
      },
    },
    async (request) => {
      const actor = userOf(request);
      const list = await profiles.list(actor.userId);
      return { profiles: list.map(publicProfile), activeProfileId: actor.profile?.id ?? null };
    },
  );

  app.post(
    '/api/profiles',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'createProfile',
        tags: profileTags,
        summary: 'Add a profile',
        body: profileBody,
        response: { 201: profileSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(publicProfile(await profiles.create(userOf(request).userId, request.body, actingAs(request)))),
  );

  app.patch(
    '/api/profiles/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'updateProfile',
        tags: profileTags,
        summary: 'Change a profile',
        params: idParams,
        body: profilePatch,
        response: { 200: profileSchema },
      },
    },
    async (request) =>
      publicProfile(
        await profiles.update(userOf(request).userId, request.params.id, request.body, actingAs(request)),
      ),
  );

  app.delete(
    '/api/profiles/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'deleteProfile',
        tags: profileTags,
        summary: 'Remove a profile',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      await profiles.delete(userOf(request).userId, request.params.id, actingAs(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/profiles/:id/select',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'selectProfile',
        tags: profileTags,
        summary: 'Watch as this profile on this device (send the PIN if it has one)',
        description:
          'The active profile belongs to the device (session): every later request from it acts for this profile.',
        params: idParams,
        body: selectProfileBody,
        response: { 200: profileSchema },
      },
    },
    async (request) => {
      const actor = userOf(request);
      return publicProfile(
        await profiles.select({
          userId: actor.userId,
          sessionId: actor.sessionId,
          profileId: request.params.id,
          pin: request.body.pin,
        }),
      );
    },
  );
};
