import { hmac, normaliseSecrets, verifyHmac, type HmacSecrets } from './hmac-secrets.ts';
import { PlaybackTokenExpired, PlaybackTokenInvalid } from './playback.errors.ts';

/**
 * Playback tokens: what a player presents for the master playlist, the keys and the heartbeat
 * of one playback session. A compact HMAC-SHA256 token, `base64url(JSON claims).base64url(MAC)`,
 * rather than a JWT: only we issue and only we verify, so there is no algorithm or key id to
 * negotiate (and none to get wrong), and it stays short enough for a query parameter. Pure.
 */

export interface PlaybackClaims {
  /** Playback session id. */
  sid: string;
  /** User id. */
  sub: string;
  /** Auth session (device) id the playback was started from. */
  dev: string;
  /** Playable item (movie or episode) id. */
  item: string;
  /** Video asset id. */
  asset: string;
  /** The tallest picture the plan allows, in pixels (see quality.ts). */
  maxH: number;
  /** Video codecs beyond H.264 the client declared ('hevc'); absent when none. */
  cod?: string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const CONTEXT = 'marquee/playback-token/v1';
const MAC_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Well above five UUIDs; a bound on the JSON we are asked to parse. */
const MAX_TOKEN_LENGTH = 2048;

/** Signs with the first secret. `ttlSeconds` should cover one viewing's key requests. */
export function issuePlaybackToken(options: {
  secret: HmacSecrets;
  claims: Omit<PlaybackClaims, 'exp'>;
  ttlSeconds: number;
  now: Date;
}): { token: string; claims: PlaybackClaims; expiresAt: Date } {
  const { ttlSeconds, now } = options;
  const [signing] = normaliseSecrets(options.secret);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError('ttlSeconds must be a positive integer');
  }
  const { sid, sub, dev, item, asset, maxH, cod } = options.claims;
  const claims: PlaybackClaims = {
    sid,
    sub,
    dev,
    item,
    asset,
    maxH,
    // Only when declared: tokens of clients that declare nothing stay as short as before.
    ...(cod !== undefined && cod.length > 0 && { cod: [...cod] }),
    exp: Math.floor(now.getTime() / 1000) + ttlSeconds,
  };
  if (!isClaims(claims)) throw new RangeError('playback claims need non-empty ids and a positive maxH');
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  const mac = hmac({ secret: signing!, context: CONTEXT, data: payload });
  return { token: `${payload}.${mac.toString('base64url')}`, claims, expiresAt: new Date(claims.exp * 1000) };
}

/**
 * Accepts a token signed by any of the secrets. Throws PLAYBACK_TOKEN_INVALID when it is
 * malformed or its MAC doesn't verify, PLAYBACK_TOKEN_EXPIRED when `now` is at or past `exp`.
 */
export function verifyPlaybackToken(options: {
  secret: HmacSecrets;
  token: string;
  now: Date;
}): PlaybackClaims {
  const { token, now } = options;
  const secrets = normaliseSecrets(options.secret);
  if (token.length > MAX_TOKEN_LENGTH) throw PlaybackTokenInvalid('the playback token is too long');
  const [payload, macText, extra] = token.split('.');
  if (
    payload === undefined ||
    macText === undefined ||
    extra !== undefined ||
    !BASE64URL.test(payload) ||
    !BASE64URL.test(macText)
  ) {
    throw PlaybackTokenInvalid('the playback token is malformed');
  }
  const mac = Buffer.from(macText, 'base64url');
  // Buffer's decoder ignores stray bits; insisting on the canonical form keeps tokens unmalleable.
  if (mac.toString('base64url') !== macText) throw PlaybackTokenInvalid('the playback token is malformed');
  if (!verifyHmac({ secrets, context: CONTEXT, data: payload, mac, bytes: MAC_BYTES })) {
    throw PlaybackTokenInvalid('the playback token signature does not verify');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw PlaybackTokenInvalid('the playback token is malformed');
  }
  // Signed by us, but possibly by another version of us: check the shape anyway.
  if (!isClaims(claims)) throw PlaybackTokenInvalid('the playback token claims are malformed');
  if (now.getTime() >= claims.exp * 1000) {
    throw PlaybackTokenExpired(undefined, { expiredAt: new Date(claims.exp * 1000).toISOString() });
  }
  const { sid, sub, dev, item, asset, maxH, cod, exp } = claims;
  return { sid, sub, dev, item, asset, maxH, ...(cod !== undefined && { cod }), exp };
}

/**
 * A token admits requests for its own item and asset only. One for another title is no
 * credential for this one, so it is refused as invalid (the same answer as no token at all).
 */
export function assertTokenBoundTo(options: {
  claims: PlaybackClaims;
  itemId: string;
  assetId: string;
}): void {
  const { claims, itemId, assetId } = options;
  if (claims.item !== itemId || claims.asset !== assetId) {
    throw PlaybackTokenInvalid('the playback token is for another title');
  }
}

function isClaims(value: unknown): value is PlaybackClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  const id = (key: string) => typeof claims[key] === 'string' && claims[key] !== '';
  return (
    id('sid') &&
    id('sub') &&
    id('dev') &&
    id('item') &&
    id('asset') &&
    Number.isInteger(claims.maxH) &&
    (claims.maxH as number) > 0 &&
    (claims.cod === undefined ||
      (Array.isArray(claims.cod) && claims.cod.every((codec) => typeof codec === 'string'))) &&
    Number.isInteger(claims.exp)
  );
}
