import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { environmentSchema, type Environment } from './environment.ts';
import type { LiveRung, OidcProviderConfig } from './parsers.ts';

export type { Environment } from './environment.ts';
export type { OidcProviderConfig } from './parsers.ts';

/**
 * The whole process configuration, parsed once from the environment at start and frozen.
 * Every variable, its default and its meaning is listed in `.env.example`; keep the two in step
 * (config.test.ts checks it).
 */

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
    /** 'content-aware': capped CRF, rungs no better than the one below dropped; 'fixed': ABR. */
    readonly ladderMode: 'fixed' | 'content-aware';
    readonly crf: number;
    readonly minSsimGain: number;
    /** About how many frames the quality step compares per rendition. */
    readonly qualitySampleFrames: number;
    /** 'top': HEVC (fMP4) copies of the 1080p and 2160p rungs for clients that declare HEVC. */
    readonly hevc: 'off' | 'top';
    readonly hevcPreset: string;
    readonly segmentSeconds: number;
    readonly keyRotationSegments: number;
    /** A replaced package is kept at least this long, then deleted once nothing plays it. */
    readonly packageRetentionHours: number;
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
  readonly recommendations: {
    /** Overrides of the signal weights and their half-life (the rest keep their defaults). */
    readonly signalWeights: Readonly<Record<string, number>>;
  };
  readonly analytics: {
    /** Where events go: the partitioned raw table, or a NATS JetStream stream a consumer reads into it. */
    readonly sink: { readonly kind: 'postgres' } | { readonly kind: 'nats'; readonly url: string };
    /** How often buffered analytics events are appended: a crash loses at most this much. */
    readonly flushMs: number;
    /** Events that may wait at once; past it, beacons get 503 ANALYTICS_BUSY. */
    readonly bufferMax: number;
    /** Whole days of raw events kept; older partitions are dropped (rollups stay). */
    readonly retentionDays: number;
  };
  readonly ads: {
    /** How often buffered ad beacons are counted (and budgets see them): a crash loses at most this much. */
    readonly flushMs: number;
    /** How long a served ad's beacon URLs are accepted. */
    readonly beaconTtlSeconds: number;
    /** Whole days counted beacons are kept for deduplication; their counts stay in the daily rows. */
    readonly beaconRetentionDays: number;
  };
  readonly engagement: {
    /** How often buffered watch progress is written: a crash loses at most this much. */
    readonly progressFlushMs: number;
    /** Positions that may wait at once (one per account, profile and item); past it, 503. */
    readonly progressBufferMax: number;
    readonly comments: {
      /** How long after posting an author may edit a comment. */
      readonly editMinutes: number;
      /** Reports from this many accounts hide a comment until a moderator looks. */
      readonly hideAfterReports: number;
      readonly perMinute: number;
      /** Words refused in comments (case-insensitive, whole words). */
      readonly blockedWords: readonly string[];
    };
  };
  readonly live: {
    readonly chat: {
      /** Messages a viewer gets on joining (the newest, oldest first). */
      readonly history: number;
      readonly maxCharacters: number;
      /** Per account and event, across every instance. */
      readonly messagesPer10s: number;
      /** How long a chat ticket may wait before it opens a socket (single use). */
      readonly ticketSeconds: number;
      /** A viewer whose socket holds more unsent bytes than this is dropped (close 1013). */
      readonly maxBufferedBytes: number;
      /** How often instances add up viewer counts through the shared cache (and tell viewers). */
      readonly presenceMs: number;
      /** How long a busy chat's broadcast frames gather into one `batch` frame (0: none). */
      readonly batchMs: number;
    };
    /** RTMP ingest and the live transcoder; run by the worker role (docs/ARCHITECTURE.md). */
    readonly ingest: {
      readonly enabled: boolean;
      readonly host: string;
      /** 0: any free port (tests). */
      readonly port: number;
      /** SRT ingest beside RTMP (UDP, `streamid=<stream key>`), when `enabled` is on too. */
      readonly srt: { readonly enabled: boolean; readonly host: string; readonly port: number };
      /** The live ladder, tallest first; a smaller source is never upscaled. */
      readonly rungs: readonly LiveRung[];
      readonly segmentSeconds: number;
      /** How far back a viewer can rewind: the playlists' sliding window. */
      readonly dvrSeconds: number;
      /** How long a dropped publisher may take to reconnect before the event ends. */
      readonly graceSeconds: number;
      readonly keyRotationSeconds: number;
    };
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
  if (e.ANALYTICS_SINK === 'nats' && !e.NATS_URL) {
    throw new ConfigError('NATS_URL must be set when ANALYTICS_SINK=nats (it is not set)');
  }
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
      ladderMode: e.TRANSCODE_LADDER_MODE,
      crf: e.TRANSCODE_CRF,
      minSsimGain: e.TRANSCODE_MIN_SSIM_GAIN,
      qualitySampleFrames: e.TRANSCODE_QUALITY_SAMPLE_FRAMES,
      hevc: e.TRANSCODE_HEVC,
      hevcPreset: e.TRANSCODE_HEVC_PRESET,
      segmentSeconds: e.HLS_SEGMENT_SECONDS,
      keyRotationSegments: e.HLS_KEY_ROTATION_SEGMENTS,
      packageRetentionHours: e.MEDIA_PACKAGE_RETENTION_HOURS,
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
    recommendations: { signalWeights: e.RECS_SIGNAL_WEIGHTS },
    analytics: {
      sink: e.ANALYTICS_SINK === 'nats' ? { kind: 'nats', url: e.NATS_URL ?? '' } : { kind: 'postgres' },
      flushMs: e.ANALYTICS_FLUSH_MS,
      bufferMax: e.ANALYTICS_BUFFER_MAX,
      retentionDays: e.ANALYTICS_RETENTION_DAYS,
    },
    ads: {
      flushMs: e.ADS_FLUSH_MS,
      beaconTtlSeconds: e.ADS_BEACON_TTL_HOURS * 3600,
      beaconRetentionDays: e.ADS_BEACON_RETENTION_DAYS,
    },
    engagement: {
      progressFlushMs: e.ENGAGEMENT_PROGRESS_FLUSH_MS,
      progressBufferMax: e.ENGAGEMENT_PROGRESS_BUFFER_MAX,
      comments: {
        editMinutes: e.COMMENT_EDIT_MINUTES,
        hideAfterReports: e.COMMENT_HIDE_AFTER_REPORTS,
        perMinute: e.COMMENTS_PER_MINUTE,
        blockedWords: e.COMMENT_BLOCKED_WORDS.split(',')
          .map((word) => word.trim())
          .filter(Boolean),
      },
    },
    live: {
      chat: {
        history: e.LIVE_CHAT_HISTORY,
        maxCharacters: e.LIVE_CHAT_MAX_CHARACTERS,
        messagesPer10s: e.LIVE_CHAT_MESSAGES_PER_10S,
        ticketSeconds: e.LIVE_CHAT_TICKET_SECONDS,
        maxBufferedBytes: e.LIVE_CHAT_MAX_BUFFERED_BYTES,
        presenceMs: e.LIVE_CHAT_PRESENCE_MS,
        batchMs: e.LIVE_CHAT_BATCH_MS,
      },
      ingest: {
        enabled: e.LIVE_INGEST,
        host: e.LIVE_RTMP_HOST,
        port: e.LIVE_RTMP_PORT,
        srt: { enabled: e.LIVE_SRT, host: e.LIVE_SRT_HOST, port: e.LIVE_SRT_PORT },
        rungs: e.LIVE_RUNGS,
        segmentSeconds: e.LIVE_SEGMENT_SECONDS,
        dvrSeconds: e.LIVE_DVR_SECONDS,
        graceSeconds: e.LIVE_GRACE_SECONDS,
        keyRotationSeconds: e.LIVE_KEY_ROTATION_SECONDS,
      },
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
