import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import { text } from '../../shared/schemas.ts';
import type { RequestContext } from '../audit/index.ts';
import { ImportInvalid } from './catalog.errors.ts';
import { titleInput, type ImportReport } from './catalog.schemas.ts';
import type { GenresRepository } from './genres.repository.ts';
import type { TitlesService } from './titles.service.ts';

export const IMPORT_MAX_ROWS = 5000;

const list = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split('|')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;
const number = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value === '' ? undefined : value;
const optionalText = (value: unknown) => (value === '' ? undefined : value);

/**
 * One import row: the admin API's title fields, plus `genres` as slugs (a CSV can't carry
 * uuids comfortably) and `publish`. In CSV, lists are separated by "|".
 */
const importRow = z
  .object({
    genres: z.preprocess(
      list,
      z
        .array(text({ max: 80 }))
        .max(20)
        .optional(),
    ),
    publish: z.preprocess(
      (value) => (typeof value === 'string' ? ['true', '1', 'yes'].includes(value.toLowerCase()) : value),
      z.boolean().optional(),
    ),
  })
  .and(
    z.preprocess(
      (raw) => {
        if (typeof raw !== 'object' || raw === null) return raw;
        const row = { ...(raw as Record<string, unknown>) };
        for (const key of ['tags', 'audioLanguages', 'subtitleLanguages', 'allowedRegions'])
          if (key in row) row[key] = list(row[key]) === '' ? undefined : list(row[key]);
        for (const key of ['releaseYear', 'runtimeMinutes', 'minPlanTier'])
          if (key in row) row[key] = number(row[key]);
        for (const key of Object.keys(row)) row[key] = optionalText(row[key]);
        delete row.genres;
        delete row.publish;
        return row;
      },
      titleInput.omit({ genreIds: true, credits: true }),
    ),
  );

/**
 * Bulk import from CSV or JSON. Every row stands alone — its own validation, its own
 * transaction — and the report says, row by row, what was created and what was wrong.
 */
export class ImportService {
  readonly #genres: GenresRepository;
  readonly #titles: TitlesService;

  constructor(options: { genres: GenresRepository; titles: TitlesService }) {
    this.#genres = options.genres;
    this.#titles = options.titles;
  }

  /**
   * The rows of an import request's body: CSV text (`text/csv`), or JSON — as text, or already
   * parsed by Fastify. At most IMPORT_MAX_ROWS, whichever way they came.
   */
  rowsOf(body: unknown, contentType: string | undefined): unknown[] {
    const format = contentType?.startsWith('text/csv') ? 'csv' : 'json';
    let rows = body;
    if (typeof body === 'string') {
      try {
        rows =
          format === 'json'
            ? JSON.parse(body)
            : parse(body, { columns: true, skip_empty_lines: true, trim: true, bom: true });
      } catch (error) {
        throw ImportInvalid(
          `Cannot read the ${format.toUpperCase()}: ${(error as Error).message.slice(0, 200)}`,
        );
      }
    }
    if (!Array.isArray(rows))
      throw ImportInvalid(`Cannot read the ${format.toUpperCase()}: expected a list of rows`);
    if (rows.length > IMPORT_MAX_ROWS)
      throw ImportInvalid(`At most ${IMPORT_MAX_ROWS} rows per import (got ${rows.length})`);
    return rows;
  }

  async run(rows: unknown[], context: RequestContext): Promise<ImportReport> {
    const genres = await this.#genres.idsBySlug();
    const report: ImportReport = { created: 0, failed: 0, rows: [] };
    for (const [index, raw] of rows.entries()) {
      const row = index + 1;
      const parsed = importRow.safeParse(raw);
      if (!parsed.success) {
        report.failed += 1;
        report.rows.push({
          row,
          status: 'error',
          errors: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`),
        });
        continue;
      }
      const { genres: slugs = [], publish, ...input } = parsed.data;
      const unknown = slugs.filter((slug) => !genres.has(slug));
      if (unknown.length) {
        report.failed += 1;
        report.rows.push({
          row,
          status: 'error',
          title: input.title,
          errors: [`genres: unknown ${unknown.join(', ')}`],
        });
        continue;
      }
      try {
        const title = await this.#titles.create(
          { ...input, genreIds: slugs.map((slug) => genres.get(slug) as string) },
          context,
        );
        if (publish) await this.#titles.setPublished(title.id, true, context);
        report.created += 1;
        report.rows.push({ row, status: 'created', id: title.id, title: title.title });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        report.failed += 1;
        report.rows.push({
          row,
          status: 'error',
          title: input.title,
          errors: [`${error.code}: ${error.detail}`],
        });
      }
    }
    return report;
  }
}
