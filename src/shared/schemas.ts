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
  .regex(/^[\x21-\x7e]*$/, 'must be a valid email address')
  .pipe(z.email({ error: 'must be a valid email address' }))
  .transform((value) => value.normalize('NFC').toLowerCase());

/*
 * Every string an API accepts goes through one of the types below (a test walks the OpenAPI
 * document and fails on any input string that doesn't refuse control characters). NUL and the
 * other C0/C1 controls are refused — PostgreSQL can't store NUL, and the rest only ever hide
 * things — and so are the invisible characters that reorder or hide text (bidi overrides and
 * isolates, zero-width spaces, the BOM), which make look-alike names and misleading comments.
 */
const SINGLE_LINE = /^[^\p{Cc}\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]*$/u;
const MULTI_LINE = /^(?:[^\p{Cc}\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]|[\n\r\t])*$/u;

/** One line of text (a title, a search, a device name): trimmed, no control or invisible characters. */
export const text = (options: { max: number; min?: number }) =>
  z
    .string()
    .trim()
    .min(options.min ?? 0)
    .max(options.max)
    .regex(SINGLE_LINE, 'must not contain control or invisible formatting characters');

/**
 * Text that may span lines (a synopsis, a comment): newlines and tabs allowed, other controls not.
 * Windows line ends (CRLF, as in CSV files) become plain newlines first.
 */
export const multilineText = (options: { max: number; min?: number }) =>
  z
    .string()
    .overwrite((value) => value.replace(/\r\n?/g, '\n'))
    .trim()
    .min(options.min ?? 0)
    .max(options.max)
    .regex(MULTI_LINE, 'must not contain control or invisible formatting characters');

/** An opaque credential a client echoes back (tokens, codes, cursors): URL-safe characters only. */
export const opaqueToken = (max = 512) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9._~+/=-]*$/, 'must be the value Marquee issued');

/**
 * A secret a person types (a password): any character but the C0/C1 controls, and never trimmed
 * or normalised — what was typed is what is hashed.
 */
export const secretText = (options: { max: number; min?: number }) =>
  z
    .string()
    .min(options.min ?? 0)
    .max(options.max)
    .regex(/^\P{Cc}*$/u, 'must not contain control characters');

/**
 * A profile picture: one of the client's bundled avatars by id (`fox`, `avatar-7`) or an https
 * URL. Nothing else is stored, so no `javascript:` or `data:` value ever reaches a page.
 */
export const avatar = z
  .string()
  .max(500)
  .regex(
    /^(?:[a-z][a-z0-9-]{0,39}|https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?)$/,
    {
      error: 'must be an avatar id (lowercase letters, digits, dashes) or an https URL',
    },
  );

/** Free text a person types as a name: trimmed, 1–100 characters, no control or invisible characters. */
export const displayName = (max = 100) => text({ min: 1, max });

export const noContent = z.undefined().describe('No content');
