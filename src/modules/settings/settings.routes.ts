import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requestContext } from '../identity/index.ts';
import { settingsPatch, settingsSchema } from './settings.definitions.ts';
import type { Settings } from './settings.service.ts';

const access = { permission: 'settings:manage' } as const;
const tags = ['admin'];

/** The console's settings page: read every setting (stored or default), change some; audited. */
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
};
