import { defineError } from '../../shared/errors.ts';

export const UploadContentType = defineError(
  'UPLOAD_CONTENT_TYPE',
  'unsupported_media',
  'This upload endpoint does not take that content type',
);
export const UploadInvalid = defineError('UPLOAD_INVALID', 'invalid', 'The upload request is not valid');
export const UploadMissingFile = defineError(
  'UPLOAD_MISSING_FILE',
  'invalid',
  'The upload has no video file',
);
export const UploadTooLarge = defineError(
  'UPLOAD_TOO_LARGE',
  'too_large',
  'The file is larger than this server accepts',
);
export const SubtitleNotAccepted = defineError(
  'UPLOAD_SUBTITLE_NOT_ACCEPTED',
  'unsupported_media',
  'Subtitles must be SRT or WebVTT files',
);
export const UploadNotFound = defineError(
  'UPLOAD_NOT_FOUND',
  'not_found',
  'No such resumable upload (it may have finished or expired)',
);
export const TusVersionRequired = defineError(
  'UPLOAD_TUS_VERSION_REQUIRED',
  'precondition_failed',
  'Send "Tus-Resumable: 1.0.0" (https://tus.io/protocols/resumable-upload)',
);
