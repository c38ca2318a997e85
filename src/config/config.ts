import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * The whole process configuration, parsed once from the environment at start and frozen.
 * Every variable, its default and its meaning is listed in `.env.example`; keep the two in step
 * (config.test.ts checks it).
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const url = (protocols: string[]) =>
  z.string().refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), {
    message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  });

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const withDefault = <T extends z.ZodType>(schema: T, fallback: string) =>
  z.preprocess((value) => (value === undefined || value === '' ? fallback : value), schema);

/** `TRUST_PROXY`: false, true, a hop count, or a comma-separated list of addresses/CIDRs. */
const trustProxy = z.string().transform((value): boolean | number | string[] => {
  const trimmed = value.trim();
  if (['', 'false', '0', 'no', 'off'].includes(trimmed)) return false;
  if (['true', 'yes', 'on'].includes(trimmed)) return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed.split(',').map((item) => item.trim());
});

/**
 * `OIDC_PROVIDERS`: a JSON array of login providers. `type` "oidc" (default) discovers the
 * provider from its issuer (Google, Cognito, Keycloak, Auth0, Entra ID…); "oauth2" takes explicit
 * endpoints for providers without OpenID Connect discovery (Facebook). `preset` fills the
 * well-known values for google and facebook.
 */
const oidcProvider = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, 'provider id must be lowercase letters, digits or dashes'),
  name: z.string().min(1).max(64).optional(),
  preset: z.enum(['google', 'facebook']).optional(),
  type: z.enum(['oidc', 'oauth2']).optional(),
  issuer: z.url().optional(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1).optional(),
  scopes: z.array(z.string()).optional(),
  authorizationUrl: z.url().optional(),
  tokenUrl: z.url().optional(),
  userinfoUrl: z.url().optional(),
});
export type OidcProviderConfig = z.infer<typeof oidcProvider>;

const oidcProviders = z.string().transform((value, context): OidcProviderConfig[] => {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    context.addIssue({ code: 'custom', message: 'must be a JSON array of providers' });
    return z.NEVER;
  }
  const parsed = z.array(oidcProvider).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    context.addIssue({
      code: 'custom',
      message: `is invalid at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    });
    return z.NEVER;
  }
  return parsed.data;
});

/** `TRANSCODE_LADDER`: rungs as `height:kbps`, e.g. `480:1400,720:2800`. */
const ladder = z.string().transform((value, context): Array<{ p: number; videoBitrateKbps: number }> => {
  const rungs = value.split(',').map((item) => /^\s*(\d{3,4}):(\d{2,6})\s*$/.exec(item));
  if (rungs.length === 0 || rungs.some((match) => !match)) {
    context.addIssue({
      code: 'custom',
      message: 'must be a comma-separated list of height:kbps, e.g. 480:1400',
    });
    return z.NEVER;
  }
  return rungs.map((match) => ({ p: Number(match![1]), videoBitrateKbps: Number(match![2]) }));
});

const environmentSchema = z.object({
  NODE_ENV: withDefault(z.enum(['development', 'production', 'test']), 'development'),
  ROLE: withDefault(z.enum(['all', 'api', 'worker']), 'all'),
  HOST: withDefault(z.string().min(1), '0.0.0.0'),
  PORT: withDefault(int(0, 65535), '3000'),
  PUBLIC_URL: optional(url(['http:', 'https:'])),
  DATA_DIR: withDefault(z.string().min(1), './data'),
  LOG_LEVEL: withDefault(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
  LOG_PRETTY: withDefault(z.enum(['auto', 'true', 'false']), 'auto'),

  DATABASE_URL: optional(url(['postgres:', 'postgresql:'])),
  DATABASE_POOL_MAX: withDefault(int(1, 1000), '10'),
  DATABASE_STATEMENT_TIMEOUT_MS: withDefault(int(0, 3_600_000), '30000'),
  REDIS_URL: optional(url(['redis:', 'rediss:'])),
  REDIS_KEY_PREFIX: withDefault(z.string(), 'marquee:'),

  STORAGE_DRIVER: withDefault(z.enum(['local', 's3']), 'local'),
  STORAGE_DIR: optional(z.string().min(1)),
  S3_ENDPOINT: optional(url(['http:', 'https:'])),
  S3_BUCKET: optional(z.string().min(3).max(63)),
  S3_REGION: withDefault(z.string().min(1), 'us-east-1'),
  S3_ACCESS_KEY_ID: optional(z.string().min(1)),
  S3_SECRET_ACCESS_KEY: optional(z.string().min(1)),
  S3_FORCE_PATH_STYLE: withDefault(bool, 'false'),

  SMTP_URL: optional(url(['smtp:', 'smtps:'])),
  MAIL_FROM: withDefault(z.string().min(3), 'Marquee <no-reply@localhost>'),

  CORS_ORIGINS: withDefault(list, ''),
  TRUST_PROXY: withDefault(trustProxy, 'false'),
  BODY_LIMIT_BYTES: withDefault(int(1024, 1024 ** 3), String(1024 * 1024)),
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: withDefault(int(0, 60_000), '1000'),
  PRESSURE_MAX_HEAP_USED_BYTES: withDefault(int(0, Number.MAX_SAFE_INTEGER), '0'),
  PRESSURE_RETRY_AFTER_SECONDS: withDefault(int(1, 3600), '10'),
  METRICS_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
  SHUTDOWN_TIMEOUT_MS: withDefault(int(1000, 60_000), '9000'),

  WORKER_CONCURRENCY: optional(int(1, 256)),

  AUTH_ACCESS_TOKEN_TTL_SECONDS: withDefault(int(60, 900), '900'),
  AUTH_REFRESH_TOKEN_TTL_DAYS: withDefault(int(1, 365), '30'),
  AUTH_SIGNING_KEYS_FILE: optional(z.string().min(1)),
  AUTH_MAX_DEVICES: withDefault(int(1, 100), '5'),
  AUTH_MAX_PROFILES: withDefault(int(1, 20), '5'),
  AUTH_KIDS_MATURITY_LIMIT: withDefault(int(0, 21), '10'),
  AUTH_RATE_LIMIT_PER_MINUTE: withDefault(int(1, 100_000), '30'),
  AUTH_LOCKOUT_AFTER_FAILURES: withDefault(int(1, 1000), '5'),
  AUTH_LOCKOUT_MAX_SECONDS: withDefault(int(1, 86_400), '900'),
  OIDC_PROVIDERS: withDefault(oidcProviders, '[]'),

  GEO_COUNTRY_HEADER: optional(
    z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must be a lower-case header name')
      .max(64),
  ),
  CATALOG_CACHE_SECONDS: withDefault(int(0, 3600), '60'),

  UPLOAD_MAX_BYTES: withDefault(int(1024, 64 * 1024 ** 3), String(2 * 1024 ** 3)),
  FFMPEG_PATH: withDefault(z.string().min(1), 'ffmpeg'),
  FFPROBE_PATH: withDefault(z.string().min(1), 'ffprobe'),
  MEDIA_MASTER_KEY: optional(
    z.string().refine((value) => Buffer.from(value, 'base64').length === 32, {
      message: 'must be 32 bytes in base64 (openssl rand -base64 32)',
    }),
  ),
  MEDIA_MASTER_KEY_FILE: optional(z.string().min(1)),
  TRANSCODE_CONCURRENCY: withDefault(int(1, 64), '1'),
  TRANSCODE_THREADS: withDefault(int(0, 256), '0'),
  TRANSCODE_PRESET: withDefault(
    z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow']),
    'veryfast',
  ),
  TRANSCODE_LADDER: withDefault(ladder, '240:400,360:800,480:1400,720:2800,1080:5000,2160:16000'),
  TRANSCODE_AUDIO_BITRATE_KBPS: withDefault(int(32, 512), '128'),
  HLS_SEGMENT_SECONDS: withDefault(int(2, 10), '4'),
  HLS_KEY_ROTATION_SEGMENTS: withDefault(int(0, 100_000), '15'),

  PLAYBACK_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  PLAYBACK_TOKEN_TTL_SECONDS: withDefault(int(60, 86_400), '14400'),
  PLAYBACK_HEARTBEAT_LAPSE_SECONDS: withDefault(int(35, 3600), '75'),
  KEY_RATE_LIMIT_PER_MINUTE: withDefault(int(1, 100_000), '600'),
  DELIVERY_MODE: withDefault(z.enum(['embedded', 'cloudfront']), 'embedded'),
  CLOUDFRONT_URL: optional(url(['https:', 'http:'])),
  CLOUDFRONT_KEY_PAIR_ID: optional(z.string().min(1)),
  CLOUDFRONT_PRIVATE_KEY_FILE: optional(z.string().min(1)),
  OFFLINE_LICENCE_DAYS: withDefault(int(1, 365), '30'),
  OFFLINE_PLAY_WINDOW_HOURS: withDefault(int(1, 720), '48'),

  PAYMENTS_SANDBOX: withDefault(z.enum(['auto', 'true', 'false']), 'auto'),
  SUBSCRIPTION_CURRENCY: withDefault(z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'), 'USD'),
  SUBSCRIPTION_GRACE_DAYS: withDefault(int(0, 60), '7'),
  STRIPE_SECRET_KEY: optional(z.string().min(8)),
  STRIPE_WEBHOOK_SECRET: optional(z.string().min(8)),
  STRIPE_API_BASE: optional(url(['http:', 'https:'])),
  RAZORPAY_KEY_ID: optional(z.string().min(4)),
  RAZORPAY_KEY_SECRET: optional(z.string().min(8)),
  RAZORPAY_WEBHOOK_SECRET: optional(z.string().min(8)),
  RAZORPAY_API_BASE: optional(url(['http:', 'https:'])),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface Config {
  readonly env: Environment['NODE_ENV'];
  readonly role: Environment['ROLE'];
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl: string;
    readonly corsOrigins: readonly string[];
    readonly trustProxy: boolean | number | readonly string[];
    readonly bodyLimitBytes: number;
    readonly metricsToken: string | undefined;
  };
  readonly pressure: {
    readonly maxEventLoopDelayMs: number;
    readonly maxHeapUsedBytes: number;
    readonly retryAfterSeconds: number;
  };
  readonly log: { readonly level: Environment['LOG_LEVEL']; readonly pretty: boolean };
  readonly dataDir: string;
  readonly database:
    | { readonly kind: 'embedded'; readonly dataDir: string }
    | {
        readonly kind: 'postgres';
        readonly url: string;
        readonly poolMax: number;
        readonly statementTimeoutMs: number;
      };
  readonly redis: { readonly url: string; readonly keyPrefix: string } | undefined;
  readonly storage:
    | { readonly kind: 'local'; readonly dir: string }
    | {
        readonly kind: 's3';
        readonly bucket: string;
        readonly region: string;
        readonly endpoint: string | undefined;
        readonly accessKeyId: string | undefined;
        readonly secretAccessKey: string | undefined;
        readonly forcePathStyle: boolean;
      };
  readonly mail: { readonly from: string; readonly smtpUrl: string | undefined };
  readonly worker: { readonly concurrency: number };
  readonly auth: {
    readonly issuer: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlDays: number;
    readonly signingKeysFile: string;
    readonly maxDevices: number;
    readonly maxProfiles: number;
    readonly kidsMaturityLimit: number;
    readonly rateLimitPerMinute: number;
    readonly lockoutAfterFailures: number;
    readonly lockoutMaxSeconds: number;
    readonly oidcProviders: readonly OidcProviderConfig[];
  };
  readonly shutdownTimeoutMs: number;
  readonly catalog: {
    /** Request header a trusted proxy or CDN sets to the viewer's country (e.g. cf-ipcountry). */
    readonly countryHeader: string | undefined;
    readonly cacheSeconds: number;
    readonly uploadMaxBytes: number;
  };
  readonly media: {
    readonly ffmpegPath: string;
    readonly ffprobePath: string;
    /** Base64 master key from the environment, else this file (generated on first use). */
    readonly masterKey: string | undefined;
    readonly masterKeyFile: string;
    readonly workDir: string;
    readonly concurrency: number;
    readonly threads: number;
    readonly preset: string;
    readonly rungs: ReadonlyArray<{ readonly p: number; readonly videoBitrateKbps: number }>;
    readonly audioBitrateKbps: number;
    readonly segmentSeconds: number;
    readonly keyRotationSegments: number;
  };
  readonly playback: {
    /** HMAC secret for playback tokens and signed URLs; else generated into secretFile. */
    readonly secret: string | undefined;
    readonly secretFile: string;
    readonly tokenTtlSeconds: number;
    readonly heartbeatLapseSeconds: number;
    readonly keyRateLimitPerMinute: number;
    readonly delivery:
      | { readonly mode: 'embedded' }
      | {
          readonly mode: 'cloudfront';
          readonly url: string;
          readonly keyPairId: string;
          readonly privateKeyFile: string;
        };
    readonly offlineLicenceDays: number;
    readonly offlinePlayWindowHours: number;
  };
  readonly subscriptions: {
    /** The local sandbox provider: on by default only on the embedded database. */
    readonly sandbox: boolean;
    readonly defaultCurrency: string;
    readonly graceDays: number;
    readonly stripe:
      { readonly secretKey: string; readonly webhookSecret: string; readonly apiBase?: string } | undefined;
    readonly razorpay:
      | {
          readonly keyId: string;
          readonly keySecret: string;
          readonly webhookSecret: string;
          readonly apiBase?: string;
        }
      | undefined;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const variable = String(issue.path[0] ?? 'configuration');
  const raw = env[variable];
  const got =
    raw === undefined
      ? 'it is not set'
      : `got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)}`;
  let message = issue.message;
  if (issue.code === 'invalid_value' && message.startsWith('Invalid'))
    message = `must be one of ${issue.values.map(String).join(', ')}`;
  return `${variable} ${message.replace(/^Invalid input: /, '')} (${got})`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Parses the environment into the frozen configuration, or throws one ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(first ? describeIssue(first, env) : 'invalid configuration');
  }
  const e = parsed.data;
  if (e.STORAGE_DRIVER === 's3' && !e.S3_BUCKET) {
    throw new ConfigError('S3_BUCKET must be set when STORAGE_DRIVER=s3 (it is not set)');
  }
  if ((e.S3_ACCESS_KEY_ID === undefined) !== (e.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (only one is set)');
  }
  if (
    e.DELIVERY_MODE === 'cloudfront' &&
    !(e.CLOUDFRONT_URL && e.CLOUDFRONT_KEY_PAIR_ID && e.CLOUDFRONT_PRIVATE_KEY_FILE)
  ) {
    throw new ConfigError(
      'CLOUDFRONT_URL, CLOUDFRONT_KEY_PAIR_ID and CLOUDFRONT_PRIVATE_KEY_FILE must be set when DELIVERY_MODE=cloudfront',
    );
  }
  const dataDir = path.resolve(e.DATA_DIR);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const config: Omit<Config, 'subscriptions'> = {
    env: e.NODE_ENV,
    role: e.ROLE,
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl,
      corsOrigins: e.CORS_ORIGINS,
      trustProxy: e.TRUST_PROXY,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      metricsToken: e.METRICS_TOKEN,
    },
    pressure: {
      maxEventLoopDelayMs: e.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: e.PRESSURE_MAX_HEAP_USED_BYTES,
      retryAfterSeconds: e.PRESSURE_RETRY_AFTER_SECONDS,
    },
    log: {
      level: e.LOG_LEVEL,
      pretty: e.LOG_PRETTY === 'auto' ? Boolean(process.stdout.isTTY) : e.LOG_PRETTY === 'true',
    },
    dataDir,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolMax: e.DATABASE_POOL_MAX,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
        }
      : { kind: 'embedded', dataDir: path.join(dataDir, 'db') },
    redis: e.REDIS_URL ? { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX } : undefined,
    storage:
      e.STORAGE_DRIVER === 's3'
        ? {
            kind: 's3',
            bucket: e.S3_BUCKET ?? '',
            region: e.S3_REGION,
            endpoint: e.S3_ENDPOINT,
            accessKeyId: e.S3_ACCESS_KEY_ID,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
          }
        : { kind: 'local', dir: path.resolve(e.STORAGE_DIR ?? path.join(dataDir, 'storage')) },
    mail: { from: e.MAIL_FROM, smtpUrl: e.SMTP_URL },
    worker: { concurrency: e.WORKER_CONCURRENCY ?? Math.max(1, os.availableParallelism()) },
    auth: {
      issuer: publicUrl,
      accessTokenTtlSeconds: e.AUTH_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: e.AUTH_REFRESH_TOKEN_TTL_DAYS,
      signingKeysFile: path.resolve(
        e.AUTH_SIGNING_KEYS_FILE ?? path.join(dataDir, 'keys', 'jwt-signing-keys.json'),
      ),
      maxDevices: e.AUTH_MAX_DEVICES,
      maxProfiles: e.AUTH_MAX_PROFILES,
      kidsMaturityLimit: e.AUTH_KIDS_MATURITY_LIMIT,
      rateLimitPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
      lockoutAfterFailures: e.AUTH_LOCKOUT_AFTER_FAILURES,
      lockoutMaxSeconds: e.AUTH_LOCKOUT_MAX_SECONDS,
      oidcProviders: e.OIDC_PROVIDERS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    catalog: {
      countryHeader: e.GEO_COUNTRY_HEADER,
      cacheSeconds: e.CATALOG_CACHE_SECONDS,
      uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    },
    media: {
      ffmpegPath: e.FFMPEG_PATH,
      ffprobePath: e.FFPROBE_PATH,
      masterKey: e.MEDIA_MASTER_KEY,
      masterKeyFile: path.resolve(e.MEDIA_MASTER_KEY_FILE ?? path.join(dataDir, 'keys', 'media-master.key')),
      workDir: path.join(dataDir, 'work'),
      concurrency: e.TRANSCODE_CONCURRENCY,
      threads: e.TRANSCODE_THREADS,
      preset: e.TRANSCODE_PRESET,
      rungs: e.TRANSCODE_LADDER,
      audioBitrateKbps: e.TRANSCODE_AUDIO_BITRATE_KBPS,
      segmentSeconds: e.HLS_SEGMENT_SECONDS,
      keyRotationSegments: e.HLS_KEY_ROTATION_SEGMENTS,
    },
    playback: {
      secret: e.PLAYBACK_SECRET,
      secretFile: path.join(dataDir, 'keys', 'playback-secret'),
      tokenTtlSeconds: e.PLAYBACK_TOKEN_TTL_SECONDS,
      heartbeatLapseSeconds: e.PLAYBACK_HEARTBEAT_LAPSE_SECONDS,
      keyRateLimitPerMinute: e.KEY_RATE_LIMIT_PER_MINUTE,
      delivery:
        e.DELIVERY_MODE === 'cloudfront'
          ? {
              mode: 'cloudfront',
              url: (e.CLOUDFRONT_URL ?? '').replace(/\/+$/, ''),
              keyPairId: e.CLOUDFRONT_KEY_PAIR_ID ?? '',
              privateKeyFile: path.resolve(e.CLOUDFRONT_PRIVATE_KEY_FILE ?? ''),
            }
          : { mode: 'embedded' },
      offlineLicenceDays: e.OFFLINE_LICENCE_DAYS,
      offlinePlayWindowHours: e.OFFLINE_PLAY_WINDOW_HOURS,
    },
  };
  return deepFreeze({ ...config, subscriptions: subscriptionsConfig(e) });
}

function subscriptionsConfig(e: Environment): Config['subscriptions'] {
  if ((e.STRIPE_SECRET_KEY === undefined) !== (e.STRIPE_WEBHOOK_SECRET === undefined)) {
    throw new ConfigError(
      'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together (only one is set)',
    );
  }
  const razorpay = [e.RAZORPAY_KEY_ID, e.RAZORPAY_KEY_SECRET, e.RAZORPAY_WEBHOOK_SECRET];
  if (razorpay.some((value) => value === undefined) && razorpay.some((value) => value !== undefined)) {
    throw new ConfigError(
      'RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET and RAZORPAY_WEBHOOK_SECRET must be set together',
    );
  }
  return {
    sandbox: e.PAYMENTS_SANDBOX === 'auto' ? !e.DATABASE_URL : e.PAYMENTS_SANDBOX === 'true',
    defaultCurrency: e.SUBSCRIPTION_CURRENCY,
    graceDays: e.SUBSCRIPTION_GRACE_DAYS,
    stripe:
      e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET
        ? {
            secretKey: e.STRIPE_SECRET_KEY,
            webhookSecret: e.STRIPE_WEBHOOK_SECRET,
            ...(e.STRIPE_API_BASE && { apiBase: e.STRIPE_API_BASE }),
          }
        : undefined,
    razorpay:
      e.RAZORPAY_KEY_ID && e.RAZORPAY_KEY_SECRET && e.RAZORPAY_WEBHOOK_SECRET
        ? {
            keyId: e.RAZORPAY_KEY_ID,
            keySecret: e.RAZORPAY_KEY_SECRET,
            webhookSecret: e.RAZORPAY_WEBHOOK_SECRET,
            ...(e.RAZORPAY_API_BASE && { apiBase: e.RAZORPAY_API_BASE }),
          }
        : undefined,
  };
}

/** The variables this module reads, for the `.env.example` drift test. */
export const configVariables: readonly string[] = Object.keys(environmentSchema.shape);
