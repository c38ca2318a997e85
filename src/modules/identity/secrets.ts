import { createHash, randomBytes } from 'node:crypto';

/** A high-entropy opaque token (256 bits), URL-safe. */
export const newOpaqueToken = (prefix = ''): string => `${prefix}${randomBytes(32).toString('base64url')}`;

/**
 * Stored form of an opaque token. A plain SHA-256 is enough for 256-bit random tokens: unlike
 * passwords they cannot be guessed, so slow hashing would buy nothing; it keeps a database leak
 * from handing out usable tokens.
 */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');
