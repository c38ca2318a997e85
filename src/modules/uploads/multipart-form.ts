import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { subtitleFormatOf } from './file-names.ts';
import type { ReceivedSubtitle, UploadsService } from './uploads.service.ts';
import { MAX_SUBTITLES, SUBTITLE_MAX_BYTES } from './uploads.service.ts';
import { SubtitleNotAccepted, UploadInvalid, UploadMissingFile, UploadTooLarge } from './uploads.errors.ts';

export interface UploadForm {
  itemId: string;
  video: { path: string; clientName: string; bytes: number };
  subtitles: ReceivedSubtitle[];
}

/** Counts bytes through, failing once a limit is passed (busboy's limit is per request, for the video). */
function byteLimit(limit: number, onExceeded: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > limit ? onExceeded() : null, chunk);
    },
  });
}

/**
 * Reads an upload form part by part, streaming each file to `dir` (nothing is held in memory).
 * Fields apply to the files after them, so `itemId` must come before `file` — it is checked
 * before the video's first byte is written — and each `subtitleLanguage` (and optional
 * `subtitleLabel`) before the `subtitles` file it describes.
 */
export async function readUploadForm(options: {
  request: FastifyRequest;
  dir: string;
  uploads: UploadsService;
  maxBytes: number;
}): Promise<UploadForm> {
  const { request, dir, uploads } = options;
  let itemId: string | undefined;
  let video: UploadForm['video'] | undefined;
  const subtitles: ReceivedSubtitle[] = [];
  let pending: { language?: string; label?: string } = {};

  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : '';
        if (part.fieldname === 'itemId') {
          itemId = (await uploads.findItem(value.trim())).id;
        } else if (part.fieldname === 'subtitleLanguage') {
          pending.language = value.trim();
        } else if (part.fieldname === 'subtitleLabel') {
          pending.label = value;
        } else {
          throw UploadInvalid(`Unknown field "${part.fieldname.slice(0, 40)}"`);
        }
        continue;
      }
      if (part.fieldname === 'file') {
        if (!itemId) throw UploadInvalid('Send the itemId field before the file');
        if (video) throw UploadInvalid('Send one video file per upload');
        const target = path.join(dir, 'video');
        await pipeline(part.file, createWriteStream(target));
        video = { path: target, clientName: part.filename, bytes: part.file.bytesRead };
      } else if (part.fieldname === 'subtitles') {
        const format = subtitleFormatOf(part.filename);
        if (!format) throw SubtitleNotAccepted('Subtitle files must be named *.srt or *.vtt');
        if (subtitles.length >= MAX_SUBTITLES) throw UploadInvalid(`At most ${MAX_SUBTITLES} subtitle files`);
        const target = path.join(dir, `subtitle-${subtitles.length}.${format}`);
        const subtitle = uploads.subtitle({
          path: target,
          format,
          language: pending.language,
          label: pending.label,
        });
        await pipeline(
          part.file,
          byteLimit(SUBTITLE_MAX_BYTES, () =>
            UploadTooLarge(`A subtitle file may be at most ${SUBTITLE_MAX_BYTES} bytes`),
          ),
          createWriteStream(target),
        );
        subtitles.push(subtitle);
        pending = {};
      } else {
        throw UploadInvalid(`Unexpected file field "${part.fieldname.slice(0, 40)}"`);
      }
    }
  } catch (error) {
    if (error instanceof request.server.multipartErrors.RequestFileTooLargeError) {
      throw UploadTooLarge(`A video may be at most ${options.maxBytes} bytes`, {
        maxBytes: options.maxBytes,
      });
    }
    throw error;
  }
  if (!itemId) throw UploadInvalid('The itemId field is missing');
  if (!video) throw UploadMissingFile('Send the video as the "file" part');
  return { itemId, video, subtitles };
}
