import { z } from 'zod';
import { isoDate, multilineText, text } from '../../shared/schemas.ts';

const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code like US');

/** What an admin sends to schedule a live event: the same gates as a title. */
export const liveEventInput = z.object({
  title: text({ min: 1, max: 300 }),
  description: multilineText({ max: 5000 }).optional(),
  artworkUrl: z
    .string()
    .trim()
    .max(2000)
    // One pattern: the URL scheme, and no spaces, control or invisible characters.
    .regex(/^https?:\/\/[^\s\p{Cc}\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]+$/u, 'must be an http(s) URL')
    .optional(),
  scheduledStart: isoDate,
  minPlanTier: z.number().int().min(0).max(10).optional(),
  maturityLevel: z
    .number()
    .int()
    .min(0)
    .max(21)
    .optional()
    .describe('An age, compared with a profile’s maturity limit like a title’s rating level'),
  allowedRegions: z.array(country).max(250).nullable().optional().describe('null: everywhere'),
});
export const liveEventPatch = liveEventInput.partial();
export type LiveEventInput = z.output<typeof liveEventInput>;
export type LiveEventPatch = z.output<typeof liveEventPatch>;

export const liveEventStates = ['scheduled', 'live', 'ended'] as const;

export const liveEventSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    artworkUrl: z.string().nullable(),
    scheduledStart: isoDate,
    minPlanTier: z.number().int(),
    maturityLevel: z.number().int(),
    allowedRegions: z.array(z.string()).nullable(),
    state: z.enum(liveEventStates),
    startedAt: isoDate.nullable(),
    endedAt: isoDate.nullable(),
    slowModeSeconds: z.number().int(),
    recordingTitleId: z
      .uuid()
      .nullable()
      .describe('The draft movie its recording became once it ended (admins publish it like any title)'),
  })
  .meta({ id: 'LiveEvent' });
export type LiveEvent = z.output<typeof liveEventSchema>;

export const streamKeySchema = z.object({
  streamKey: z
    .string()
    .describe(
      'Shown once: publish to rtmp://<ingest host>:<LIVE_RTMP_PORT>/live/<streamKey>. Only its hash is kept.',
    ),
});

export const chatTicketSchema = z.object({
  ticket: z.string().describe('Single use: send it in the `join` frame (docs/LIVE-CHAT.md)'),
  expiresAt: isoDate,
});
