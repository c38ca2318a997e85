import { createHash, randomBytes } from 'node:crypto';

/** A stream key: 256 random bits, URL-safe (it sits in the broadcaster's RTMP URL path). */
export const newOpaqueToken = (prefix = ''): string => `${prefix}${randomBytes(32).toString('base64url')}`;

/**
 * Stored form of a stream key or chat ticket. A plain SHA-256 suffices for 256-bit random
 * values (nothing to guess, so slow hashing buys nothing); a database leak hands out no key.
 */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');
