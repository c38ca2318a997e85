import { LRUCache } from 'lru-cache';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { RateLimiter, RateLimits } from '../../platform/ratelimit/ratelimit.port.ts';
import {
  ObjectNotFound,
  type ObjectBody,
  type ByteRange,
  type Storage,
} from '../../platform/storage/storage.port.ts';
import { defineError } from '../../shared/errors.ts';
import type { MediaKeys, MediaPackage, PackageManifest } from '../media/index.ts';
import { cloudFrontSignedCookies, type CloudFrontCookies } from './cloudfront.ts';
import type { HmacSecrets } from './hmac-secrets.ts';
import { liveVariantsFitting } from './live-playback.ts';
import { verifyPlaybackToken, type PlaybackClaims } from './playback-token.ts';
import { PlaybackKeyForbidden, PlaybackSessionEnded, PlaybackTokenInvalid } from './playback.errors.ts';
import type { PlaybackService } from './playback.service.ts';
import { offlineMediaPlaylist, singleVariantMaster, type OfflineFile } from './offline-package.ts';
import { filterMasterPlaylist, fitsHeight, rewriteThumbnailCues, rewriteUris } from './playlist-rewrite.ts';
import { mayReceiveKey } from './quality.ts';
import type { StreamState, StreamStates } from './stream-states.ts';
import { PATH_TOKEN_PARAM, signPath, verifyPathToken } from './signed-url.ts';
import { SweptLRUCache } from '../../shared/swept-lru.ts';

export const KeyRateLimited = defineError(
  'PLAYBACK_KEY_RATE_LIMITED',
  'rate_limited',
  'Too many key requests',
);
export const PlaylistNotFound = defineError('PLAYBACK_PLAYLIST_NOT_FOUND', 'not_found', 'No such playlist');

/** A stored text file, or undefined when there is none (a live playlist not written yet). */
export async function readStoredText(storage: Storage, key: string): Promise<string | undefined> {
  try {
    const object = await storage.get(key);
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (ObjectNotFound.is(error)) return undefined;
    throw error;
  }
}

/** A live stream as authorised: its event's HLS prefix and the stream's cap. */
interface LiveGrant {
  claims: PlaybackClaims;
  prefix: string;
  maxHeight: number;
}

/** Where delivered files are served from in embedded mode; the path after it is the storage key. */
export const DELIVERY_PREFIX = '/api/delivery/';

export interface DeliveryServiceDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  rateLimits: RateLimits;
  playback: PlaybackService;
  streams: StreamStates;
  secrets: HmacSecrets;
  /** Media's content keys, unwrapped there (the master key stays in media). */
  keys: MediaKeys;
  /** Where a live event's HLS is in storage (the live module's layout). */
  livePrefix: (eventId: string) => string;
  config: Config['playback'];
  cloudFrontPrivateKey: string | undefined;
  /** Whether the device a stream was started from is still signed in (identity's session check). */
  isSignedIn: (authSessionId: string) => Promise<boolean>;
}

/**
 * Protected delivery: per-stream playlists (the plan's renditions only, key URIs carrying the
 * playback token, segment URIs signed for the package's prefix), the key server, and in
 * embedded mode the signed segment files themselves. In CloudFront mode segments come from the
 * edge under a custom-policy signature computed once per stream.
 */
export class DeliveryService {
  readonly #deps: DeliveryServiceDeps;
  readonly #keyLimiter: RateLimiter;
  /** Stored playlists never change (a package's prefix is written once). */
  readonly #playlists = new LRUCache<string, string>({
    max: 5_000,
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (text) => text.length || 1,
  });
  readonly #cdnSignatures = new SweptLRUCache<string, CloudFrontCookies>({ max: 50_000, ttl: 60 * 60_000 });
  /**
   * Tokens whose MAC verified, with their claims: a player presents the same token for every
   * playlist and key, and the HMAC (with Node's key preparation) was the largest cost of each
   * request (bench:playback). Only verified tokens enter; expiry is still checked on every use,
   * and the short TTL bounds how long a token outlives a secret dropped from the rotation.
   */
  readonly #verifiedTokens = new SweptLRUCache<string, PlaybackClaims>({ max: 50_000, ttl: 60_000 });
  /**
   * Playlists as rendered for one token: the same text every time (the token fixes the stream,
   * the plan's height and the segment signature's expiry), so a player's reloads and a busy
   * stream's retries don't re-sign every segment URI. Authorisation still runs on every request.
   */
  readonly #rendered = new SweptLRUCache<string, string>({
    max: 20_000,
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (text) => text.length || 1,
    ttl: 60_000,
  });

  constructor(deps: DeliveryServiceDeps) {
    this.#deps = deps;
    this.#keyLimiter = deps.rateLimits.limiter({
      name: 'playback-keys',
      points: deps.config.keyRateLimitPerMinute,
      durationSeconds: 60,
    });
  }

  /** Verifies a playback token and that its stream is alive. */
  get cdnMode(): boolean {
    return this.#deps.config.delivery.mode === 'cloudfront';
  }

  /** Verifies a playback token (for this stream, when named) and that its stream is alive. */
  async authorise(
    token: string,
    streamId?: string,
  ): Promise<{ claims: PlaybackClaims; prefix: string; manifest: PackageManifest; maxHeight: number }> {
    return this.#packaged(await this.#streamOf(token, streamId));
  }

  async #packaged(stream: { claims: PlaybackClaims; state: StreamState }) {
    const { claims, state } = stream;
    if (state.live) throw PlaybackTokenInvalid('This token is for a live stream');
    const asset = await this.#asset(claims.asset);
    // The stream's cap follows the plan (updated at each heartbeat); the token's is where it began.
    return { claims, prefix: asset.prefix, manifest: asset.manifest, maxHeight: state.maxHeight };
  }

  /** A live stream's grant (its files are its event's HLS); undefined for a package's stream. */
  #live(stream: { claims: PlaybackClaims; state: StreamState }): LiveGrant | undefined {
    const { claims, state } = stream;
    if (!state.live) return undefined;
    return { claims, prefix: this.#deps.livePrefix(claims.asset), maxHeight: state.maxHeight };
  }

  /** One read of the stream's state per request: the token, the stream alive, the device signed in. */
  async #streamOf(token: string, streamId?: string): Promise<{ claims: PlaybackClaims; state: StreamState }> {
    const claims = this.#verify(token);
    if (streamId !== undefined && claims.sid !== streamId)
      throw PlaybackTokenInvalid('The token is for another stream');
    const state = await this.#deps.streams.get(claims.sid);
    if (!state || state.assetId !== claims.asset || !this.#deps.streams.isLive(state)) {
      throw PlaybackSessionEnded('This stream has ended or lapsed: start playback again');
    }
    // Signing a device out (or every device, or resetting the password) stops its streams at once.
    if (!(await this.#deps.isSignedIn(claims.dev))) {
      throw PlaybackSessionEnded('The device this stream was started on has signed out');
    }
    return { claims, state };
  }

  /** The master playlist as this stream may see it. */
  async masterPlaylist(token: string, streamId: string): Promise<string> {
    const stream = await this.#streamOf(token, streamId);
    const live = this.#live(stream);
    if (live) return this.#liveMaster(token, live);
    const { prefix, manifest, maxHeight, claims } = await this.#packaged(stream);
    const cacheKey = `master\n${maxHeight}\n${token}`;
    const hit = this.#rendered.get(cacheKey);
    if (hit !== undefined) return hit;
    const text = await this.#stored(`${prefix}${manifest.masterPlaylist}`);
    const filtered = filterMasterPlaylist({ text, maxHeight, codecs: claims.cod ?? [] });
    const query = `?token=${encodeURIComponent(token)}`;
    const rendered = rewriteUris({ text: filtered, rewrite: (uri) => `media/${uri}${query}` });
    this.#rendered.set(cacheKey, rendered);
    return rendered;
  }

  /** A media playlist of the package: keys through the key server, segments signed. */
  async mediaPlaylist(token: string, streamId: string, playlist: string): Promise<string> {
    const stream = await this.#streamOf(token, streamId);
    const live = this.#live(stream);
    if (live) return this.#liveMedia(token, live, playlist);
    const { claims, prefix, manifest, maxHeight } = await this.#packaged(stream);
    const video = manifest.renditions.find((r) => r.playlist === playlist);
    // The thumbnails track (seek previews) is a WebVTT file whose cues name sprite sheets.
    const thumbnails = manifest.thumbnails.track === playlist;
    const known =
      video ??
      manifest.audioTracks.find((t) => t.playlist === playlist) ??
      manifest.subtitleTracks.find((t) => t.playlist === playlist);
    if (!known && !thumbnails) throw PlaylistNotFound();
    if (video && !fitsHeight({ width: video.width, height: video.height, maxHeight })) {
      throw PlaybackKeyForbidden(`${video.height}p is above your plan's quality`);
    }
    const cacheKey = `${playlist}\n${token}`;
    const hit = this.#rendered.get(cacheKey);
    if (hit !== undefined) return hit;
    const text = await this.#stored(`${prefix}${playlist}`);
    const dir = playlist.includes('/') ? playlist.slice(0, playlist.lastIndexOf('/') + 1) : '';
    const keyQuery = `?token=${encodeURIComponent(token)}`;
    const segmentQuery = this.#segmentQuery({
      id: claims.sid,
      prefix,
      expiresAt: new Date(claims.exp * 1000),
    });
    const base = this.#segmentBase(prefix);
    const rendered = thumbnails
      ? rewriteThumbnailCues({ text, rewrite: (uri) => `${base}${dir}${uri}${segmentQuery}` })
      : rewriteUris({
          text,
          rewrite: (uri, kind) =>
            kind === 'key' ? `${uri}${keyQuery}` : `${base}${dir}${uri}${segmentQuery}`,
        });
    this.#rendered.set(cacheKey, rendered);
    return rendered;
  }

  /**
   * A live master playlist: read afresh (it is written once, but an event that has not begun has
   * none yet), filtered to the plan like a package's. Never cached: the ladder is the event's.
   */
  async #liveMaster(token: string, live: LiveGrant): Promise<string> {
    const text = await this.#liveText(`${live.prefix}master.m3u8`);
    const filtered = filterMasterPlaylist({ text, maxHeight: live.maxHeight });
    const query = `?token=${encodeURIComponent(token)}`;
    return rewriteUris({ text: filtered, rewrite: (uri) => `media/${uri}${query}` });
  }

  /**
   * A live media playlist, as the transcoder last wrote it: keys through the key server, and
   * segment URLs signed for that rung's directory only, since one rotating key opens every rung
   * (docs/SECURITY.md): a viewer can't reach the segments of a rung above the plan.
   */
  async #liveMedia(token: string, live: LiveGrant, playlist: string): Promise<string> {
    const master = await this.#liveText(`${live.prefix}master.m3u8`);
    if (!liveVariantsFitting(master, Number.MAX_SAFE_INTEGER).some((v) => v.playlist === playlist))
      throw PlaylistNotFound();
    if (!liveVariantsFitting(master, live.maxHeight).some((v) => v.playlist === playlist))
      throw PlaybackKeyForbidden(`This rendition is above your plan's quality`);
    const text = await this.#liveText(`${live.prefix}${playlist}`);
    const dir = playlist.slice(0, playlist.lastIndexOf('/') + 1);
    const keyQuery = `?token=${encodeURIComponent(token)}`;
    const segmentQuery = this.#segmentQuery({
      id: live.claims.sid,
      prefix: `${live.prefix}${dir}`,
      expiresAt: new Date(live.claims.exp * 1000),
    });
    const base = this.#segmentBase(live.prefix);
    return rewriteUris({
      text,
      rewrite: (uri, kind) => (kind === 'key' ? `${uri}${keyQuery}` : `${base}${dir}${uri}${segmentQuery}`),
    });
  }

  async #liveText(key: string): Promise<string> {
    const text = await readStoredText(this.#deps.storage, key);
    if (text === undefined) throw PlaylistNotFound();
    return text;
  }

  /** The key server: one content key, to a live stream whose plan covers the key's tier. */
  async contentKey(keyId: string, token: string): Promise<Buffer> {
    const { claims, state } = await this.#streamOf(token);
    const { maxHeight } = state;
    const limit = await this.#keyLimiter.consume(claims.sid);
    if (!limit.allowed)
      throw KeyRateLimited(undefined, { retryAfterSeconds: Math.ceil(limit.retryAfterMs / 1000) });
    const entry = await this.#deps.keys.byId(keyId);
    // A package's key to its package's streams, a live event's keys to that event's streams.
    const encrypts = state.live ? entry?.liveEventId : entry?.assetId;
    if (!entry || encrypts !== claims.asset)
      throw PlaybackKeyForbidden('This key is not part of this stream');
    if (!mayReceiveKey({ keyTier: entry.tier, maxHeight })) {
      throw PlaybackKeyForbidden(`${entry.tier} keys are above your plan's quality`);
    }
    this.#deps.logger.info(
      { keyId, tier: entry.tier, streamId: claims.sid, userId: claims.sub },
      'content key delivered',
    );
    return entry.key;
  }

  /** Embedded delivery of one stored file, if the path token covers it. */
  async file(options: { path: string; pathToken: string; range?: ByteRange }): Promise<ObjectBody> {
    verifyPathToken({
      secret: this.#deps.secrets,
      token: options.pathToken,
      path: options.path,
      now: this.#deps.clock.now(),
    });
    const key = options.path.slice(DELIVERY_PREFIX.length);
    return this.#deps.storage.get(key, options.range ? { range: options.range } : undefined);
  }

  /** Absolute URL base of the package's files. */
  #segmentBase(prefix: string): string {
    const delivery = this.#deps.config.delivery;
    return delivery.mode === 'cloudfront' ? `${delivery.url}/${prefix}` : `${DELIVERY_PREFIX}${prefix}`;
  }

  /**
   * What a download fetches: the master playlist listing only its video rendition, its media
   * playlists rewritten for offline play (keys named, not fetched: they come in the licence),
   * and signed URLs for every segment, valid until `expiresAt`.
   */
  async offlinePackage(options: {
    downloadId: string;
    assetId: string;
    /** The chosen video rendition's playlist, as in the manifest. */
    video: string;
    expiresAt: Date;
  }): Promise<{
    masterPlaylist: string;
    playlists: Array<{ path: string; text: string }>;
    files: OfflineFile[];
  }> {
    const { prefix, manifest } = await this.#asset(options.assetId);
    const masterPlaylist = singleVariantMaster({
      text: await this.#stored(`${prefix}${manifest.masterPlaylist}`),
      variant: options.video,
    });
    // Each URL opens only its own directory (the rendition's, an audio track's, the subtitles'):
    // a download's URLs reach what was downloaded, never the package's other renditions.
    const base = this.#segmentBase(prefix);
    const queries = new Map<string, string>();
    const fileUrl = (path: string) => {
      const dir = path.slice(0, path.lastIndexOf('/') + 1);
      if (dir === '') throw new Error(`cannot take ${path} offline: package files live in a directory`);
      let query = queries.get(dir);
      if (query === undefined) {
        query = this.#segmentQuery({
          id: options.downloadId,
          prefix: `${prefix}${dir}`,
          expiresAt: options.expiresAt,
        });
        queries.set(dir, query);
      }
      return `${base}${path}${query}`;
    };
    const playlists: Array<{ path: string; text: string }> = [];
    const files: OfflineFile[] = [];
    const paths = [
      options.video,
      ...manifest.audioTracks.map((track) => track.playlist),
      ...manifest.subtitleTracks.map((track) => track.playlist),
    ];
    for (const path of paths) {
      if (!path.endsWith('.m3u8')) {
        files.push({ path, url: fileUrl(path) });
        continue;
      }
      const offline = offlineMediaPlaylist({ text: await this.#stored(`${prefix}${path}`), path, fileUrl });
      playlists.push({ path, text: offline.text });
      files.push(...offline.files);
    }
    return { masterPlaylist, playlists, files };
  }

  /**
   * The signature appended to segment URLs: a path token, or CloudFront's custom policy, for
   * every file under `prefix` (the package's, or one directory of it).
   */
  #segmentQuery(options: { id: string; prefix: string; expiresAt: Date }): string {
    const { id, prefix, expiresAt } = options;
    const delivery = this.#deps.config.delivery;
    if (delivery.mode === 'embedded') {
      const token = signPath({
        secret: this.#deps.secrets,
        prefix: `${DELIVERY_PREFIX}${prefix}`,
        expiresAt,
        sessionId: id,
      });
      return `?${PATH_TOKEN_PARAM}=${token}`;
    }
    const signature = this.cloudFrontSignature(id, prefix, expiresAt);
    return `?Policy=${signature['CloudFront-Policy']}&Signature=${signature['CloudFront-Signature']}&Key-Pair-Id=${signature['CloudFront-Key-Pair-Id']}`;
  }

  /**
   * One RSA signature per stream (or download) and prefix, for every file under it (also usable
   * as cookies).
   */
  cloudFrontSignature(streamId: string, prefix: string, expiresAt: Date): CloudFrontCookies {
    const delivery = this.#deps.config.delivery;
    if (delivery.mode !== 'cloudfront' || !this.#deps.cloudFrontPrivateKey)
      throw new Error('CloudFront delivery is not configured');
    const cacheKey = `${streamId}\n${prefix}`;
    let signature = this.#cdnSignatures.get(cacheKey);
    if (!signature) {
      signature = cloudFrontSignedCookies({
        resource: `${delivery.url}/${prefix}*`,
        keyPairId: delivery.keyPairId,
        privateKey: this.#deps.cloudFrontPrivateKey,
        expiresAt,
      });
      this.#cdnSignatures.set(cacheKey, signature);
    }
    return signature;
  }

  #verify(token: string): PlaybackClaims {
    const now = this.#deps.clock.now();
    const cached = this.#verifiedTokens.get(token);
    if (cached && now.getTime() < cached.exp * 1000) return cached;
    // Not seen, or expired: the full check, which also gives expiry its precise refusal.
    const claims = Object.freeze(verifyPlaybackToken({ secret: this.#deps.secrets, token, now }));
    this.#verifiedTokens.set(token, claims);
    return claims;
  }

  async #asset(assetId: string): Promise<MediaPackage> {
    const asset = await this.#deps.playback.packageOf(assetId);
    if (!asset) throw PlaybackSessionEnded('This stream’s video is gone');
    return asset;
  }

  async #stored(key: string): Promise<string> {
    const hit = this.#playlists.get(key);
    if (hit !== undefined) return hit;
    const object = await this.#deps.storage.get(key);
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    this.#playlists.set(key, text);
    return text;
  }
}
