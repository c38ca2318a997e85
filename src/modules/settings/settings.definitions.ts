import { z } from 'zod';
import { text } from '../../shared/schemas.ts';

/**
 * The admin-editable settings: each a zod schema (its validation and OpenAPI entry) and a default
 * from the code or the environment. Kept deliberately small: a setting belongs here when an
 * operator wants to change it without a restart; everything else stays in `src/config/`.
 */
/** A banner for every viewer: what to say, and how loudly. */
export const announcementSchema = z
  .object({
    message: text({ min: 1, max: 280 }),
    tone: z.enum(['info', 'warning']).describe('warning: something is wrong or about to be (maintenance)'),
  })
  .meta({ id: 'Announcement' });

export const settingsSchema = z
  .object({
    blockedWords: z
      .array(text({ min: 1, max: 60 }).transform((word) => word.toLowerCase()))
      .max(500)
      .describe('Words refused in comments and live chat (case-insensitive, whole words)'),
    signUpsOpen: z
      .boolean()
      .describe(
        'Whether new accounts may be made (password sign-up and a first OIDC sign-in); existing accounts sign in either way',
      ),
    announcement: announcementSchema
      .nullable()
      .describe('A banner every viewer app shows (maintenance, an outage, news), or null for none'),
  })
  .meta({ id: 'Settings' });

export type SettingsValues = z.output<typeof settingsSchema>;

/** The defaults that come from the code; the others (the word filter) from the environment. */
export const codeDefaults = {
  signUpsOpen: true,
  announcement: null,
} as const satisfies Partial<SettingsValues>;
export type EnvironmentDefaults = Omit<SettingsValues, keyof typeof codeDefaults>;
export type SettingKey = keyof SettingsValues;
export const settingKeys = Object.keys(settingsSchema.shape) as SettingKey[];

export const settingsPatch = settingsSchema
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one setting');
