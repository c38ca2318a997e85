import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { isoDate, noContent, opaqueToken } from '../../shared/schemas.ts';
import { viewerFrom } from '../catalog/index.ts';
import { userOf } from '../identity/index.ts';
import { DELIVERY_PREFIX, type DeliveryService } from './delivery.service.ts';
import { PlaybackTokenInvalid } from './playback.errors.ts';
import type { PlaybackService, Watcher } from './playback.service.ts';
import { DECLARABLE_CODECS } from './renditions.ts';
import { PATH_TOKEN_PARAM } from './signed-url.ts';
import { parseRange, sendStoredObject } from '../../http/stored-object-reply.ts';

export interface PlaybackRoutesOptions {
  playback: PlaybackService;
  delivery: DeliveryService;
  clock: Clock;
  countryHeader: string | undefined;
}

const tags = ['playback'];
const HLS = 'application/vnd.apple.mpegurl';

const streamSchema = z
  .object({
    id: z.uuid(),
    deviceName: z.string(),
    itemId: z.uuid(),
    itemName: z.string(),
    startedAt: isoDate,
    lastHeartbeatAt: isoDate,
    positionSeconds: z.number(),
  })
  .meta({ id: 'Stream' });

const playbackSessionSchema = z
  .object({
    sessionId: z.uuid(),
    itemId: z.uuid(),
    itemName: z.string(),
    live: z
      .boolean()
      .describe('A live event: the playlists grow until the event ends (no duration, no resume)'),
    token: z.string().describe('Playback token: bound to this stream, device, title and plan quality'),
    expiresAt: isoDate,
    masterPlaylistUrl: z
      .string()
      .describe(
        'The HLS master playlist for this stream (the plan’s renditions only). Root-relative, like every URL of embedded delivery: resolve it against the address this API was called at (RFC 3986 §5.2), so playback works at any address the server answers on.',
      ),
    maxHeight: z.number().int(),
    maxBitrate: z.number().int().nullable().describe('Cap for the player’s ABR (hls.js maxMaxBitrate)'),
    renditions: z.array(z.object({ width: z.number(), height: z.number(), bandwidth: z.number() })),
    durationSeconds: z.number().nullable(),
    resumePositionSeconds: z.number(),
    audioTracks: z.array(z.object({ language: z.string(), label: z.string(), isDefault: z.boolean() })),
    subtitleTracks: z.array(
      z.object({ language: z.string(), label: z.string(), isDefault: z.boolean(), forced: z.boolean() }),
    ),
    thumbnailsUrl: z
      .string()
      .nullable()
      .describe('WebVTT thumbnails track for scrubbing previews (root-relative)'),
    heartbeatIntervalSeconds: z.number().int(),
    ads: z
      .object({ vmapUrl: z.string().describe('VMAP 1.0 ad schedule of this stream (root-relative)') })
      .optional()
      .describe('Only on plans that carry ads'),
    cdn: z
      .object({ cookies: z.record(z.string(), z.string()) })
      .nullable()
      .describe('CloudFront signed cookies for the package, in CDN mode'),
  })
  .meta({ id: 'PlaybackSession' });

const startPlaybackSchema = z
  .object({
    codecs: z
      .array(z.enum(DECLARABLE_CODECS))
      .max(DECLARABLE_CODECS.length * 2)
      .optional()
      .describe(
        'Video codecs this player decodes beyond H.264, which every player gets. With "hevc" the master playlist also lists the HEVC (fMP4) copies of the top rungs, within the plan’s quality. Ask the platform, e.g. MediaSource.isTypeSupported(\'video/mp4; codecs="hvc1.1.6.L120.90"\').',
      ),
  })
  .meta({ id: 'StartPlayback' });

const tokenQuery = z.object({ token: opaqueToken(2048).optional() });
/** A file of the package as its playlists name it (`v720/index.m3u8`): URL-safe characters only. */
const packagePath = (max: number) => opaqueToken(max).min(1);
const requireToken = (token: string | undefined): string => {
  if (!token) throw PlaybackTokenInvalid('A playback token is required');
  return token;
};

/**
 * Who asks, from a request guarded by `guard.user`: the signed-in user, this sign-in session,
 * the active profile's maturity limit and the country the edge says the request came from.
 */
export function watcherFrom(
  request: FastifyRequest,
  options: { clock: Clock; countryHeader: string | undefined },
): Watcher {
  const actor = userOf(request);
  const viewer = viewerFrom(request, options);
  return {
    userId: actor.userId,
    authSessionId: actor.sessionId,
    deviceName: String(request.headers['user-agent'] ?? 'unknown device').slice(0, 120),
    profileId: actor.profile?.id ?? null,
    viewer,
    ip: request.ip,
  };
}

/** Streams (start, heartbeat, end, list), per-stream playlists, the key server, signed delivery. */
export const playbackRoutes: FastifyPluginAsyncZod<PlaybackRoutesOptions> = async (app, options) => {
  const { playback, delivery } = options;

  const watcherOf = (request: FastifyRequest) => watcherFrom(request, options);

  app.post(
    '/api/playback/:itemId',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'startPlayback',
        tags,
        summary: 'Start watching a movie, an episode or a live event as the active profile',
        description:
          'Refusals: PLAYBACK_PLAN_REQUIRED, PLAYBACK_NOT_AVAILABLE, PLAYBACK_REGION_BLOCKED, PLAYBACK_MATURITY_BLOCKED, PLAYBACK_STREAM_LIMIT (409, lists the active streams), PLAYBACK_NOT_READY (also a live event not on air yet; PLAYBACK_NOT_AVAILABLE once it ended). The body is optional: without it (or without `codecs`) the stream gets H.264 variants only.',
        params: z.object({ itemId: z.uuid() }),
        // No body at all (null to Fastify) is the H.264-only start every earlier client sends.
        body: startPlaybackSchema.nullish(),
        response: { 201: playbackSessionSchema },
      },
    },
    async (request, reply) => {
      const started = await playback.start(watcherOf(request), request.params.itemId, {
        codecs: request.body?.codecs,
      });
      const query = `?token=${encodeURIComponent(started.token)}`;
      // Root-relative, not PUBLIC_URL: the player may be loaded at 127.0.0.1, a LAN address or
      // through a proxy, and its CSP only connects to its own origin. Nothing is built from the
      // Host header, so a forged one can't point a response elsewhere.
      const base = `/api/playback/sessions/${started.sessionId}`;
      const cdn = delivery.cdnMode
        ? {
            cookies: {
              ...delivery.cloudFrontSignature(started.sessionId, started.assetPrefix, started.expiresAt),
            },
          }
        : null;
      return reply.code(201).send({
        ...started,
        masterPlaylistUrl: `${base}/master.m3u8${query}`,
        thumbnailsUrl: started.thumbnails ? `${base}/media/${started.thumbnails}${query}` : null,
        cdn,
      });
    },
  );

  app.get(
    '/api/playback/sessions',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listStreams',
        tags,
        summary: 'This account’s streams that count against the plan now',
        response: { 200: z.object({ items: z.array(streamSchema) }) },
      },
    },
    async (request) => ({ items: await playback.active(userOf(request).userId) }),
  );

  app.post(
    '/api/playback/sessions/:id/heartbeat',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'sendHeartbeat',
        tags,
        summary: 'Keep a stream alive (at least every 30 s) and record the position',
        params: z.object({ id: z.uuid() }),
        body: z.object({ positionSeconds: z.number().min(0).max(1_000_000) }),
        response: {
          200: z.object({ nextHeartbeatSeconds: z.number().int(), positionSeconds: z.number() }),
        },
      },
    },
    async (request) =>
      playback.heartbeat(userOf(request).userId, request.params.id, request.body.positionSeconds),
  );

  app.delete(
    '/api/playback/sessions/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'endStream',
        tags,
        summary: 'End a stream (this device’s, or another listed by a stream-limit refusal)',
        params: z.object({ id: z.uuid() }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await playback.end(userOf(request).userId, request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/playback/sessions/:id/master.m3u8',
    {
      config: { access: { credential: 'playbackToken' }, quiet: true },
      schema: {
        operationId: 'getMasterPlaylist',
        tags,
        summary: 'The stream’s master playlist: only the renditions its plan allows',
        params: z.object({ id: z.uuid() }),
        querystring: tokenQuery,
      },
    },
    async (request, reply) => {
      const text = await delivery.masterPlaylist(requireToken(request.query.token), request.params.id);
      return reply.header('content-type', HLS).header('cache-control', 'private, no-store').send(text);
    },
  );

  app.get(
    '/api/playback/sessions/:id/media/*',
    {
      config: { access: { credential: 'playbackToken' }, quiet: true },
      schema: {
        operationId: 'getMediaPlaylist',
        tags,
        summary: 'A media playlist of the stream: keys through the key server, segments signed',
        params: z.object({ id: z.uuid(), '*': packagePath(300) }),
        querystring: tokenQuery,
      },
    },
    async (request, reply) => {
      const text = await delivery.mediaPlaylist(
        requireToken(request.query.token),
        request.params.id,
        request.params['*'],
      );
      const type = request.params['*'].endsWith('.vtt') ? 'text/vtt; charset=utf-8' : HLS;
      return reply.header('content-type', type).header('cache-control', 'private, no-store').send(text);
    },
  );

  app.get(
    '/api/keys/:keyId',
    {
      config: { access: { credential: 'playbackToken' }, quiet: true },
      schema: {
        operationId: 'getContentKey',
        tags,
        summary: 'The key server: one AES-128 content key for a live stream whose plan covers it',
        params: z.object({ keyId: z.uuid() }),
        querystring: tokenQuery,
      },
    },
    async (request, reply) => {
      const key = await delivery.contentKey(request.params.keyId, requireToken(request.query.token));
      return reply
        .header('content-type', 'application/octet-stream')
        .header('cache-control', 'private, no-store')
        .send(key);
    },
  );

  app.get(
    `${DELIVERY_PREFIX}*`,
    {
      config: { access: { credential: 'pathToken' }, quiet: true },
      schema: {
        operationId: 'getDeliveryFile',
        tags,
        summary: 'Signed delivery of a package file (segments, subtitles, thumbnails), with ranges',
        params: z.object({ '*': packagePath(1024) }),
        querystring: z.object({ [PATH_TOKEN_PARAM]: opaqueToken(512).optional() }),
      },
    },
    async (request, reply) => {
      const token = request.query[PATH_TOKEN_PARAM];
      if (!token) throw PlaybackTokenInvalid('A signed URL is required');
      const range = parseRange(request.headers.range);
      const object = await delivery.file({
        path: request.url.slice(0, request.url.indexOf('?') === -1 ? undefined : request.url.indexOf('?')),
        pathToken: token,
        ...(range && { range }),
      });
      return sendStoredObject(reply, object, {
        contentType: object.contentType,
        cacheControl: 'private, max-age=3600',
      });
    },
  );
};
