import { hmac, normaliseSecrets, verifyHmac, type HmacSecrets } from './hmac-secrets.ts';
import { PlaybackTokenExpired, PlaybackTokenInvalid } from './playback.errors.ts';

/**
 * Path-scoped, expiring URL tokens for delivering the media ourselves (no CDN): one token signs
 * a directory (`/media/<asset>/`), so the same short token is appended to every playlist and
 * segment URL under it, and a player can fetch nothing outside it. Pure.
 *
 * Format: `<exp base36>.<prefix length base36>.<session id>.<MAC>`, about 70 characters with a
 * UUID session id. The prefix itself is not in the token: the verifier takes the first
 * `length` characters of the requested path as the claimed prefix and checks the MAC over it, so
 * a token stays short however long the prefix is. The MAC is HMAC-SHA256 truncated to 128 bits
 * (RFC 2104 §5, NIST SP 800-107 §5.3.4): forging one takes 2^128 online guesses.
 */

const CONTEXT = 'marquee/path-token/v1';
const MAC_BYTES = 16;
const TOKEN = /^([0-9a-z]{1,11})\.([0-9a-z]{1,4})\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{22})$/;
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The query parameter the lead's routes and rewriteUris use by default. */
export const PATH_TOKEN_PARAM = 'pt';

export interface VerifiedPathToken {
  sessionId: string;
  /** The signed directory the path is in. */
  prefix: string;
  expiresAt: Date;
}

/** A token for every path under `prefix` (which must end with '/') until `expiresAt`. */
export function signPath(options: {
  secret: HmacSecrets;
  prefix: string;
  expiresAt: Date;
  sessionId: string;
}): string {
  const { prefix, expiresAt, sessionId } = options;
  const [signing] = normaliseSecrets(options.secret);
  const problem = pathProblem(prefix) ?? (prefix.includes('%') ? 'is percent-encoded' : undefined);
  if (problem) throw new RangeError(`the signed prefix ${problem}`);
  if (!prefix.endsWith('/')) throw new RangeError("the signed prefix must end with '/'");
  if (!SESSION_ID.test(sessionId)) throw new RangeError('the session id must be 1–64 URL-safe characters');
  const exp = Math.floor(expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(exp) || exp <= 0) throw new RangeError('expiresAt is not a valid date');
  const mac = hmac({
    secret: signing!,
    context: CONTEXT,
    data: macData({ prefix, exp, sessionId }),
    bytes: MAC_BYTES,
  });
  return `${exp.toString(36)}.${prefix.length.toString(36)}.${sessionId}.${mac.toString('base64url')}`;
}

/**
 * Accepts `path` (the request's path, without its query) only if it lies under the signed prefix
 * and the token hasn't expired. Paths with dot segments, empty segments, backslashes, control
 * characters or encoded separators are refused before any MAC is computed: a server or storage
 * layer that normalises them could otherwise be walked out of the prefix.
 */
export function verifyPathToken(options: {
  secret: HmacSecrets;
  token: string;
  path: string;
  now: Date;
}): VerifiedPathToken {
  const { token, path, now } = options;
  const secrets = normaliseSecrets(options.secret);
  const problem = requestPathProblem(path);
  if (problem) throw PlaybackTokenInvalid(`the requested path ${problem}`);
  const match = TOKEN.exec(token);
  if (!match) throw PlaybackTokenInvalid('the path token is malformed');
  const [, expText, lengthText, sessionId, macText] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const exp = Number.parseInt(expText, 36);
  const prefixLength = Number.parseInt(lengthText, 36);
  const mac = Buffer.from(macText, 'base64url');
  if (mac.toString('base64url') !== macText) throw PlaybackTokenInvalid('the path token is malformed');
  // The claimed prefix is a directory of the path: it ends at a '/' the path goes beyond.
  const prefix = path.slice(0, prefixLength);
  if (prefixLength >= path.length || !prefix.endsWith('/')) {
    throw PlaybackTokenInvalid('the requested path is outside the signed prefix');
  }
  if (
    !verifyHmac({
      secrets,
      context: CONTEXT,
      data: macData({ prefix, exp, sessionId }),
      mac,
      bytes: MAC_BYTES,
    })
  ) {
    throw PlaybackTokenInvalid('the path token does not verify for this path');
  }
  if (now.getTime() >= exp * 1000) {
    throw PlaybackTokenExpired('the path token has expired', {
      expiredAt: new Date(exp * 1000).toISOString(),
    });
  }
  return { sessionId, prefix, expiresAt: new Date(exp * 1000) };
}

/** `uri` with the token added as a query parameter (after any query it already has). */
export function appendPathToken(options: { uri: string; token: string; param?: string }): string {
  const { uri, token, param = PATH_TOKEN_PARAM } = options;
  const hash = uri.indexOf('#');
  const [base, fragment] = hash < 0 ? [uri, ''] : [uri.slice(0, hash), uri.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}${param}=${encodeURIComponent(token)}${fragment}`;
}

function macData(options: { prefix: string; exp: number; sessionId: string }): string {
  return `${options.prefix}\n${options.exp}\n${options.sessionId}`;
}

/** What is wrong with a path as written, or undefined. */
function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return "must start with '/'";
  if (path.includes('//')) return 'has an empty segment';
  if (path.includes('\\')) return 'has a backslash';
  if (/[?#]/.test(path) || [...path].some((character) => character < ' ' || character === '\u007f')) {
    return 'has a control character, a query or a fragment';
  }
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return 'has a dot segment';
  return undefined;
}

function requestPathProblem(path: string): string | undefined {
  const raw = pathProblem(path);
  if (raw) return raw;
  // Encoded separators and NUL are never part of our media paths; refusing them outright is
  // simpler than predicting how every layer below would decode them.
  if (/%(2f|5c|00)/i.test(path)) return 'has an encoded separator';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'is not valid percent-encoding';
  }
  // Still encoded after one decode (`%252e%252e`): a second decoding layer would see `%2e%2e`.
  if (decoded.includes('%')) return 'is encoded twice';
  const problem = pathProblem(decoded);
  return problem && `decoded ${problem}`;
}
