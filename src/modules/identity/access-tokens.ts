import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../platform/clock.ts';
import { InvalidToken } from './identity.errors.ts';
import type { SigningKey } from './signing-keys.ts';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

type SigningMaterial = Awaited<ReturnType<typeof importJWK>>;

const AUDIENCE = 'marquee';
const TOKEN_TYPE = 'at+jwt'; // RFC 9068

/**
 * Short-lived access tokens: EdDSA-signed JWTs, algorithm pinned, `iss`, `aud`, `exp` and `typ`
 * checked. A verified token is remembered (until it expires) so the signature is checked once
 * per token rather than once per request; whether its session is still alive is checked on
 * every request by the caller.
 */
export class AccessTokens {
  readonly #issuer: string;
  readonly #ttlSeconds: number;
  readonly #clock: Clock;
  readonly #signer: { kid: string; key: SigningMaterial };
  readonly #verifyKeys: ReturnType<typeof createLocalJWKSet>;
  readonly #publicJwks: JSONWebKeySet;
  readonly #verified = new LRUCache<string, AccessClaims>({ max: 20_000 });

  private constructor(options: {
    issuer: string;
    ttlSeconds: number;
    clock: Clock;
    signer: { kid: string; key: SigningMaterial };
    publicJwks: JSONWebKeySet;
  }) {
    this.#issuer = options.issuer;
    this.#ttlSeconds = options.ttlSeconds;
    this.#clock = options.clock;
    this.#signer = options.signer;
    this.#publicJwks = options.publicJwks;
    this.#verifyKeys = createLocalJWKSet(options.publicJwks);
  }

  static async create(options: {
    keys: SigningKey[];
    issuer: string;
    ttlSeconds: number;
    clock: Clock;
  }): Promise<AccessTokens> {
    const [first] = options.keys;
    if (!first) throw new Error('no signing key');
    const publicJwks: JSONWebKeySet = {
      keys: options.keys.map(({ kty, crv, x, kid }): JWK => ({ kty, crv, x, kid, alg: 'EdDSA', use: 'sig' })),
    };
    return new AccessTokens({
      issuer: options.issuer,
      ttlSeconds: options.ttlSeconds,
      clock: options.clock,
      signer: { kid: first.kid, key: await importJWK(first, 'EdDSA') },
      publicJwks,
    });
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  /** The public keys, for /.well-known/jwks.json. */
  get jwks(): JSONWebKeySet {
    return this.#publicJwks;
  }

  async issue(subject: { userId: string; sessionId: string }): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.#clock.now().getTime() / 1000);
    const expiresAt = issuedAt + this.#ttlSeconds;
    const token = await new SignJWT({ sid: subject.sessionId })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.#signer.kid, typ: TOKEN_TYPE })
      .setIssuer(this.#issuer)
      .setAudience(AUDIENCE)
      .setSubject(subject.userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(this.#signer.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The claims of a token verified before and not yet expired, at once; otherwise undefined (ask `verify`). */
  verifyKnown(token: string): AccessClaims | undefined {
    const known = this.#verified.get(token);
    return known && known.expiresAt > this.#clock.now().getTime() / 1000 ? known : undefined;
  }

  async verify(token: string): Promise<AccessClaims> {
    const now = this.#clock.now().getTime() / 1000;
    const known = this.#verified.get(token);
    if (known) {
      if (known.expiresAt > now) return known;
      this.#verified.delete(token);
      throw InvalidToken('The access token has expired; refresh it');
    }
    if (token.length > 4096) throw InvalidToken();
    try {
      const { payload } = await jwtVerify(token, this.#verifyKeys, {
        issuer: this.#issuer,
        audience: AUDIENCE,
        algorithms: ['EdDSA'],
        typ: TOKEN_TYPE,
        currentDate: this.#clock.now(),
        requiredClaims: ['sub', 'sid', 'exp', 'iat'],
      });
      if (
        typeof payload.sub !== 'string' ||
        typeof payload.sid !== 'string' ||
        typeof payload.exp !== 'number'
      ) {
        throw InvalidToken();
      }
      const claims: AccessClaims = { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp };
      // No TTL on the entry: a read checks the expiry itself, and a TTL makes every read of the
      // cache consult a clock (a visible share of an authenticated request, bench:cpu); an expired
      // token is dropped when next presented, or ages out of the LRU.
      this.#verified.set(token, claims);
      return claims;
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED')
        throw InvalidToken('The access token has expired; refresh it');
      throw InvalidToken();
    }
  }
}
