import * as client from 'openid-client';
import type { OidcProviderConfig } from '../../config/config.ts';
import type { PublishIdentityEvent } from './identity.events.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Cache } from '../../platform/cache/cache.port.ts';
import type { Executor, Transactor } from '../../platform/db/transactor.ts';
import type { AuthService } from './auth.service.ts';
import type { AuthResult, RequestMeta } from './sessions.service.ts';
import {
  InvalidReturnUrl,
  OidcEmailUnverified,
  OidcFailed,
  OidcProviderUnknown,
  SignUpsClosed,
} from './identity.errors.ts';
import type { OidcIdentitiesRepository } from './oidc-identities.repository.ts';
import { newOpaqueToken, tokenHash } from './secrets.ts';
import type { SecurityEventsRepository } from './security-events.repository.ts';
import type { UserRow, UsersRepository } from './users.repository.ts';

interface Provider {
  id: string;
  name: string;
  type: 'oidc' | 'oauth2';
  issuer?: string | undefined;
  clientId: string;
  clientSecret?: string | undefined;
  scopes: string[];
  authorizationUrl?: string | undefined;
  tokenUrl?: string | undefined;
  userinfoUrl?: string | undefined;
  /** Providers that only ever hand out confirmed addresses (Facebook). */
  emailsVerified: boolean;
}

const presets: Record<'google' | 'facebook', Omit<Provider, 'id' | 'clientId' | 'clientSecret'>> = {
  google: {
    name: 'Google',
    type: 'oidc',
    issuer: 'https://accounts.google.com',
    scopes: ['openid', 'email', 'profile'],
    emailsVerified: false,
  },
  facebook: {
    name: 'Facebook',
    type: 'oauth2',
    authorizationUrl: 'https://www.facebook.com/v19.0/dialog/oauth',
    tokenUrl: 'https://graph.facebook.com/v19.0/oauth/access_token',
    userinfoUrl: 'https://graph.facebook.com/me?fields=id,name,email',
    scopes: ['email', 'public_profile'],
    emailsVerified: true,
  },
};

function resolveProvider(config: OidcProviderConfig): Provider {
  const preset = config.preset ? presets[config.preset] : undefined;
  const provider: Provider = {
    id: config.id,
    name: config.name ?? preset?.name ?? config.id,
    type: config.type ?? preset?.type ?? 'oidc',
    issuer: config.issuer ?? preset?.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scopes: config.scopes ?? preset?.scopes ?? ['openid', 'email', 'profile'],
    authorizationUrl: config.authorizationUrl ?? preset?.authorizationUrl,
    tokenUrl: config.tokenUrl ?? preset?.tokenUrl,
    userinfoUrl: config.userinfoUrl ?? preset?.userinfoUrl,
    emailsVerified: preset?.emailsVerified ?? false,
  };
  if (provider.type === 'oidc' && !provider.issuer)
    throw new Error(`OIDC provider ${config.id} needs an issuer`);
  if (
    provider.type === 'oauth2' &&
    !(provider.authorizationUrl && provider.tokenUrl && provider.userinfoUrl)
  ) {
    throw new Error(`OAuth 2.0 provider ${config.id} needs authorizationUrl, tokenUrl and userinfoUrl`);
  }
  return provider;
}

interface PendingLogin {
  provider: string;
  verifier: string;
  nonce: string;
  returnTo: string | null;
  /** Hash of the secret in the starting browser's cookie: the callback must come from that browser. */
  browserHash: string;
}

interface ProviderIdentity {
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
}

interface OidcServiceOptions {
  users: UsersRepository;
  identities: OidcIdentitiesRepository;
  securityEvents: SecurityEventsRepository;
  transactor: Transactor;
  cache: Cache;
  auth: AuthService;
  publicUrl: string;
  allowedReturnOrigins: readonly string[];
  createDefaultProfile(executor: Executor, user: { id: string; name: string }): Promise<void>;
  /** Whether a first sign-in may make a new account now (an admin setting). */
  signUpsOpen: () => boolean;
  /** Tells listeners (analytics) of an account made by a provider's sign-in, after the commit. */
  publish: PublishIdentityEvent;
  clock: Clock;
}

const STATE_TTL_MS = 10 * 60_000;
const LOGIN_CODE_TTL_MS = 60_000;
const isLoopback = (url: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);

/**
 * Sign-in through OpenID Connect / OAuth 2.0 providers: authorization code flow with PKCE (S256),
 * state and nonce (RFC 9700). A verified email links to the existing account with that address;
 * an unverified one never does (that would let anyone who registers the address at a careless
 * provider take the account over).
 */
export class OidcService {
  readonly #providers: Map<string, Provider>;
  readonly #configurations = new Map<string, Promise<client.Configuration>>();
  readonly #o: OidcServiceOptions;

  constructor(options: OidcServiceOptions & { providers: readonly OidcProviderConfig[] }) {
    this.#o = options;
    this.#providers = new Map(options.providers.map((config) => [config.id, resolveProvider(config)]));
  }

  list(): Array<{ id: string; name: string; startUrl: string }> {
    return [...this.#providers.values()].map((provider) => ({
      id: provider.id,
      name: provider.name,
      startUrl: `${this.#o.publicUrl}/api/auth/oidc/${provider.id}/start`,
    }));
  }

  #provider(id: string): Provider {
    const provider = this.#providers.get(id);
    if (!provider) throw OidcProviderUnknown(`No sign-in provider "${id}" is configured`);
    return provider;
  }

  #redirectUri(provider: Provider): string {
    return `${this.#o.publicUrl}/api/auth/oidc/${provider.id}/callback`;
  }

  #configuration(provider: Provider): Promise<client.Configuration> {
    let configuration = this.#configurations.get(provider.id);
    if (!configuration) {
      configuration = (async () => {
        // Plain http only to a provider on this machine (development and tests).
        const insecure =
          (provider.issuer ?? provider.tokenUrl ?? '').startsWith('http:') &&
          isLoopback(provider.issuer ?? provider.tokenUrl ?? '');
        if (provider.type === 'oidc') {
          return client.discovery(
            new URL(provider.issuer as string),
            provider.clientId,
            provider.clientSecret,
            undefined,
            insecure ? { execute: [client.allowInsecureRequests] } : undefined,
          );
        }
        const configuration = new client.Configuration(
          {
            issuer: `urn:marquee:oauth2:${provider.id}`,
            authorization_endpoint: provider.authorizationUrl,
            token_endpoint: provider.tokenUrl,
          },
          provider.clientId,
          provider.clientSecret,
        );
        if (insecure) client.allowInsecureRequests(configuration);
        return configuration;
      })();
      // A failed discovery is retried on the next sign-in rather than remembered.
      configuration.catch(() => this.#configurations.delete(provider.id));
      this.#configurations.set(provider.id, configuration);
    }
    return configuration;
  }

  #checkReturnTo(returnTo: string | undefined): string | null {
    if (!returnTo) return null;
    if (!URL.canParse(returnTo)) throw InvalidReturnUrl();
    const origin = new URL(returnTo).origin;
    const allowed = [new URL(this.#o.publicUrl).origin, ...this.#o.allowedReturnOrigins];
    if (!allowed.includes(origin))
      throw InvalidReturnUrl(`${origin} is not one of Marquee's origins (PUBLIC_URL, CORS_ORIGINS)`);
    return returnTo;
  }

  /**
   * Where to send the browser to sign in at the provider, and the secret to set as the browser's
   * cookie. `state` alone lives on the server and proves nothing about who comes back with it: an
   * attacker could start a flow, sign in as themselves and hand the callback URL to a victim, who
   * would be signed in as the attacker (login CSRF, RFC 9700 §4.7). The cookie binds the flow to
   * the browser that started it.
   */
  async start(
    providerId: string,
    options: { returnTo?: string | undefined } = {},
  ): Promise<{ url: URL; browserSecret: string }> {
    const provider = this.#provider(providerId);
    const returnTo = this.#checkReturnTo(options.returnTo);
    const configuration = await this.#configuration(provider).catch((error: unknown) => {
      throw OidcFailed(`Cannot reach ${provider.name}: ${(error as Error).message}`);
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const browserSecret = newOpaqueToken();
    await this.#o.cache.set(
      `oidc:state:${state}`,
      {
        provider: provider.id,
        verifier,
        nonce,
        returnTo,
        browserHash: tokenHash(browserSecret),
      } satisfies PendingLogin,
      STATE_TTL_MS,
    );
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.#redirectUri(provider),
      scope: provider.scopes.join(' '),
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(provider.type === 'oidc' && { nonce }),
    });
    return { url, browserSecret };
  }

  /** The provider sent the browser back: finish, find or create the account, sign it in. */
  async callback(
    providerId: string,
    query: URLSearchParams,
    meta: RequestMeta & { browserSecret: string | undefined },
  ): Promise<{ result: AuthResult; returnTo: string | null }> {
    const provider = this.#provider(providerId);
    const state = query.get('state') ?? '';
    const pending = await this.#takeOnce<PendingLogin>(`oidc:state:${state}`);
    if (!pending || pending.provider !== provider.id)
      throw OidcFailed('The sign-in expired or was already used; start again');
    if (!meta.browserSecret || tokenHash(meta.browserSecret) !== pending.browserHash)
      throw OidcFailed('This sign-in was started in another browser; start again here');
    if (query.get('error'))
      throw OidcFailed(`${provider.name} refused: ${query.get('error_description') ?? query.get('error')}`);
    const identity = await this.#exchange(provider, query, pending).catch((error: unknown) => {
      if ((error as { code?: string }).code?.startsWith('OIDC_')) throw error;
      throw OidcFailed(`${provider.name}: ${(error as Error).message}`);
    });
    const user = await this.#resolveAccount(provider, identity, meta);
    const result = await this.#o.auth.signInVerified(user, { meta, method: `oidc:${provider.id}` });
    return { result, returnTo: pending.returnTo };
  }

  async #exchange(
    provider: Provider,
    query: URLSearchParams,
    pending: PendingLogin,
  ): Promise<ProviderIdentity> {
    const configuration = await this.#configuration(provider);
    const currentUrl = new URL(this.#redirectUri(provider));
    currentUrl.search = query.toString();
    const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: query.get('state') ?? undefined,
      ...(provider.type === 'oidc' && { expectedNonce: pending.nonce, idTokenExpected: true }),
    });
    if (provider.type === 'oidc') {
      let claims: Record<string, unknown> = { ...tokens.claims() };
      if (!claims.email && configuration.serverMetadata().userinfo_endpoint) {
        claims = {
          ...claims,
          ...(await client.fetchUserInfo(configuration, tokens.access_token, String(claims.sub))),
        };
      }
      return {
        subject: String(claims.sub),
        email: typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : undefined,
        emailVerified: claims.email_verified === true || claims.email_verified === 'true',
        name: typeof claims.name === 'string' ? claims.name : undefined,
      };
    }
    const response = await client.fetchProtectedResource(
      configuration,
      tokens.access_token,
      new URL(provider.userinfoUrl as string),
      'GET',
    );
    if (!response.ok) throw new Error(`userinfo answered ${response.status}`);
    const info = (await response.json()) as Record<string, unknown>;
    const subject = info.sub ?? info.id;
    if (typeof subject !== 'string' && typeof subject !== 'number')
      throw new Error('userinfo has no subject');
    return {
      subject: String(subject),
      email: typeof info.email === 'string' ? info.email.trim().toLowerCase() : undefined,
      emailVerified: provider.emailsVerified || info.email_verified === true,
      name: typeof info.name === 'string' ? info.name : undefined,
    };
  }

  async #resolveAccount(provider: Provider, identity: ProviderIdentity, meta: RequestMeta): Promise<UserRow> {
    const { users, identities } = this.#o;
    let created = false;
    const account = await this.#o.transactor.run(async (trx) => {
      const linkedUserId = await identities.signedIn(
        { provider: provider.id, subject: identity.subject, email: identity.email ?? null },
        trx,
      );
      if (linkedUserId) {
        const user = await users.findById(linkedUserId, trx);
        if (!user) throw OidcFailed('The linked account no longer exists');
        return user;
      }
      if (!identity.email)
        throw OidcFailed(`${provider.name} did not share an email address; allow it and try again`);
      let user = await users.findByEmail(identity.email, trx);
      if (user && !identity.emailVerified) throw OidcEmailUnverified();
      if (user) {
        await users.update(user.id, { emailVerified: true }, trx);
        await this.#o.securityEvents.record(
          {
            userId: user.id,
            kind: 'oidc_linked',
            ip: meta.ip,
            userAgent: meta.userAgent,
            details: { provider: provider.id },
          },
          trx,
        );
      } else {
        if (!this.#o.signUpsOpen()) throw SignUpsClosed();
        user = await users.create(
          {
            email: identity.email,
            name: (identity.name ?? identity.email.split('@')[0] ?? 'Viewer').slice(0, 100),
            passwordHash: null,
            emailVerified: identity.emailVerified,
          },
          trx,
        );
        await this.#o.createDefaultProfile(trx, user);
        created = true;
      }
      await identities.link(
        { provider: provider.id, subject: identity.subject, userId: user.id, email: identity.email },
        trx,
      );
      return user;
    });
    if (created) {
      await this.#o.publish({
        type: 'UserRegistered',
        at: this.#o.clock.now().toISOString(),
        userId: account.id,
        method: provider.id,
      });
    }
    return account;
  }

  /** After a redirect sign-in, the app trades the one-time code from the URL fragment for its tokens. */
  async issueLoginCode(result: AuthResult): Promise<string> {
    const code = newOpaqueToken();
    await this.#o.cache.set(`oidc:login:${code}`, result, LOGIN_CODE_TTL_MS);
    return code;
  }

  async redeemLoginCode(code: string): Promise<AuthResult> {
    const result = await this.#takeOnce<AuthResult & { accessTokenExpiresAt: string | Date }>(
      `oidc:login:${code}`,
    );
    if (!result) throw OidcFailed('The sign-in code is invalid, expired or already used');
    return {
      ...result,
      accessTokenExpiresAt: new Date(result.accessTokenExpiresAt),
      user: { ...result.user, createdAt: new Date(result.user.createdAt) },
    };
  }

  /** Reads a cache entry at most once, even with concurrent readers on several instances. */
  async #takeOnce<T>(key: string): Promise<T | undefined> {
    if (!key.split(':').at(-1)) return undefined;
    const value = await this.#o.cache.get<T>(key);
    if (value === undefined) return undefined;
    if (!(await this.#o.cache.setIfAbsent(`${key}:taken`, 1, STATE_TTL_MS))) return undefined;
    await this.#o.cache.delete(key);
    return value;
  }
}
