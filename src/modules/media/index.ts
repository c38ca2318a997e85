// The media pipeline: probe → ladder → one ffmpeg encode → AES-128 HLS package. Most callers
// need only transcodeToEncryptedHls; the steps are exported for jobs that redo one of them.
export { transcodeToEncryptedHls } from './transcode.ts';
export type {
  SubtitleInput,
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
export type { ProgressListener, RunFfmpegOptions } from './ffmpeg.runner.ts';
export { isHevcCodecs, type HevcMode } from './hevc.ts';
export { ffmpegTools, type MediaTools } from './media-tools.ts';
// Scene changes (ffmpeg scdet) and the ad cue points they suggest.
export {
  buildSceneDetectArgs,
  detectSceneChanges,
  parseSceneChanges,
  proposeCuePoints,
  type SceneChange,
} from './scene-changes.ts';
export { DEFAULT_KEY_URI_PREFIX, MASTER_PLAYLIST, packageEncryptedHls } from './hls-package.ts';
export type { HlsManifest, PackageOptions, PreparedSubtitle } from './hls-package.ts';
// Packages and keys: what playback and downloads ask media for (the master key never leaves).
export {
  parsePackageManifest,
  type AudioTrackManifest,
  type PackageManifest,
  type RenditionManifest,
  type SubtitleTrackManifest,
  type ThumbnailsManifest,
} from './package-manifest.ts';
export { MediaPackages, type MediaPackage } from './media-packages.ts';
export { MediaKeys, type DeliveredKey } from './media-keys.ts';
export type { ContentKey } from './content-keys.ts';
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
  createMediaKeys,
  createMediaService,
  MediaService,
  type Media,
  type SourceUpload,
} from './media.service.ts';
export { MEDIA_EVENTS_CHANNEL, type MediaEvent } from './media-events.ts';
export { JobEventsHub } from './job-events.ts';
export { CLAIM_LEASE_SECONDS } from './transcode-job.ts';
export {
  PackageRetention,
  type PackageRetentionDeps,
  type PackagesInUse,
  type RetentionReport,
} from './package-retention.ts';
export type { AssetRow, SubtitleSource } from './assets.repository.ts';
export { mediaRoutes, transcodeJobSchema, transcodeJobView } from './media.routes.ts';
export { demoVideos, seedDemoVideos, type DemoVideoReport } from './demo-videos.ts';
