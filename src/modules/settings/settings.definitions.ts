import { z } from 'zod';
import { text } from '../../shared/schemas.ts';

/**
 * The admin-editable settings: each a zod schema (its validation and OpenAPI entry) and a default
 * from the code or the environment. Kept deliberately small: a setting belongs here when an
 * operator wants to change it without a restart; everything else stays in `src/config/`.
 */
export const settingsSchema = z
  .object({
    blockedWords: z
      .array(text({ min: 1, max: 60 }).transform((word) => word.toLowerCase()))
      .max(500)
      .describe('Words refused in comments and live chat (case-insensitive, whole words)'),
  })
  .meta({ id: 'Settings' });

export type SettingsValues = z.output<typeof settingsSchema>;
export type SettingKey = keyof SettingsValues;
export const settingKeys = Object.keys(settingsSchema.shape) as SettingKey[];

export const settingsPatch = settingsSchema
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one setting');
