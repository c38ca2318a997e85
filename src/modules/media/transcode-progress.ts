/**
 * Where each step of a transcode sits in its overall 0–100 progress. Pure: table-tested in
 * transcode-progress.test.ts.
 *
 * The shares follow the time each step took for a 4 s 1080p clip through the default ladder at
 * the default preset (veryfast, on a loaded 2-core machine): H.264 encode 14 s, its quality step
 * 5 s, the x265 copy of the 1080p rung 16 s, that copy's quality step 1.6 s, thumbnails and
 * packaging under 1 s. Without HEVC the shares are the H.264 encode's 80 % as before; with it
 * the encode's and the quality step's shares are split with the x265 run, so the bar keeps moving
 * through the HEVC encode instead of standing still at the quality step's end.
 */

/** A step's share of the overall progress: from `start` to `end` percent. */
export interface ProgressSpan {
  readonly start: number;
  readonly end: number;
}

export interface ProgressPlan {
  /** The H.264 ladder (one ffmpeg). */
  readonly encode: ProgressSpan;
  /** SSIM and PSNR of the H.264 rungs. */
  readonly quality: ProgressSpan;
  /** The HEVC copies of the top rungs (empty without them). */
  readonly hevc: ProgressSpan;
  /** SSIM and PSNR of the HEVC copies (empty without them). */
  readonly hevcQuality: ProgressSpan;
  readonly thumbnails: ProgressSpan;
  /** Encryption and playlists. */
  readonly package: ProgressSpan;
}

const span = (start: number, end: number): ProgressSpan => Object.freeze({ start, end });

const H264_ONLY: ProgressPlan = Object.freeze({
  encode: span(0, 80),
  quality: span(80, 90),
  hevc: span(90, 90),
  hevcQuality: span(90, 90),
  thumbnails: span(90, 97),
  package: span(97, 100),
});

const WITH_HEVC: ProgressPlan = Object.freeze({
  encode: span(0, 35),
  quality: span(35, 45),
  hevc: span(45, 86),
  hevcQuality: span(86, 90),
  thumbnails: span(90, 97),
  package: span(97, 100),
});

/** The plan for a transcode that will (or will not) encode HEVC copies. */
export function planProgress(options: { hevc: boolean }): ProgressPlan {
  return options.hevc ? WITH_HEVC : H264_ONLY;
}

/** A step's own 0–100 mapped into its span of the overall progress. */
export function withinSpan(
  progressSpan: ProgressSpan,
  report: (percent: number) => void,
): (percent: number) => void {
  return (percent) =>
    report(
      progressSpan.start +
        (Math.min(100, Math.max(0, percent)) * (progressSpan.end - progressSpan.start)) / 100,
    );
}
