import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level: string;
  /** Human-readable lines (a terminal is attached) instead of JSON. */
  pretty: boolean;
  name?: string;
}

/** Paths never written to a log, whatever a request or an error carries. */
const redact = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
];

/**
 * Errors from the database drivers carry the statement's bound parameters (PGlite's `params`, pg's
 * `parameters` in some paths): a profile PIN's hash once reached the log that way. They are
 * dropped from every logged error, its causes included; the statement text stays.
 */
const parameterKeys = ['params', 'parameters', 'values', 'bindings'];

export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  const scrub = (value: unknown, depth: number): void => {
    if (!value || typeof value !== 'object' || depth > 5) return;
    const record = value as Record<string, unknown>;
    for (const key of parameterKeys) delete record[key];
    scrub(record.cause, depth + 1);
    if (Array.isArray(record.aggregateErrors))
      for (const inner of record.aggregateErrors) scrub(inner, depth + 1);
  };
  scrub(serialized, 0);
  return serialized;
}

export function createLogger(options: LoggerOptions, destination?: NodeJS.WritableStream): Logger {
  const settings = {
    level: options.level,
    name: options.name ?? 'marquee',
    redact: { paths: redact, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
  };
  if (destination) return pino(settings, destination);
  if (options.pretty) {
    return pino({
      ...settings,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name' },
      },
    });
  }
  // JSON lines to stdout, buffered (8 KiB) instead of one write() per line: a busy server logs a
  // line per request, and a syscall each was a tenth of a small request's cost (bench:auth).
  // pino flushes the buffer when the process exits, and main.ts flushes on shutdown.
  return pino(settings, pino.destination({ dest: 1, sync: false, minLength: 8192 }));
}
