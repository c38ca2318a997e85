/**
 * Typed domain errors. Services throw them; the HTTP layer renders them once as RFC 9457
 * problem+json (src/http/problem.ts). A service never picks a status code: it picks a kind.
 */

export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'payment_required'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'precondition_failed'
  | 'too_large'
  | 'unsupported_media'
  | 'range_not_satisfiable'
  | 'rate_limited'
  | 'unavailable'
  | 'insufficient_storage'
  | 'internal';

export interface ErrorDefinition {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly title: string;
}

export type ProblemExtensions = Record<string, unknown>;

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: string;
  readonly kind: ErrorKind;
  readonly title: string;
  readonly extensions: ProblemExtensions;

  constructor(definition: ErrorDefinition, detail?: string, extensions: ProblemExtensions = {}) {
    // Domain errors are answers, not bugs: a stack trace would say nothing and capturing one is
    // the most expensive part of refusing a request (measured with bench:auth's profile).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail ?? definition.title);
    Error.stackTraceLimit = limit;
    this.code = definition.code;
    this.kind = definition.kind;
    this.title = definition.title;
    this.extensions = extensions;
  }

  get detail(): string {
    return this.message;
  }
}

/** Every code ever defined, so docs/ERRORS.md and the OpenAPI document can list them. */
export const errorCatalog = new Map<string, ErrorDefinition>();

/**
 * Declares an error once; returns a factory. Codes are stable API: clients switch on them.
 * @example const StreamLimit = defineError('PLAYBACK_STREAM_LIMIT', 'conflict', 'Too many streams');
 *          throw StreamLimit('Your plan allows 2 streams', { activeStreams });
 */
export function defineError(code: string, kind: ErrorKind, title: string) {
  const existing = errorCatalog.get(code);
  if (existing && (existing.kind !== kind || existing.title !== title)) {
    throw new Error(`error code ${code} is defined twice with different meanings`);
  }
  const definition: ErrorDefinition = Object.freeze({ code, kind, title });
  errorCatalog.set(code, definition);
  const create = (detail?: string, extensions?: ProblemExtensions) =>
    new AppError(definition, detail, extensions);
  return Object.assign(create, {
    definition,
    is: (error: unknown) => error instanceof AppError && error.code === code,
  });
}

export const NotFound = defineError('NOT_FOUND', 'not_found', 'Not found');
export const ValidationFailed = defineError('VALIDATION_FAILED', 'invalid', 'The request is not valid');
export const Conflict = defineError('CONFLICT', 'conflict', 'Conflict');
export const ServiceUnavailable = defineError('UNAVAILABLE', 'unavailable', 'Service unavailable');
