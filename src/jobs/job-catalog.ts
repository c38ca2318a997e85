import { z } from 'zod';
import type { JobDefinition, JobQueue } from '../platform/queue/queue.port.ts';

/**
 * Every background job Marquee runs: its payload, retries and concurrency. One handler per job
 * type is wired in src/jobs/job-handlers.ts. Handlers are idempotent.
 */
const define = <P extends z.ZodType>(definition: JobDefinition<P>) => definition;

export const mailPayload = z.object({
  to: z.string().email(),
  subject: z.string().min(1).max(300),
  text: z.string().max(100_000),
  html: z.string().max(500_000).optional(),
  // Jobs queued before the flag existed carried reset and verification links.
  carriesSecret: z.boolean().default(true),
});

export const jobCatalog = {
  'mail.send': define({
    description: 'Deliver one email through the mail port (SMTP or the outbox)',
    payload: mailPayload,
    retryLimit: 8,
    retryDelaySeconds: 30,
    retryBackoff: true,
    expireInSeconds: 120,
    concurrency: 4,
  }),
  'media.transcode': define({
    description: 'Transcode an uploaded source into encrypted adaptive HLS and point its item at it',
    payload: z.object({ assetId: z.uuid() }),
    retryLimit: 3,
    retryDelaySeconds: 10,
    retryBackoff: true,
    // Long titles take hours; a killed worker is noticed by its missed heartbeat instead.
    expireInSeconds: 12 * 3600,
    heartbeatSeconds: 10,
    // Jobs at once per worker: TRANSCODE_CONCURRENCY (see registerJobHandlers).
    policy: 'standard',
    retentionDays: 30,
  }),
  'live.end-unattended': define({
    description: 'End live events whose ingest stopped (a worker SIGTERM’d or lost) past the grace window',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 10,
    retryBackoff: false,
    expireInSeconds: 120,
    concurrency: 1,
    policy: 'exclusive',
    schedule: '* * * * *',
  }),
  'live.record-vod': define({
    description: 'Make an ended live event’s recording a draft movie and queue its transcode',
    payload: z.object({
      eventId: z.uuid(),
      storageKey: z.string().min(1).max(1024),
      bytes: z.number().int().min(0),
    }),
    retryLimit: 5,
    retryDelaySeconds: 10,
    retryBackoff: true,
    expireInSeconds: 300,
    concurrency: 1,
  }),
  'ads.transcode-creative': define({
    description: 'Transcode an uploaded ad creative into its small MP4 set and make it servable',
    payload: z.object({ creativeId: z.uuid() }),
    retryLimit: 3,
    retryDelaySeconds: 10,
    retryBackoff: true,
    // Creatives last two minutes at most.
    expireInSeconds: 1800,
    concurrency: 1,
  }),
  'ads.detect-cue-points': define({
    description: 'Find a movie’s or episode’s scene changes (ffmpeg scdet) and propose ad cue points',
    payload: z.object({ itemId: z.uuid(), threshold: z.number().gt(0).max(100) }),
    // A failure is recorded on the detection; the same file would fail the same way again.
    retryLimit: 0,
    retryDelaySeconds: 10,
    retryBackoff: false,
    // Decoding a feature film takes minutes.
    expireInSeconds: 4 * 3600,
    concurrency: 1,
  }),
  'ads.retain-beacons': define({
    description: 'Delete counted ad beacons older than ADS_BEACON_RETENTION_DAYS (their counts stay)',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryBackoff: false,
    expireInSeconds: 1800,
    concurrency: 1,
    policy: 'exclusive',
    schedule: '37 * * * *',
  }),
  'media.retain-packages': define({
    description: 'Delete superseded packages that no live stream or unexpired offline licence uses',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryBackoff: false,
    expireInSeconds: 1800,
    concurrency: 1,
    policy: 'exclusive',
    schedule: '23 * * * *',
  }),
  'subscriptions.apply-event': define({
    description: 'Apply one recorded payment-provider event to its subscription (once)',
    payload: z.object({
      provider: z.enum(['stripe', 'razorpay', 'sandbox']),
      eventId: z.string().min(1).max(255),
    }),
    retryLimit: 10,
    retryDelaySeconds: 5,
    retryBackoff: true,
    expireInSeconds: 120,
    concurrency: 4,
  }),
  'subscriptions.run-due': define({
    description:
      'End lapsed subscriptions, trials and grace; renew sandbox ones; reconcile stale ones; expire unpaid checkouts (their coupons back)',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 10,
    retryBackoff: false,
    expireInSeconds: 600,
    concurrency: 1,
    // One run at a time: a slow run and the next tick never overlap.
    policy: 'exclusive',
    schedule: '* * * * *',
  }),
  'subscriptions.send-notices': define({
    description: 'Mail trial-ending, renewal and failed-payment reminders (each once)',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryBackoff: false,
    expireInSeconds: 900,
    concurrency: 1,
    policy: 'exclusive',
    schedule: '17 * * * *',
  }),
  'recommendations.train': define({
    description: 'Retrain every recommendation model and recompute every profile’s rows',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryBackoff: false,
    // MovieLens small trains in seconds; 10,000 profiles' rows take about a minute.
    expireInSeconds: 3600,
    concurrency: 1,
    policy: 'exclusive',
    // Hourly, apart from the other hourly jobs; each profile's rows are also refreshed after its
    // own events between runs.
    schedule: '41 * * * *',
  }),
  'analytics.maintain-partitions': define({
    description: 'Create the next days’ raw-event partitions and drop whole ones past the retention',
    payload: z.object({}),
    retryLimit: 3,
    retryDelaySeconds: 60,
    retryBackoff: true,
    expireInSeconds: 600,
    concurrency: 1,
    policy: 'exclusive',
    schedule: '7 * * * *',
  }),
  'analytics.roll-up': define({
    description: 'Recount the hourly and daily rollups of the hours new raw events fell in',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 10,
    retryBackoff: false,
    expireInSeconds: 600,
    concurrency: 1,
    // One run at a time: two would recount the same hours.
    policy: 'exclusive',
    schedule: '* * * * *',
  }),
};

export type AppJobCatalog = typeof jobCatalog;
export type AppQueue = JobQueue<AppJobCatalog>;
