/**
 * PostgreSQL error classes the code reacts to (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 * pg and PGlite both expose the SQLSTATE as `code`.
 */
const sqlstate = (error: unknown): string | undefined =>
  (error as { code?: unknown }).code as string | undefined;

export const isUniqueViolation = (error: unknown): boolean => sqlstate(error) === '23505';

/** A row is still referenced: 23503 (NO ACTION) or 23001 (RESTRICT). */
export const isReferencedElsewhere = (error: unknown): boolean =>
  ['23503', '23001'].includes(sqlstate(error) ?? '');
