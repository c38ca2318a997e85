import { z } from 'zod';

/**
 * The manifest of a published package: what was encoded and where each playlist sits, as stored
 * in video_assets.manifest (without the keys, which live wrapped in content_keys only). Declared
 * once, as the schema the stored JSON is parsed with; the packager's types come from it.
 */

const tier = z.enum(['SD', 'HD', 'FHD', 'UHD']);

const renditionQualitySchema = z.object({ ssim: z.number(), psnr: z.number(), frames: z.number() });

/** How the ladder was chosen, and the rungs encoded but not packaged (no better than below). */
export const ladderManifestSchema = z.object({
  mode: z.enum(['fixed', 'content-aware']),
  dropped: z.array(
    z.object({ name: z.string(), width: z.number(), height: z.number(), quality: renditionQualitySchema }),
  ),
});

export const renditionManifestSchema = z.object({
  name: z.string(),
  width: z.number(),
  height: z.number(),
  tier,
  /**
   * The video codec: absent or 'avc' is H.264 (every player); 'hevc' is an fMP4 copy of a top
   * rung, offered only to clients that declare HEVC.
   */
  videoCodec: z.enum(['avc', 'hevc']).optional(),
  /** Peak bits/s with the largest audio rendition, as in the master playlist. */
  bandwidth: z.number(),
  averageBandwidth: z.number(),
  /** RFC 6381 codecs of the variant, audio included: 'avc1.64001f,mp4a.40.2'. */
  codecs: z.string(),
  frameRate: z.number(),
  /** Relative to the package root. */
  playlist: z.string(),
  segmentCount: z.number(),
  durationSeconds: z.number(),
  /** SSIM and PSNR against the source (the quality step); absent in packages made before it. */
  quality: renditionQualitySchema.optional(),
});

export const audioTrackManifestSchema = z.object({
  name: z.string(),
  language: z.string(),
  label: z.string(),
  channels: z.number(),
  isDefault: z.boolean(),
  bandwidth: z.number(),
  averageBandwidth: z.number(),
  playlist: z.string(),
  segmentCount: z.number(),
  durationSeconds: z.number(),
});

export const subtitleTrackManifestSchema = z.object({
  name: z.string(),
  language: z.string(),
  label: z.string(),
  isDefault: z.boolean(),
  forced: z.boolean(),
  playlist: z.string(),
  file: z.string(),
});

export const thumbnailsManifestSchema = z.object({
  /** WebVTT thumbnails track, relative to the package root. */
  track: z.string(),
  sprites: z.array(z.string()),
  intervalSeconds: z.number(),
  width: z.number(),
  height: z.number(),
  columns: z.number(),
  rows: z.number(),
});

export const packageManifestSchema = z.object({
  masterPlaylist: z.string(),
  renditions: z.array(renditionManifestSchema),
  audioTracks: z.array(audioTrackManifestSchema),
  subtitleTracks: z.array(subtitleTrackManifestSchema),
  segmentSeconds: z.number(),
  poster: z.string(),
  thumbnails: thumbnailsManifestSchema,
  /** Absent in packages made before content-aware ladders. */
  ladder: ladderManifestSchema.optional(),
});

export type RenditionManifest = z.infer<typeof renditionManifestSchema>;
export type AudioTrackManifest = z.infer<typeof audioTrackManifestSchema>;
export type SubtitleTrackManifest = z.infer<typeof subtitleTrackManifestSchema>;
export type ThumbnailsManifest = z.infer<typeof thumbnailsManifestSchema>;
export type PackageManifest = z.infer<typeof packageManifestSchema>;

/** A stored manifest, checked: a row that doesn't match is a bug or a bad migration, not a viewer's 4xx. */
export function parsePackageManifest(stored: unknown, assetId: string): PackageManifest {
  const parsed = packageManifestSchema.safeParse(stored);
  if (!parsed.success) {
    throw new Error(`the stored manifest of asset ${assetId} is invalid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
