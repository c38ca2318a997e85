import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext } from '../identity/index.ts';
import { transcodeJobSchema, transcodeJobView } from '../media/index.ts';
import { readUploadForm } from './multipart-form.ts';
import { UploadContentType } from './uploads.errors.ts';
import { MAX_SUBTITLES, subtitleLabel, subtitleLanguage, type UploadsService } from './uploads.service.ts';

export interface UploadRoutesOptions {
  uploads: UploadsService;
  maxBytes: number;
}

const tags = ['uploads'];

// Documentation only: the form is checked part by part while it streams (multipart-form.ts).
const uploadForm = z.object({
  itemId: z.uuid().describe('The movie or episode the video is for. Must come before `file`.'),
  file: z.string().meta({ format: 'binary' }).describe('The video (any container ffprobe reads)'),
  subtitleLanguage: subtitleLanguage
    .optional()
    .describe('Language tag ("en", "pt-BR") of the next `subtitles` file; repeat before each one'),
  subtitleLabel: subtitleLabel.optional().describe('Name players show for the next `subtitles` file'),
  subtitles: z
    .array(z.string().meta({ format: 'binary' }))
    .optional()
    .describe(`Up to ${MAX_SUBTITLES} SRT (*.srt) or WebVTT (*.vtt) files`),
});

export const uploadRoutes: FastifyPluginAsyncZod<UploadRoutesOptions> = async (app, options) => {
  const { uploads } = options;

  // Registered here only: no other route accepts multipart bodies.
  await app.register(multipart, {
    limits: {
      fileSize: options.maxBytes,
      files: 1 + MAX_SUBTITLES,
      fields: 4 + 2 * MAX_SUBTITLES,
      fieldSize: 1024,
      parts: 1 + 3 * MAX_SUBTITLES + 4,
      headerPairs: 50,
    },
  });

  // Refused before the body was read (unknown item, too large): close the connection rather than
  // let Node read and discard what may be gigabytes more.
  app.addHook('onError', async (request, reply) => {
    if (!request.raw.complete) reply.header('connection', 'close');
  });

  app.post(
    '/api/videos/upload',
    {
      config: { access: { permission: 'content:write' } },
      // The body is a stream: readUploadForm validates each part as it arrives.
      validatorCompiler: () => (value: unknown) => ({ value }),
      schema: {
        operationId: 'uploadVideo',
        tags,
        summary:
          'Upload a video (multipart/form-data: itemId first, then file; optional subtitles, each after its subtitleLanguage/subtitleLabel)',
        description:
          'Streams the file to disk (never into memory), checks it is a video with ffprobe, stores it and queues ' +
          'its transcode; the item shows as `processing`. Parts are read in order, so `itemId` MUST come before ' +
          '`file` (an unknown item is refused before the file is read), and each `subtitles` file (SRT or WebVTT) ' +
          'takes the `subtitleLanguage` and optional `subtitleLabel` fields sent just before it. ' +
          'For large files or unreliable networks use the resumable tus endpoint, /api/videos/tus.',
        consumes: ['multipart/form-data'],
        body: uploadForm,
        response: { 202: transcodeJobSchema },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw UploadContentType('Send the video as multipart/form-data');
      const scratch = await uploads.scratchDir();
      try {
        const form = await readUploadForm({ request, dir: scratch.dir, uploads, maxBytes: options.maxBytes });
        const asset = await uploads.ingest({
          itemId: form.itemId,
          videoPath: form.video.path,
          clientName: form.video.clientName,
          bytes: form.video.bytes,
          subtitles: form.subtitles,
          uploadedBy: request.actor?.kind === 'user' ? request.actor.userId : null,
          context: requestContext(request),
        });
        return await reply.status(202).send(transcodeJobView(asset));
      } finally {
        await scratch.remove();
      }
    },
  );
};
