import { z } from 'zod';
import { isoDate, multilineText, opaqueToken, text } from '../../shared/schemas.ts';

const name = (max: number) => text({ min: 1, max });
const language = z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag like en, pt-BR or spa');
const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code like US');
const day = z.iso.date();

export const titleKinds = ['movie', 'series'] as const;
export const titleStatuses = ['draft', 'processing', 'ready', 'published', 'archived'] as const;
export const creditRoles = ['actor', 'director', 'writer', 'producer', 'creator', 'composer'] as const;

export const creditInput = z.object({
  personId: z.uuid(),
  role: z.enum(creditRoles),
  character: name(200).optional(),
});

/** What an admin sends to create a title. */
export const titleInput = z.object({
  kind: z.enum(titleKinds),
  title: name(300),
  originalTitle: name(300).optional(),
  synopsis: multilineText({ max: 5000 }).optional(),
  releaseDate: day.optional(),
  releaseYear: z.number().int().min(1870).max(2200).optional(),
  runtimeMinutes: z.number().int().min(1).max(1000).optional(),
  maturityRating: text({ max: 20 }).optional(),
  genreIds: z.array(z.uuid()).max(20).optional(),
  credits: z.array(creditInput).max(200).optional(),
  tags: z.array(name(50)).max(50).optional(),
  audioLanguages: z.array(language).max(50).optional(),
  subtitleLanguages: z.array(language).max(80).optional(),
  publishAt: isoDate.nullable().optional(),
  unpublishAt: isoDate.nullable().optional(),
  allowedRegions: z.array(country).max(250).nullable().optional().describe('null: everywhere'),
  minPlanTier: z.number().int().min(0).max(10).optional(),
});
export const titlePatch = titleInput.omit({ kind: true }).partial();
export type TitleInput = z.output<typeof titleInput>;
export type TitlePatch = z.output<typeof titlePatch>;

export const seasonInput = z.object({
  number: z.number().int().min(0).max(1000),
  name: name(200).optional(),
  synopsis: multilineText({ max: 5000 }).optional(),
  releaseDate: day.optional(),
});
export const seasonPatch = seasonInput.partial();
export type SeasonInput = z.output<typeof seasonInput>;
export type SeasonPatch = z.output<typeof seasonPatch>;

export const episodeInput = z.object({
  number: z.number().int().min(0).max(10_000),
  name: name(300),
  synopsis: multilineText({ max: 5000 }).optional(),
  runtimeMinutes: z.number().int().min(1).max(1000).optional(),
  releaseDate: day.optional(),
  publishAt: isoDate.nullable().optional(),
});
export const episodePatch = episodeInput.partial();
export type EpisodeInput = z.output<typeof episodeInput>;
export type EpisodePatch = z.output<typeof episodePatch>;

export const personInput = z.object({
  name: name(200),
  biography: multilineText({ max: 10_000 }).optional(),
});
export const personPatch = personInput.partial();
export type PersonInput = z.output<typeof personInput>;
export type PersonPatch = z.output<typeof personPatch>;
export const genreInput = z.object({
  name: name(80),
  slug: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lowercase words joined by dashes')
    .max(80)
    .optional(),
});
export const genrePatch = genreInput.partial();
export type GenreInput = z.output<typeof genreInput>;
export type GenrePatch = z.output<typeof genrePatch>;

const artworkSchema = z.object({ poster: z.string().nullable(), backdrop: z.string().nullable() });
const genreSchema = z.object({ id: z.uuid(), slug: z.string(), name: z.string() }).meta({ id: 'Genre' });
const personSchema = z
  .object({ id: z.uuid(), name: z.string(), biography: z.string().nullable() })
  .meta({ id: 'Person' });

export const titleSummarySchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(titleKinds),
    title: z.string(),
    releaseYear: z.number().int().nullable(),
    runtimeMinutes: z.number().int().nullable(),
    maturityRating: z.string().nullable(),
    genres: z.array(z.string()).describe('genre slugs'),
    artwork: artworkSchema,
    ratingAverage: z.number().nullable(),
    minPlanTier: z.number().int(),
  })
  .meta({ id: 'TitleSummary' });

export const episodeSchema = z.object({
  id: z.uuid(),
  number: z.number().int(),
  name: z.string(),
  synopsis: z.string(),
  runtimeMinutes: z.number().int().nullable(),
  releaseDate: z.string().nullable(),
  status: z.enum(titleStatuses),
});
export const seasonSchema = z.object({
  id: z.uuid(),
  number: z.number().int(),
  name: z.string().nullable(),
  synopsis: z.string(),
  releaseDate: z.string().nullable(),
  episodes: z.array(episodeSchema),
});

export const titleDetailSchema = titleSummarySchema
  .extend({
    originalTitle: z.string().nullable(),
    synopsis: z.string(),
    releaseDate: z.string().nullable(),
    maturityLevel: z.number().int(),
    genreDetails: z.array(genreSchema),
    credits: z.array(
      z.object({ person: personSchema, role: z.enum(creditRoles), character: z.string().nullable() }),
    ),
    tags: z.array(z.string()),
    audioLanguages: z.array(z.string()),
    subtitleLanguages: z.array(z.string()),
    seasons: z.array(seasonSchema),
    ratingCount: z.number().int(),
  })
  .meta({ id: 'TitleDetail' });

/** The admin's view: everything, including what viewers don't see. */
export const adminTitleSchema = titleDetailSchema
  .extend({
    status: z.enum(titleStatuses),
    publishAt: isoDate.nullable(),
    unpublishAt: isoDate.nullable(),
    allowedRegions: z.array(z.string()).nullable(),
    publishedAt: isoDate.nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'AdminTitle' });

export const browseSorts = ['newest', 'popular', 'rating', 'title', 'relevance'] as const;
export const browseQuery = z.object({
  q: text({ min: 1, max: 200 }).optional().describe('Search words; typos are tolerated'),
  genre: text({ max: 80 }).optional().describe('Genre slug'),
  kind: z.enum(titleKinds).optional(),
  yearFrom: z.coerce.number().int().min(1870).max(2200).optional(),
  yearTo: z.coerce.number().int().min(1870).max(2200).optional(),
  language: language.optional().describe('An audio language'),
  maxPlanTier: z.coerce
    .number()
    .int()
    .min(0)
    .max(10)
    .optional()
    .describe('Only titles this plan tier includes'),
  sort: z.enum(browseSorts).optional().describe('Default: relevance with q, else newest'),
  limit: z.coerce.number().int().min(1).max(100).default(24),
  cursor: opaqueToken(500).optional().describe('`nextCursor` from the previous page'),
});
export type BrowseQuery = z.output<typeof browseQuery>;

export const homeSchema = z.object({
  rows: z.array(z.object({ id: z.string(), title: z.string(), items: z.array(titleSummarySchema) })),
});
export const maturityRatingSchema = z.object({
  code: z.string(),
  system: z.string(),
  level: z.number().int(),
  label: z.string(),
});

export const peopleQuery = z.object({
  q: text({ max: 200 }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const importReportSchema = z.object({
  created: z.number().int(),
  failed: z.number().int(),
  rows: z.array(
    z.object({
      row: z.number().int(),
      status: z.enum(['created', 'error']),
      id: z.uuid().optional(),
      title: z.string().optional(),
      errors: z.array(z.string()).optional(),
    }),
  ),
});

export type TitleSummary = z.output<typeof titleSummarySchema>;
export type TitleDetail = z.output<typeof titleDetailSchema>;
export type AdminTitle = z.output<typeof adminTitleSchema>;
export type Genre = z.output<typeof genreSchema>;
export type Person = z.output<typeof personSchema>;
export type ImportReport = z.output<typeof importReportSchema>;
export type Home = z.output<typeof homeSchema>;

export { artworkSchema, genreSchema, personSchema };
