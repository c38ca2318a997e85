import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isDependencyUnavailable, isStorageFull } from '../shared/dependency-errors.ts';
import { AppError, defineError, type ErrorKind } from '../shared/errors.ts';

/**
 * RFC 9457 problem details: the one place errors become HTTP responses.
 * `type` is a URN per stable code (urn:marquee:problem:<code>); docs/ERRORS.md lists the codes.
 */

export const statusByKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  payment_required: 402,
  not_found: 404,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  too_large: 413,
  unsupported_media: 415,
  range_not_satisfiable: 416,
  rate_limited: 429,
  unavailable: 503,
  insufficient_storage: 507,
  internal: 500,
};

export const fieldErrorSchema = z.object({
  in: z.enum(['body', 'querystring', 'params', 'headers']).describe('Which part of the request'),
  path: z.string().describe('JSON pointer to the field, "" for the whole part'),
  message: z.string(),
});

export const problemSchema = z
  .object({
    type: z.string().describe('urn:marquee:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string().describe('Stable, machine-readable error code'),
    requestId: z.string(),
    errors: z.array(fieldErrorSchema).optional().describe('Every invalid field, for VALIDATION_FAILED'),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;
type FieldError = z.infer<typeof fieldErrorSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

const typeFor = (code: string) => `urn:marquee:problem:${code.toLowerCase().replaceAll('_', '-')}`;

// Errors of the HTTP layer itself.
export const RouteNotFound = defineError('ROUTE_NOT_FOUND', 'not_found', 'No such endpoint');
export const Overloaded = defineError('OVERLOADED', 'unavailable', 'The server is overloaded; retry later');
export const Internal = defineError('INTERNAL', 'internal', 'Internal server error');
const Unavailable = defineError('UNAVAILABLE', 'unavailable', 'Service unavailable');
const DependencyUnavailable = defineError(
  'DEPENDENCY_UNAVAILABLE',
  'unavailable',
  'A service Marquee depends on is unreachable; retry shortly',
);

// RFC 4918 §11.5: the server could not store what the request needs (the disk is full).
const StorageFull = defineError(
  'STORAGE_FULL',
  'insufficient_storage',
  'The server has no room to store this; nothing was kept — retry later',
);

/** Fastify's own errors, mapped to stable codes. Any other 4xx keeps its status as HTTP_<status>. */
const fastifyCodes: Record<string, ReturnType<typeof defineError>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: defineError('MALFORMED_JSON', 'invalid', 'The body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: defineError(
    'EMPTY_BODY',
    'invalid',
    'The body is empty but content-type says JSON',
  ),
  FST_ERR_CTP_BODY_TOO_LARGE: defineError(
    'BODY_TOO_LARGE',
    'too_large',
    'The body is larger than this endpoint accepts',
  ),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: defineError(
    'UNSUPPORTED_MEDIA_TYPE',
    'unsupported_media',
    'This endpoint does not accept that content type',
  ),
  FST_ERR_CTP_INVALID_TYPE: defineError(
    'UNSUPPORTED_MEDIA_TYPE',
    'unsupported_media',
    'This endpoint does not accept that content type',
  ),
  FST_ERR_CTP_EMPTY_TYPE: defineError(
    'UNSUPPORTED_MEDIA_TYPE',
    'unsupported_media',
    'This endpoint does not accept that content type',
  ),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: defineError(
    'INVALID_CONTENT_LENGTH',
    'invalid',
    'Content-Length does not match the body',
  ),
  FST_ERR_BAD_URL: defineError('BAD_URL', 'invalid', 'The URL is malformed'),
};

const httpTitles: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  408: 'Request timeout',
  409: 'Conflict',
  411: 'Length required',
  412: 'Precondition failed',
  413: 'Content too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  429: 'Too many requests',
  431: 'Request header fields too large',
  503: 'Service unavailable',
};

function fieldErrors(error: FastifyError): FieldError[] {
  const where = error.validationContext ?? 'body';
  return (error.validation ?? []).map((issue) => ({
    in: where,
    path: issue.instancePath ?? '',
    message: issue.message ?? 'is invalid',
  }));
}

export interface ProblemInput {
  status: number;
  code: string;
  title: string;
  detail?: string | undefined;
  extensions?: Record<string, unknown>;
}

export function buildProblem(request: FastifyRequest, input: ProblemInput): Problem {
  return {
    ...input.extensions,
    type: typeFor(input.code),
    title: input.title,
    status: input.status,
    ...(input.detail && input.detail !== input.title ? { detail: input.detail } : {}),
    instance: request.url.split('?')[0],
    code: input.code,
    requestId: request.id,
  };
}

/** Maps any thrown value to the problem we answer with. Unknown errors become an opaque 500. */
export function problemFor(error: unknown, request: FastifyRequest): Problem {
  if (error instanceof AppError) {
    return buildProblem(request, {
      status: statusByKind[error.kind],
      code: error.code,
      title: error.title,
      detail: error.detail,
      extensions: error.extensions,
    });
  }
  const fastifyError = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(error) || fastifyError.validation) {
    const errors = fieldErrors(fastifyError);
    return buildProblem(request, {
      status: 400,
      code: 'VALIDATION_FAILED',
      title: 'The request is not valid',
      detail: errors.map((item) => `${item.in}${item.path || ''}: ${item.message}`).join('; '),
      extensions: { errors },
    });
  }
  if (isResponseSerializationError(error)) return problemFor(Internal(), request);
  if (isDependencyUnavailable(error)) return problemFor(DependencyUnavailable(), request);
  if (isStorageFull(error)) return problemFor(StorageFull(), request);
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    const known = fastifyError.code ? fastifyCodes[fastifyError.code]?.definition : undefined;
    return buildProblem(request, {
      status,
      code: known?.code ?? `HTTP_${status}`,
      title: known?.title ?? httpTitles[status] ?? 'Bad request',
      // Fastify's 4xx messages describe the client's mistake and carry no internals.
      detail: fastifyError.message,
    });
  }
  if (status === 503) return problemFor(Unavailable(), request);
  return problemFor(Internal(), request);
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
