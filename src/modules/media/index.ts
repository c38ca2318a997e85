// The media pipeline: probe → ladder → one ffmpeg encode → AES-128 HLS package. Most callers
// need only transcodeToEncryptedHls; the steps are exported for jobs that redo one of them.
export { transcodeToEncryptedHls } from './transcode.ts';
export type {
  SubtitleInput,
  ThumbnailsManifest,
  TranscodeManifest,
  TranscodeOptions,
  TranscodeRequest,
  TranscodeResult,
} from './transcode.ts';

export { probeMedia } from './probe.ts';
export type { AudioStreamProbe, MediaProbe, SubtitleStreamProbe, VideoStreamProbe } from './probe.ts';
export {
  chooseLadder,
  DEFAULT_AUDIO_BITRATE_KBPS,
  DEFAULT_RUNGS,
  TIER_MAX_HEIGHT,
  tierFor,
} from './ladder.ts';
export type { AudioRendition, Ladder, QualityTier, RungSpec, VideoRendition } from './ladder.ts';
export {
  buildHlsEncodeArgs,
  buildPosterArgs,
  buildSpriteArgs,
  buildSubtitleArgs,
  DEFAULT_PRESET,
  DEFAULT_SEGMENT_SECONDS,
} from './ffmpeg-args.ts';
export { runFfmpeg } from './ffmpeg.runner.ts';
export type { ProgressListener, RunFfmpegOptions } from './ffmpeg.runner.ts';
export { DEFAULT_KEY_URI_PREFIX, MASTER_PLAYLIST, packageEncryptedHls } from './hls-package.ts';
export type {
  AudioTrackManifest,
  HlsManifest,
  PackageOptions,
  PreparedSubtitle,
  RenditionManifest,
  SubtitleTrackManifest,
} from './hls-package.ts';
export type { ContentKey } from './content-keys.ts';
export { unwrapKey, wrapKey } from './key-wrap.ts';
export {
  KeyUnwrapFailed,
  MediaNotAVideo,
  MediaToolUnavailable,
  MediaUnreadable,
  SubtitleUnreadable,
  TranscodeFailed,
} from './media.errors.ts';
export { AssetNotFound, AssetStateConflict } from './media.errors.ts';
export {
  createMediaService,
  MediaService,
  MEDIA_EVENTS_CHANNEL,
  type MediaEvent,
  type SourceUpload,
} from './media.service.ts';
export type { AssetRow, SubtitleSource } from './assets.repository.ts';
export { mediaRoutes, transcodeJobSchema, transcodeJobView } from './media.routes.ts';
export { loadMasterKey } from './master-key.ts';
export { demoVideos, seedDemoVideos, type DemoVideoReport } from './demo-videos.ts';
