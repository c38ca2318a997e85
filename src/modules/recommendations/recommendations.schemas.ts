import { z } from 'zod';

export const rowKind = z.enum(['top_picks', 'because', 'trending', 'genre', 'popular']);
export const ruleRow = z.enum(['top_picks', 'because', 'trending', 'genre', 'popular', 'similar', 'all']);

export const recommendedItem = z
  .object({
    titleId: z.uuid(),
    name: z.string(),
    reason: z.string().describe('Why it is here, for the viewer ("Because you watched Heat")'),
  })
  .meta({ id: 'RecommendedItem' });

export const recommendationRow = z
  .object({
    kind: rowKind,
    title: z.string(),
    key: z.string().nullable().describe('The genre of a genre row, the source title id of a "because" row'),
    items: z.array(recommendedItem),
  })
  .meta({ id: 'RecommendationRow' });

export const feedbackBody = z.object({
  events: z
    .array(
      z.object({
        titleId: z.uuid(),
        row: z.enum(['top_picks', 'because', 'trending', 'genre', 'popular', 'similar']),
        kind: z.enum(['impression', 'click']),
      }),
    )
    .min(1)
    .max(200),
});

export const ruleBody = z.object({ titleId: z.uuid(), row: ruleRow, action: z.enum(['pin', 'exclude']) });

export const whySchema = z
  .object({
    subject: z.string(),
    titleId: z.uuid(),
    personalised: z
      .boolean()
      .describe('false: the profile has no rows of its own yet and sees the shared ones'),
    excludedForProfile: z.boolean().describe('finished or "not interested"'),
    rules: z.array(z.object({ row: z.string(), action: z.enum(['pin', 'exclude']) })),
    appearances: z.array(
      z.object({
        row: rowKind,
        rowTitle: z.string(),
        position: z.number().int(),
        score: z.number(),
        reason: z.string(),
        becauseOf: z.object({ titleId: z.uuid(), name: z.string() }).nullable(),
      }),
    ),
  })
  .meta({ id: 'RecommendationWhy' });

export const clickThroughSchema = z.object({
  since: z.string(),
  rows: z.array(
    z.object({
      row: z.string(),
      impressions: z.number().int(),
      clicks: z.number().int(),
      clickThrough: z.number(),
    }),
  ),
});
