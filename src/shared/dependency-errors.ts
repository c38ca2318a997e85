/**
 * Whether an error says a dependency (the database, Redis) is unreachable rather than that the
 * request or our code is wrong: such a request is answered 503 with Retry-After, never 500.
 * PostgreSQL's SQLSTATE class 08 is "connection exception"; 57P01–57P03 are the server shutting
 * down or starting (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTCONN',
]);
const postgresCodes = new Set(['57P01', '57P02', '57P03', '53300']);
const messages = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error/,
  /^Reached the max retries per request limit/,
  /Connection is closed/,
  /Stream isn't writeable/,
];

export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (networkCodes.has(code) || postgresCodes.has(code) || /^08/.test(code)))
    return true;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  if (messages.some((pattern) => pattern.test(error.message))) return true;
  if (error instanceof AggregateError)
    return error.errors.some((inner) => isDependencyUnavailable(inner, depth + 1));
  return isDependencyUnavailable(error.cause, depth + 1);
}

/** Whether an error says the disk (or a quota) is full: ENOSPC, EDQUOT, wherever it is wrapped. */
export function isStorageFull(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  if (error instanceof AggregateError) return error.errors.some((inner) => isStorageFull(inner, depth + 1));
  return isStorageFull(error.cause, depth + 1);
}
