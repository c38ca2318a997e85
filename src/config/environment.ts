import { z } from 'zod';
import {
  liveRungs,
  bool,
  decimal,
  int,
  ladder,
  list,
  oidcProviders,
  optional,
  trustProxy,
  url,
  withDefault,
  numberOverrides,
} from './parsers.ts';

/**
 * Every environment variable Marquee reads, with its default: the one schema `loadConfig`
 * parses. `.env.example` lists each with its meaning (config.test.ts keeps the two in step).
 */
export const environmentSchema = z.object({
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
  TRANSCODE_LADDER_MODE: withDefault(z.enum(['fixed', 'content-aware']), 'content-aware'),
  TRANSCODE_CRF: withDefault(int(0, 51), '23'),
  TRANSCODE_MIN_SSIM_GAIN: withDefault(decimal(0, 1), '0.002'),
  TRANSCODE_QUALITY_SAMPLE_FRAMES: withDefault(int(1, 10_000), '60'),
  HLS_SEGMENT_SECONDS: withDefault(int(2, 10), '4'),
  HLS_KEY_ROTATION_SEGMENTS: withDefault(int(0, 100_000), '15'),
  MEDIA_PACKAGE_RETENTION_HOURS: withDefault(int(0, 8760), '24'),

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

  ENGAGEMENT_PROGRESS_FLUSH_MS: withDefault(int(10, 60_000), '2000'),
  ADS_FLUSH_MS: withDefault(int(10, 60_000), '1000'),
  ADS_BEACON_TTL_HOURS: withDefault(int(1, 168), '24'),
  // At least 8 days: longer than the longest beacon TTL (7 days), so no row is deleted while its
  // URL could still be replayed (the row is what makes a replay count nothing).
  ADS_BEACON_RETENTION_DAYS: withDefault(int(8, 3650), '30'),
  RECS_SIGNAL_WEIGHTS: withDefault(
    numberOverrides([
      'play',
      'finish',
      'abandon',
      'thumbUp',
      'thumbDown',
      'ratingPerStar',
      'ratingNeutral',
      'ratingBase',
      'myList',
      'notInterested',
      'halfLifeDays',
    ]),
    '',
  ),
  ENGAGEMENT_PROGRESS_BUFFER_MAX: withDefault(int(100, 10_000_000), '200000'),
  ANALYTICS_SINK: withDefault(z.enum(['postgres', 'nats']), 'postgres'),
  NATS_URL: optional(url(['nats:', 'tls:'])),
  ANALYTICS_FLUSH_MS: withDefault(int(10, 60_000), '1000'),
  ANALYTICS_BUFFER_MAX: withDefault(int(1000, 10_000_000), '100000'),
  ANALYTICS_RETENTION_DAYS: withDefault(int(2, 3650), '90'),
  COMMENT_EDIT_MINUTES: withDefault(int(0, 10_080), '15'),
  COMMENT_HIDE_AFTER_REPORTS: withDefault(int(1, 1000), '3'),
  COMMENTS_PER_MINUTE: withDefault(int(1, 10_000), '5'),
  COMMENT_BLOCKED_WORDS: withDefault(z.string().max(100_000), ''),
  LIVE_CHAT_HISTORY: withDefault(int(0, 500), '50'),
  LIVE_CHAT_MAX_CHARACTERS: withDefault(int(1, 2000), '500'),
  LIVE_CHAT_MESSAGES_PER_10S: withDefault(int(1, 1000), '5'),
  LIVE_CHAT_TICKET_SECONDS: withDefault(int(5, 600), '30'),
  LIVE_CHAT_MAX_BUFFERED_BYTES: withDefault(int(1024, 1 << 30), '1048576'),
  LIVE_CHAT_PRESENCE_MS: withDefault(int(100, 600_000), '5000'),
  LIVE_INGEST: withDefault(bool, 'false'),
  LIVE_RTMP_HOST: withDefault(z.string().min(1), '0.0.0.0'),
  LIVE_RTMP_PORT: withDefault(int(0, 65_535), '1935'),
  LIVE_RUNGS: withDefault(liveRungs, '720:2800,480:1400,240:400'),
  LIVE_SEGMENT_SECONDS: withDefault(int(1, 6), '2'),
  LIVE_DVR_SECONDS: withDefault(int(10, 86_400), '7200'),
  LIVE_GRACE_SECONDS: withDefault(int(0, 3600), '30'),
  LIVE_KEY_ROTATION_SECONDS: withDefault(int(2, 86_400), '60'),

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
