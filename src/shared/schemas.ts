import { z } from 'zod';

/** A timestamp on the wire (RFC 3339 string), a Date in code: encoded on the way out, decoded on the way in. */
export const isoDate = z.codec(z.iso.datetime({ offset: true }), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
});

export const idParams = z.object({ id: z.uuid() });

/**
 * An email address: ASCII only (RFC 5321; internationalised addresses are refused rather than
 * risk look-alike accounts), at most 254 characters, normalised to trimmed lower case.
 */
export const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'must be a valid email address' }))
  .transform((value) => value.normalize('NFC').toLowerCase());

/** Free text a person types as a name: trimmed, 1–100 characters, no control characters. */
export const displayName = (max = 100) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const noContent = z.undefined().describe('No content');
