import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { displayName, isoDate, noContent, opaqueToken } from '../../shared/schemas.ts';
import { requestContext, userOf } from '../identity/index.ts';
import type { DownloadDevicesService } from './download-devices.service.ts';
import type { DownloadsService } from './downloads.service.ts';
import { watcherFrom } from './playback.routes.ts';

export interface DownloadsRoutesOptions {
  downloads: DownloadsService;
  devices: DownloadDevicesService;
  clock: Clock;
  countryHeader: string | undefined;
}

const tags = ['downloads'];

export const deviceSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    keyThumbprint: z.string().describe('RFC 7638 thumbprint of the device key'),
    createdAt: isoDate,
  })
  .meta({ id: 'DownloadDevice' });

export const downloadSchema = z
  .object({
    id: z.uuid(),
    itemId: z.uuid(),
    itemName: z.string().nullable(),
    deviceId: z.uuid(),
    maxHeight: z.number().int(),
    status: z.enum(['active', 'expired', 'returned']),
    createdAt: isoDate,
    licenceExpiresAt: isoDate,
    renewedAt: isoDate.nullable(),
    returnedAt: isoDate.nullable(),
  })
  .meta({ id: 'Download' });

const licenceSchema = z
  .object({
    format: z.string(),
    kid: z.string().describe('The Ed25519 key (in /.well-known/jwks.json) that signed the body'),
    body: z.string(),
    signature: z.string(),
  })
  .describe(
    'Offline licence: content keys wrapped for the device key (ECDH-ES P-256, HKDF-SHA256, AES-256-GCM), signed with Ed25519 by a key of /.well-known/jwks.json. Wire format and test vector: docs/OFFLINE-LICENCE.md (marquee-offline-licence/v1).',
  )
  .meta({ id: 'OfflineLicence' });

const packageSchema = z
  .object({
    masterPlaylist: z.string().describe('The master playlist, listing the one downloaded variant'),
    playlists: z
      .array(z.object({ path: z.string(), text: z.string() }))
      .describe('Media playlists for offline play: keys as skd://<keyId>, answered from the licence'),
    files: z
      .array(z.object({ path: z.string(), url: z.string() }))
      .describe('Segments to fetch (signed URLs, valid 24 h) and where to put them'),
  })
  .meta({ id: 'DownloadPackage' });

// A P-256 public JWK. Loose, so a private member ('d') reaches the parser and is refused there.
const publicJwk = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: opaqueToken(64),
  y: opaqueToken(64),
});

/** Offline downloads: the devices that hold them, the downloads, their licences. */
export const downloadsRoutes: FastifyPluginAsyncZod<DownloadsRoutesOptions> = async (app, options) => {
  const { downloads, devices } = options;

  app.post(
    '/api/downloads/devices',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'registerDownloadDevice',
        tags,
        summary:
          'Register this device’s P-256 public key for downloads (the same key again: the same device)',
        description:
          'Refusals: DOWNLOAD_PLAN_REQUIRED, DOWNLOAD_DEVICE_LIMIT (409, lists the devices), DEVICE_KEY_INVALID.',
        body: z.object({ name: displayName(120), publicKey: publicJwk }),
        response: { 200: deviceSchema, 201: deviceSchema },
      },
    },
    async (request, reply) => {
      const { device, created } = await devices.register({
        watcher: watcherFrom(request, options),
        name: request.body.name,
        publicKey: request.body.publicKey,
        context: requestContext(request),
      });
      return reply.code(created ? 201 : 200).send(device);
    },
  );

  app.get(
    '/api/downloads/devices',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listDownloadDevices',
        tags,
        summary: 'This account’s devices that may hold downloads',
        response: { 200: z.object({ items: z.array(deviceSchema) }) },
      },
    },
    async (request) => ({ items: await devices.list(userOf(request).userId) }),
  );

  app.delete(
    '/api/downloads/devices/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'revokeDownloadDevice',
        tags,
        summary: 'Revoke a download device: its licences can no longer be renewed',
        params: z.object({ id: z.uuid() }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await devices.revoke({
        userId: userOf(request).userId,
        deviceId: request.params.id,
        context: requestContext(request),
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/downloads',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listDownloads',
        tags,
        summary: 'This account’s downloads, newest first (returned ones included)',
        response: { 200: z.object({ items: z.array(downloadSchema) }) },
      },
    },
    async (request) => ({ items: await downloads.list(userOf(request).userId) }),
  );

  app.post(
    '/api/downloads/:itemId',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'createDownload',
        tags,
        summary: 'Download a movie or episode to a registered device',
        description:
          'The same refusals as streaming (PLAYBACK_PLAN_REQUIRED, PLAYBACK_NOT_AVAILABLE, …), and DOWNLOAD_PLAN_REQUIRED, DOWNLOAD_LIMIT, DOWNLOAD_DEVICE_NOT_FOUND. The best rendition within the plan (and `maxHeight`), its audio and subtitles; the licence holds only their keys, and the package’s signed URLs open only their files. A download is one rendition for good: the same title again on the same device at the same rendition refreshes that download (same id, fresh licence and URLs); another rendition is a new download with its own slot, and the earlier one keeps renewing for the files it has. See docs/OFFLINE-LICENCE.md.',
        params: z.object({ itemId: z.uuid() }),
        body: z.object({ deviceId: z.uuid(), maxHeight: z.number().int().min(1).max(10_000).optional() }),
        response: {
          201: z.object({ download: downloadSchema, licence: licenceSchema, package: packageSchema }),
        },
      },
    },
    async (request, reply) => {
      const created = await downloads.download({
        watcher: watcherFrom(request, options),
        itemId: request.params.itemId,
        deviceId: request.body.deviceId,
        maxHeight: request.body.maxHeight,
        context: requestContext(request),
      });
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/downloads/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'returnDownload',
        tags,
        summary: 'Return a download: frees its slot; its licence can no longer be renewed',
        params: z.object({ id: z.uuid() }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await downloads.returnDownload({
        userId: userOf(request).userId,
        downloadId: request.params.id,
        context: requestContext(request),
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/downloads/:id/renew',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'renewDownload',
        tags,
        summary: 'A fresh offline licence for a download',
        description:
          'DOWNLOAD_NOT_RENEWABLE (403) with `reason`: DEVICE_REVOKED, DOWNLOAD_RETURNED, PLAN_EXCLUDES_DOWNLOADS, PLAN_BELOW_DOWNLOAD_QUALITY, PLAN_DOWNLOAD_CAP (a plan change lowered the cap below the downloads held; the newest beyond it stop renewing).',
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ download: downloadSchema, licence: licenceSchema }) },
      },
    },
    async (request) =>
      downloads.renew({ watcher: watcherFrom(request, options), downloadId: request.params.id }),
  );
};
