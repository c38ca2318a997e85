import { defineError } from '../../shared/errors.ts';

/**
 * Errors of the media pipeline. Each carries the tool's own reason in `extensions.reason`
 * (server paths replaced by the file's base name, so a problem+json never leaks the work dir).
 */
export const MediaUnreadable = defineError(
  'MEDIA_UNREADABLE',
  'unsupported_media',
  'The file could not be read as audio or video',
);
export const MediaNotAVideo = defineError('MEDIA_NOT_A_VIDEO', 'unsupported_media', 'The file has no video');
export const SubtitleUnreadable = defineError(
  'MEDIA_SUBTITLE_UNREADABLE',
  'unsupported_media',
  'The subtitle file could not be read as SRT or WebVTT',
);
export const TranscodeFailed = defineError('MEDIA_TRANSCODE_FAILED', 'internal', 'Transcoding failed');
export const MediaToolUnavailable = defineError(
  'MEDIA_TOOL_UNAVAILABLE',
  'unavailable',
  'ffmpeg or ffprobe could not be started',
);
export const KeyUnwrapFailed = defineError(
  'MEDIA_KEY_UNWRAP_FAILED',
  'internal',
  'A stored content key could not be decrypted',
);
export const AssetNotFound = defineError('MEDIA_ASSET_NOT_FOUND', 'not_found', 'No such video asset');
export const AssetStateConflict = defineError(
  'MEDIA_ASSET_STATE_CONFLICT',
  'conflict',
  'The transcode is not in a state that allows this',
);
