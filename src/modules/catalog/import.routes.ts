import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requestContext } from '../identity/index.ts';
import { importReportSchema } from './catalog.schemas.ts';
import { IMPORT_MAX_ROWS, type ImportService } from './import.service.ts';

const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

/** Bulk import of titles (permission content:write) from CSV or JSON. */
export const importRoutes: FastifyPluginAsyncZod<{ importer: ImportService }> = async (app, { importer }) => {
  app.addContentTypeParser(
    ['text/csv'],
    { parseAs: 'string', bodyLimit: IMPORT_MAX_BYTES },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.post(
    '/api/admin/titles/import',
    {
      config: { access: { permission: 'content:write' } },
      bodyLimit: IMPORT_MAX_BYTES,
      schema: {
        operationId: 'adminImportTitles',
        tags: ['catalog admin'],
        summary: `Import titles from CSV (text/csv) or JSON (a list); up to ${IMPORT_MAX_ROWS} rows`,
        description:
          'Columns/fields: kind, title, originalTitle, synopsis, releaseDate, releaseYear, runtimeMinutes, maturityRating, ' +
          'genres (slugs), tags, audioLanguages, subtitleLanguages, allowedRegions, minPlanTier, publish. In CSV, lists are "|"-separated. ' +
          'Each row is created on its own; the report says, row by row, what happened.',
        response: { 200: importReportSchema },
      },
    },
    async (request) =>
      importer.run(importer.rowsOf(request.body, request.headers['content-type']), requestContext(request)),
  );
};
