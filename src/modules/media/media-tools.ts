import { runFfmpeg, type RunFfmpegOptions } from './ffmpeg.runner.ts';
import { probeMedia, type MediaProbe, type ProbeOptions } from './probe.ts';

/**
 * The port to the media tools: every ffmpeg and ffprobe process the pipeline starts goes through
 * it, so the pipeline is logic over one injected dependency (STYLE.md §2, §7). Argument building
 * stays in the pure builders (ffmpeg-args.ts); this only runs them.
 */
export interface MediaTools {
  /** Reads a local file's streams (MEDIA_UNREADABLE, MEDIA_NOT_A_VIDEO, MEDIA_TOOL_UNAVAILABLE). */
  probe(options: Omit<ProbeOptions, 'ffprobePath'>): Promise<MediaProbe>;
  /** Runs ffmpeg once with these arguments (MEDIA_TRANSCODE_FAILED with its reason). */
  ffmpeg(options: Omit<RunFfmpegOptions, 'ffmpegPath'>): Promise<void>;
}

/** The real adapter: the ffmpeg and ffprobe binaries named by config (TRANSCODE_FFMPEG_PATH…). */
export function ffmpegTools(paths: { ffmpegPath: string; ffprobePath: string }): MediaTools {
  return {
    probe: (options) => probeMedia({ ...options, ffprobePath: paths.ffprobePath }),
    ffmpeg: (options) => runFfmpeg({ ...options, ffmpegPath: paths.ffmpegPath }),
  };
}
