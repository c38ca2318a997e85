import { z } from 'zod';
import { displayName, isoDate, opaqueToken } from '../../shared/schemas.ts';
import { contentKinds } from './decisioning.ts';
import { beaconEvents } from './vast-xml.ts';

/** The device types identity knows (sessions' `device.type`). */
export const adDeviceTypes = ['web', 'mobile', 'tablet', 'tv', 'desktop', 'console', 'other'] as const;

// One pattern (the endpoint sweep reads it): http(s), a host name, then no space or control character.
const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .regex(
    /^https?:\/\/[a-z0-9.-]+\.[a-z]{2,}(?::\d{1,5})?(?:[/?#][^\s\p{Cc}]*)?$/iu,
    'an absolute http(s) URL',
  )
  .refine((value) => URL.canParse(value), 'an absolute http(s) URL')
  .describe('An absolute http(s) URL');
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'lower-case letters, digits and dashes');

export const targetingSchema = z
  .object({
    genres: z.array(slug).max(50).optional().describe('genre slugs; any of them matches'),
    minMaturity: z.number().int().min(0).max(21).optional(),
    maxMaturity: z.number().int().min(0).max(21).optional(),
    regions: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code'))
      .max(250)
      .optional(),
    deviceTypes: z.array(z.enum(adDeviceTypes)).max(adDeviceTypes.length).optional(),
    hoursUtc: z.array(z.number().int().min(0).max(23)).max(24).optional(),
    contentKinds: z.array(z.enum(contentKinds)).max(2).optional(),
  })
  .strict()
  .meta({ id: 'AdTargeting' });

export const advertiserSchema = z
  .object({ id: z.uuid(), name: z.string(), createdAt: isoDate })
  .meta({ id: 'Advertiser' });
export const advertiserCreate = z.object({ name: displayName(120) });

const campaignFields = {
  name: displayName(120),
  status: z.enum(['active', 'paused']),
  priority: z.number().int().min(1).max(10),
  cpmMinor: z
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .describe('Price per thousand impressions, in minor units (cents)'),
  budgetMinor: z
    .number()
    .int()
    .min(1)
    .max(100_000_000_000)
    .describe('Total budget in minor units (at most 1,000,000,000.00)'),
  dailyImpressionCap: z.number().int().min(1).max(1_000_000_000).nullable(),
  frequencyCapPerDay: z.number().int().min(1).max(100).nullable().describe('Ads per profile per UTC day'),
  competitiveCategory: slug.nullable().describe('Two campaigns of one category never share a break'),
  startsAt: isoDate,
  endsAt: isoDate,
  targeting: targetingSchema,
};

export const campaignCreate = z.object({
  ...campaignFields,
  advertiserId: z.uuid(),
  status: campaignFields.status.default('active'),
  dailyImpressionCap: campaignFields.dailyImpressionCap.default(null),
  frequencyCapPerDay: campaignFields.frequencyCapPerDay.default(null),
  competitiveCategory: campaignFields.competitiveCategory.default(null),
  targeting: targetingSchema.default({}),
});
export const campaignPatch = z.object(campaignFields).partial();

export const creativeSchema = z
  .object({
    id: z.uuid(),
    campaignId: z.uuid(),
    name: z.string(),
    clickThroughUrl: z.string(),
    companionImageUrl: z.string().nullable(),
    status: z.enum(['awaiting_upload', 'processing', 'ready', 'failed']),
    durationSeconds: z.number().nullable(),
    renditions: z.array(z.object({ width: z.number(), height: z.number(), bitrateKbps: z.number() })),
    failure: z.string().nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'AdCreative' });
export const creativeCreate = z.object({
  name: displayName(120),
  clickThroughUrl: httpUrl,
  companionImageUrl: httpUrl.nullable().default(null),
});

export const campaignSchema = z
  .object({
    id: z.uuid(),
    advertiserId: z.uuid(),
    ...campaignFields,
    name: z.string(),
    competitiveCategory: z.string().nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
    creatives: z.array(creativeSchema),
  })
  .meta({ id: 'AdCampaign' });

export const cuePointsBody = z.object({
  seconds: z.array(z.number().positive().max(86_400)).max(200),
});
export const cuePointsSchema = z.object({ itemId: z.uuid(), seconds: z.array(z.number()) });
export const cueDetectionBody = z.object({
  threshold: z
    .number()
    .gt(0)
    .max(100)
    .default(10)
    .describe('scdet’s scene-change threshold, 0–100 (lower finds more, softer cuts)'),
});
export const cueDetectionSchema = z
  .object({
    itemId: z.uuid(),
    status: z.enum(['detecting', 'ready', 'failed']),
    threshold: z.number(),
    proposed: z
      .array(z.number())
      .describe('Seconds of the proposed cue points; accept them with PUT /api/admin/ads/cue-points/{id}'),
    failure: z.string().nullable(),
    requestedAt: isoDate,
    finishedAt: isoDate.nullable(),
  })
  .meta({ id: 'AdCueDetection' });

export const sessionQuery = z.object({
  session: z.uuid(),
  device: z.enum(adDeviceTypes).default('web').describe('The device type the ads play on'),
});
export const vastQuery = sessionQuery.extend({ break: z.coerce.number().int().min(0).max(1000) });

export const beaconParams = z.object({ event: z.enum(beaconEvents) });
export const beaconQuery = z.object({
  i: z.uuid().describe('ad instance'),
  c: z.uuid().describe('campaign'),
  x: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 40)
    .describe('expiry, epoch seconds'),
  s: opaqueToken(64).describe('signature'),
  code: z
    .string()
    .regex(/^(\d{1,4}|\[ERRORCODE\])$/, 'a VAST error code')
    .optional()
    .describe('VAST error code ([ERRORCODE] macro), error beacons only'),
});

export const reportQuery = z.object({
  from: z.iso.date().describe('first UTC day'),
  to: z.iso.date().describe('last UTC day'),
});
const rates = {
  fillRate: z.number().nullable(),
  completionRate: z.number().nullable(),
  ecpmMinor: z.number().nullable().describe('spend per thousand impressions, minor units'),
};
export const reportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    slotsRequested: z.number(),
    slotsFilled: z.number(),
    impressions: z.number(),
    completes: z.number(),
    spendMinor: z.number(),
    ...rates,
    campaigns: z.array(
      z.object({
        campaignId: z.uuid(),
        name: z.string(),
        impressions: z.number(),
        starts: z.number(),
        completes: z.number(),
        skips: z.number(),
        clicks: z.number(),
        errors: z.number(),
        spendMinor: z.number(),
        completionRate: z.number().nullable(),
        ecpmMinor: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'AdReport' });

export const creativeFileParams = z.object({
  id: z.uuid(),
  file: z.string().regex(/^\d{2,4}p\.mp4$/, 'a rendition file name'),
});
