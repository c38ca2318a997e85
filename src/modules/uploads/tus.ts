import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { Metadata, Server, TUS_RESUMABLE, type Upload } from '@tus/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, problemFor } from '../../http/problem.ts';
import { text } from '../../shared/schemas.ts';
import { requestContext } from '../identity/index.ts';
import { transcodeJobSchema, transcodeJobView } from '../media/index.ts';
import {
  TusVersionRequired,
  UploadInvalid,
  UploadNotFound,
  UploadContentType,
  UploadTooLarge,
} from './uploads.errors.ts';
import type { SharedLocker } from './shared-locker.ts';
import type { UploadsService } from './uploads.service.ts';

/**
 * Resumable uploads with the tus protocol 1.0 (https://tus.io/protocols/resumable-upload), served
 * by @tus/server inside Fastify: Fastify authenticates and checks what it can answer as a
 * problem+json, then hands the raw request to tus (the body is never parsed or buffered).
 */

export const TUS_PATH = '/api/videos/tus';
const OCTET_STREAM = 'application/offset+octet-stream';
const UPLOAD_ID = /^[0-9a-f]{32}$/;
/** Partial uploads nobody resumed for this long are deleted. */
const EXPIRE_AFTER_MS = 24 * 60 * 60 * 1000;
const CLEANUP_EVERY_MS = 60 * 60 * 1000;

export interface TusRoutesOptions {
  uploads: UploadsService;
  maxBytes: number;
  /** Where partial uploads live (config.dataDir/uploads/tus). */
  directory: string;
  corsOrigins: readonly string[];
  /** Shared by every instance, so an upload resumes through any of them. */
  locker: SharedLocker;
}

const tags = ['uploads'];
const uploadParams = z.object({ id: z.string().regex(UPLOAD_ID).describe('From the Location of the POST') });
const byteCount = z.string().regex(/^\d{1,20}$/, 'must be a number of bytes');
const tusHeaders = z.looseObject({
  // Any text: a missing or other version is answered 412 with Tus-Version, as tus requires.
  'tus-resumable': text({ max: 20 }).optional().describe('Must be 1.0.0'),
});

/** Who may resume an upload: whoever created it. */
const ownerOf = (request: FastifyRequest) =>
  request.actor?.kind === 'user'
    ? `user:${request.actor.userId}`
    : request.actor?.kind === 'api_key'
      ? `key:${request.actor.keyId}`
      : 'anonymous';

export const tusRoutes: FastifyPluginAsyncZod<TusRoutesOptions> = async (app, options) => {
  const { uploads, directory } = options;
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: EXPIRE_AFTER_MS });
  // tus hooks receive the raw request; this leads back to Fastify's (its actor, id and logger).
  const fastifyRequests = new WeakMap<object, FastifyRequest>();
  const requestOf = (raw: object | undefined) => {
    const request = raw && fastifyRequests.get(raw);
    if (!request) throw new Error('tus request without its Fastify request');
    return request;
  };

  await options.locker.start();
  app.addHook('onClose', () => options.locker.stop());
  const tus = new Server({
    path: TUS_PATH,
    datastore,
    locker: options.locker,
    maxSize: options.maxBytes,
    relativeLocation: true,
    respectForwardedHeaders: false,
    allowedOrigins: [...options.corsOrigins],
    allowedCredentials: options.corsOrigins.length > 0,
    disableTerminationForFinishedUploads: true,
    async onUploadCreate(req, upload) {
      const request = requestOf(req.runtime?.node?.req);
      return { metadata: { ...upload.metadata, uploadedBy: ownerOf(request) } };
    },
    // Runs once the last byte is written, before tus answers the final PATCH (or POST).
    async onUploadFinish(req, upload) {
      const request = requestOf(req.runtime?.node?.req);
      try {
        const asset = await uploads.ingest({
          itemId: upload.metadata?.['itemId'] ?? '',
          videoPath: path.join(directory, upload.id),
          clientName: upload.metadata?.['filename'] ?? '',
          bytes: upload.offset,
          subtitles: [],
          uploadedBy: request.actor?.kind === 'user' ? request.actor.userId : null,
          context: requestContext(request),
        });
        // tus says 204, but its clients accept any 2xx: the job is worth returning.
        return {
          status_code: 200,
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify(transcodeJobView(asset)),
        };
      } catch (error) {
        const problem = problemFor(error, request);
        if (problem.status >= 500) request.log.error({ err: error }, 'finishing a tus upload failed');
        return {
          status_code: problem.status,
          headers: { 'Content-Type': PROBLEM_CONTENT_TYPE },
          body: JSON.stringify(problem),
        };
      } finally {
        // Stored (or refused): the partial file has served its purpose either way.
        await datastore.remove(upload.id).catch(() => undefined);
      }
    },
  });

  const cleanup = setInterval(() => {
    tus.cleanUpExpiredUploads().catch((error: unknown) => {
      app.log.warn({ err: error }, 'removing expired tus uploads failed');
    });
  }, CLEANUP_EVERY_MS);
  cleanup.unref();
  app.addHook('onClose', () => clearInterval(cleanup));

  // tus reads the body itself, as a stream: Fastify must leave it alone.
  app.addContentTypeParser(OCTET_STREAM, (_request, _payload, done) => {
    done(null);
  });

  /** What Fastify checks before tus sees the request, so refusals are problem+json like everywhere else. */
  async function preconditions(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.headers['tus-resumable'] !== TUS_RESUMABLE) {
      reply.header('tus-version', TUS_RESUMABLE);
      throw TusVersionRequired();
    }
    if (request.method === 'PATCH' && request.headers['content-type'] !== OCTET_STREAM) {
      throw UploadContentType(`Send the bytes as ${OCTET_STREAM}`);
    }
    const id = (request.params as { id?: string }).id;
    if (id !== undefined) {
      const upload: Upload | undefined = UPLOAD_ID.test(id)
        ? await datastore.getUpload(id).catch(() => undefined)
        : undefined;
      if (!upload || upload.metadata?.['uploadedBy'] !== ownerOf(request)) throw UploadNotFound();
      return;
    }
    if (request.method !== 'POST') return;
    let metadata: Record<string, string | null>;
    try {
      metadata = Metadata.parse(String(request.headers['upload-metadata'] ?? ''));
    } catch {
      throw UploadInvalid('Upload-Metadata is not "key base64value" pairs separated by commas');
    }
    if (!metadata['filename']) throw UploadInvalid('Upload-Metadata must carry a filename');
    await uploads.findItem(metadata['itemId'] ?? '');
    if (request.headers['upload-concat'] !== undefined) throw UploadInvalid('Concatenation is not supported');
    const length = Number(request.headers['upload-length']);
    if (Number.isFinite(length) && length > options.maxBytes) {
      throw UploadTooLarge(`A video may be at most ${options.maxBytes} bytes`, {
        maxBytes: options.maxBytes,
      });
    }
  }

  async function handOverToTus(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    fastifyRequests.set(request.raw, request);
    // Headers set by earlier hooks (request id, security headers, CORS) live on the reply until it
    // is sent; a hijacked reply is never sent, so they go on the raw response now.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value);
    }
    reply.hijack();
    try {
      await tus.handle(request.raw, reply.raw);
    } catch (error) {
      request.log.error({ err: error }, 'tus failed');
      if (!reply.raw.headersSent) {
        const problem = problemFor(error, request);
        reply.raw.writeHead(problem.status, { 'content-type': PROBLEM_CONTENT_TYPE });
        reply.raw.end(JSON.stringify(problem));
      } else {
        reply.raw.destroy();
      }
    }
  }

  app.post(
    TUS_PATH,
    {
      config: { access: { permission: 'content:write' } },
      preHandler: preconditions,
      schema: {
        operationId: 'startTusUpload',
        tags,
        summary: 'Start a resumable (tus 1.0) upload; Upload-Metadata carries itemId and filename',
        description:
          'tus creation (https://tus.io/protocols/resumable-upload#creation): send `Tus-Resumable: 1.0.0`, ' +
          "`Upload-Length` and `Upload-Metadata: itemId <base64>,filename <base64>`. The answer's `Location` " +
          'is the upload to PATCH; HEAD on it tells the offset to resume from. The PATCH that completes the ' +
          'upload answers 200 with the transcode job (or 415 problem+json when the file is not a video).',
        headers: tusHeaders.extend({
          'upload-length': byteCount.optional().describe(`At most ${options.maxBytes} bytes`),
          'upload-metadata': text({ max: 4096 })
            .optional()
            .describe('itemId and filename, base64 (tus): `itemId <base64>,filename <base64>`'),
        }),
        response: { 201: z.undefined().describe('Created; the Location header names the upload') },
      },
    },
    handOverToTus,
  );

  app.patch(
    `${TUS_PATH}/:id`,
    {
      config: { access: { permission: 'content:write' } },
      preHandler: preconditions,
      schema: {
        operationId: 'sendTusUploadBytes',
        tags,
        summary: 'Send bytes of a resumable upload from Upload-Offset (application/offset+octet-stream)',
        params: uploadParams,
        headers: tusHeaders.extend({ 'upload-offset': byteCount.optional() }),
        response: {
          200: transcodeJobSchema.describe('The last bytes arrived: the video is queued for transcoding'),
          204: z.undefined().describe('Bytes stored; Upload-Offset says how many in all'),
        },
      },
    },
    handOverToTus,
  );

  app.delete(
    `${TUS_PATH}/:id`,
    {
      config: { access: { permission: 'content:write' } },
      preHandler: preconditions,
      schema: {
        operationId: 'abandonTusUpload',
        tags,
        summary: 'Abandon a resumable upload (tus termination)',
        params: uploadParams,
        headers: tusHeaders,
        response: { 204: z.undefined() },
      },
    },
    handOverToTus,
  );

  // HEAD answers with headers only, which the OpenAPI sweep cannot read as a problem: documented
  // in the POST's description instead.
  app.route({
    method: 'HEAD',
    url: `${TUS_PATH}/:id`,
    config: { access: { permission: 'content:write' } },
    preHandler: preconditions,
    schema: { hide: true, params: uploadParams },
    handler: handOverToTus,
  });

  // CORS preflight and tus discovery (supported versions, extensions, max size): no credentials.
  for (const url of [TUS_PATH, `${TUS_PATH}/:id`]) {
    app.route({
      method: 'OPTIONS',
      url,
      config: { access: 'public' },
      schema: { hide: true },
      handler: handOverToTus,
    });
  }
};
