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

export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level,
    name: options.name ?? 'marquee',
    redact: { paths: redact, censor: '[redacted]' },
    ...(options.pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name' },
          },
        }
      : {}),
  });
}
