import { z } from 'zod';
import { isoDate } from '../../shared/schemas.ts';

const name = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
// Free text may span lines and hold tabs; other control characters (NUL, escapes…) are refused.
const hasControlCharacters = (value: string) =>
  [...value].some((character) => {
    const code = character.codePointAt(0) ?? 0;
    return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
  });
const multiline = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !hasControlCharacters(value), 'must not contain control characters');
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
  synopsis: multiline(5000).optional(),
  releaseDate: day.optional(),
  releaseYear: z.number().int().min(1870).max(2200).optional(),
  runtimeMinutes: z.number().int().min(1).max(1000).optional(),
  maturityRating: z.string().max(20).optional(),
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
  synopsis: multiline(5000).optional(),
  releaseDate: day.optional(),
});
export const seasonPatch = seasonInput.partial();

export const episodeInput = z.object({
  number: z.number().int().min(0).max(10_000),
  name: name(300),
  synopsis: multiline(5000).optional(),
  runtimeMinutes: z.number().int().min(1).max(1000).optional(),
  releaseDate: day.optional(),
  publishAt: isoDate.nullable().optional(),
});
export const episodePatch = episodeInput.partial();

export const personInput = z.object({ name: name(200), biography: multiline(10_000).optional() });
export const personPatch = personInput.partial();
export const genreInput = z.object({
  name: name(80),
  slug: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lowercase words joined by dashes')
    .max(80)
    .optional(),
});

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
  q: z.string().trim().min(1).max(200).optional().describe('Search words; typos are tolerated'),
  genre: z.string().max(80).optional().describe('Genre slug'),
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
  cursor: z.string().max(500).optional(),
});
export type BrowseQuery = z.output<typeof browseQuery>;

export { artworkSchema, genreSchema, personSchema };
