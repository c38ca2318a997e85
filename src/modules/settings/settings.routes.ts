import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requestContext } from '../identity/index.ts';
import { z } from 'zod';
import { announcementSchema, settingsPatch, settingsSchema } from './settings.definitions.ts';
import type { Settings } from './settings.service.ts';

const access = { permission: 'settings:manage' } as const;
const tags = ['admin'];

/**
 * The console's settings page: read every setting (stored or default), change some; audited. And
 * the one setting every viewer reads: the announcement banner.
 */
export const settingsRoutes: FastifyPluginAsyncZod<{ settings: Settings }> = async (app, { settings }) => {
  app.get(
    '/api/admin/settings',
    {
      config: { access },
      schema: {
        operationId: 'adminGetSettings',
        tags,
        summary: 'Admin-editable settings, each its stored value or its default',
        response: { 200: settingsSchema },
      },
    },
    () => settings.current(),
  );

  app.patch(
    '/api/admin/settings',
    {
      config: { access },
      schema: {
        operationId: 'adminUpdateSettings',
        tags,
        summary: 'Change settings (only those named); every instance applies them within moments',
        body: settingsPatch,
        response: { 200: settingsSchema },
      },
    },
    async (request) => settings.update(requestContext(request), request.body),
  );

  app.get(
    '/api/announcement',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getAnnouncement',
        tags: ['settings'],
        summary: 'The banner every viewer app shows (an admin setting), or null',
        response: { 200: z.object({ announcement: announcementSchema.nullable() }) },
      },
    },
    // The same for everyone, and read by every app start: a shared cache may keep it a little.
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=30');
      return { announcement: settings.current().announcement };
    },
  );
};
