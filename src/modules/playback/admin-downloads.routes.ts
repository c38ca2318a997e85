import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParams, noContent } from '../../shared/schemas.ts';
import { requestContext, type Actor } from '../identity/index.ts';
import type { FastifyRequest } from 'fastify';
import type { AdminDownloadsService } from './admin-downloads.service.ts';
import { deviceSchema, downloadSchema } from './downloads.routes.ts';

export interface AdminDownloadsRoutesOptions {
  adminDownloads: AdminDownloadsService;
}

const tags = ['admin'];

const adminDownloadDeviceSchema = deviceSchema
  .extend({
    downloads: z
      .array(downloadSchema)
      .describe('The downloads made for this device, newest first: each holds one offline licence'),
  })
  .meta({ id: 'AdminDownloadDevice' });

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('guarded route without an actor');
  return request.actor;
}

/** The admin console's view of an account's offline downloads: its devices, their licences, revoking one. */
export const adminDownloadsRoutes: FastifyPluginAsyncZod<AdminDownloadsRoutesOptions> = async (
  app,
  options,
) => {
  const { adminDownloads } = options;

  app.get(
    '/api/admin/users/:id/download-devices',
    {
      config: { access: { permission: 'users:read' } },
      schema: {
        operationId: 'adminListUserDownloadDevices',
        tags,
        summary: "An account's devices that may hold downloads, each with its downloads and licences",
        description: 'Refusals: USER_NOT_FOUND.',
        params: idParams,
        response: { 200: z.object({ devices: z.array(adminDownloadDeviceSchema) }) },
      },
    },
    async (request) => ({
      devices: await adminDownloads.devicesOf(actorOf(request), request.params.id),
    }),
  );

  app.delete(
    '/api/admin/users/:id/download-devices/:deviceId',
    {
      config: { access: { permission: 'users:manage' } },
      schema: {
        operationId: 'adminRevokeUserDownloadDevice',
        tags,
        summary:
          "Revoke one of an account's download devices: its licences stop renewing and it takes no new downloads",
        description:
          'Refusals: USER_NOT_FOUND, FORBIDDEN (an account with more rights than yours), DOWNLOAD_DEVICE_NOT_FOUND (not this account’s). Revoking one already revoked changes nothing.',
        params: z.object({ id: z.uuid(), deviceId: z.uuid() }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await adminDownloads.revokeDevice(
        actorOf(request),
        { userId: request.params.id, deviceId: request.params.deviceId },
        requestContext(request),
      );
      return reply.code(204).send();
    },
  );
};
