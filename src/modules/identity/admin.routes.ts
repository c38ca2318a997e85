import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MailOutbox } from '../../platform/mail/mail.port.ts';
import { pageQuery, pageSchema, toPage, decodeCursor } from '../../shared/pagination.ts';
import { idParams, isoDate, text } from '../../shared/schemas.ts';
import { auditListQuery, type AuditLog } from '../audit/index.ts';
import type { AdminUsersService } from './admin-users.service.ts';
import type { ApiKeysService } from './api-keys.service.ts';
import { requestContext } from './auth-guard.ts';
import {
  adminSessionSchema,
  adminUserPatch,
  adminUserSchema,
  adminUsersQuery,
  apiKeyCreate,
  apiKeySchema,
} from './identity.schemas.ts';

export interface AdminRoutesOptions {
  outbox: MailOutbox;
  adminUsers: AdminUsersService;
  apiKeys: ApiKeysService;
  audit: AuditLog;
}

const auditEntrySchema = z
  .object({
    id: z.uuid(),
    actor: z.object({ type: z.enum(['user', 'api_key', 'system']), id: z.string().nullable() }),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'AuditEntry' });

const mailSchema = z.object({
  id: z.uuid(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  redacted: z.boolean().describe('The mail carries a secret for its recipient; its body is withheld'),
  createdAt: isoDate,
});

const REDACTED =
  '[redacted: this mail carries a secret for its recipient. The operator can read it on the server with `marquee mail`.]';

/** Admin console endpoints of identity: accounts, the audit log, service keys, the mail outbox. */
export const adminRoutes: FastifyPluginAsyncZod<AdminRoutesOptions> = async (app, options) => {
  const { adminUsers, apiKeys, audit, outbox } = options;
  const tags = ['admin'];

  app.get(
    '/api/admin/users',
    {
      config: { access: { permission: 'users:read' } },
      schema: {
        operationId: 'adminListUsers',
        tags,
        summary: 'Find accounts',
        querystring: adminUsersQuery,
        response: { 200: pageSchema(adminUserSchema) },
      },
    },
    async (request) => adminUsers.search(request.query),
  );

  app.patch(
    '/api/admin/users/:id',
    {
      config: { access: { permission: 'users:manage' } },
      schema: {
        operationId: 'adminUpdateUser',
        tags,
        summary: 'Change roles or disable an account (disabling signs every device out)',
        params: idParams,
        body: adminUserPatch,
        response: { 200: adminUserSchema.omit({ activeSessions: true }) },
      },
    },
    async (request) => {
      const actor = request.actor;
      if (!actor) throw new Error('guarded route without an actor');
      return adminUsers.update(actor, request.params.id, request.body, requestContext(request));
    },
  );

  app.get(
    '/api/admin/users/:id/sessions',
    {
      config: { access: { permission: 'users:read' } },
      schema: {
        operationId: 'adminListUserSessions',
        tags,
        summary: "An account's signed-in devices, most recently seen first",
        params: idParams,
        response: { 200: z.object({ sessions: z.array(adminSessionSchema) }) },
      },
    },
    async (request) => {
      const sessions = await adminUsers.listSessions(request.params.id);
      return {
        sessions: sessions.map((session) => ({
          id: session.id,
          deviceName: session.deviceName,
          deviceType: session.deviceType as z.infer<typeof adminSessionSchema>['deviceType'],
          ip: session.ip,
          userAgent: session.userAgent,
          authMethod: session.authMethod,
          createdAt: session.createdAt,
          lastSeenAt: session.lastSeenAt,
        })),
      };
    },
  );

  app.delete(
    '/api/admin/users/:id/sessions/:sessionId',
    {
      config: { access: { permission: 'users:manage' } },
      schema: {
        operationId: 'adminRevokeUserSession',
        tags,
        summary: 'Sign one device of an account out',
        description:
          'Refusals: USER_NOT_FOUND, AUTH_SESSION_NOT_FOUND (not this account’s, or already ended).',
        params: z.object({ id: z.uuid(), sessionId: z.uuid() }),
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const actor = request.actor;
      if (!actor) throw new Error('guarded route without an actor');
      await adminUsers.revokeSession(
        actor,
        { userId: request.params.id, sessionId: request.params.sessionId },
        requestContext(request),
      );
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/admin/audit',
    {
      config: { access: { permission: 'audit:read' } },
      schema: {
        operationId: 'adminListAuditEntries',
        tags,
        summary: 'The audit log: every administrative change, newest first',
        querystring: auditListQuery,
        response: { 200: pageSchema(auditEntrySchema) },
      },
    },
    async (request) => audit.list(request.query),
  );

  app.get(
    '/api/admin/api-keys',
    {
      config: { access: { permission: 'api-keys:manage' } },
      schema: {
        operationId: 'adminListApiKeys',
        tags,
        summary: 'Service API keys',
        response: { 200: z.object({ apiKeys: z.array(apiKeySchema) }) },
      },
    },
    async () => ({ apiKeys: await apiKeys.list() }),
  );

  app.post(
    '/api/admin/api-keys',
    {
      config: { access: { permission: 'api-keys:manage' } },
      schema: {
        operationId: 'adminCreateApiKey',
        tags,
        summary: 'Create a service API key (the key is shown only in this answer)',
        body: apiKeyCreate,
        response: {
          201: z.object({
            key: z.string().describe('Send as X-Api-Key; store it now'),
            apiKey: apiKeySchema,
          }),
        },
      },
    },
    async (request, reply) => {
      const actor = request.actor;
      if (!actor) throw new Error('guarded route without an actor');
      return reply.status(201).send(await apiKeys.create(actor, request.body, requestContext(request)));
    },
  );

  app.delete(
    '/api/admin/api-keys/:id',
    {
      config: { access: { permission: 'api-keys:manage' } },
      schema: {
        operationId: 'adminRevokeApiKey',
        tags,
        summary: 'Revoke a service API key',
        params: idParams,
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const actor = request.actor;
      if (!actor) throw new Error('guarded route without an actor');
      await apiKeys.revoke(actor, request.params.id, requestContext(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/admin/mail',
    {
      config: { access: { permission: 'mail:read' } },
      schema: {
        operationId: 'adminListMail',
        tags,
        summary: 'Mail written to the outbox (embedded mode, no SMTP_URL), newest first',
        description:
          'Mail that carries a secret (reset, verification and sign-in links) is shown redacted: reading ' +
          "another account's link is taking it over. The operator reads it in full on the server: `marquee mail`.",
        querystring: pageQuery.extend({ to: text({ max: 254 }).optional() }),
        response: { 200: pageSchema(mailSchema) },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor, z.object({ createdAt: z.string(), id: z.uuid() }));
      const entries = await outbox.list({
        to: request.query.to,
        limit: request.query.limit + 1,
        after: after && { createdAt: new Date(after.createdAt), id: after.id },
      });
      return toPage(entries, request.query.limit, {
        key: (entry) => ({ createdAt: entry.createdAt.toISOString(), id: entry.id }),
        map: (entry) =>
          entry.carriesSecret
            ? { ...entry, text: REDACTED, html: null, redacted: true }
            : { ...entry, redacted: false },
      });
    },
  );
};
