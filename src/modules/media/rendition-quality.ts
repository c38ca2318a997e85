/**
 * The quality step's arithmetic: which frames to sample, and the scores from ffmpeg's per-frame
 * ssim/psnr stats files. Pure: table-tested in rendition-quality.test.ts.
 */

/** SSIM and PSNR of one rendition against its source, over the sampled frames. */
export interface RenditionQuality {
  /** Mean SSIM (Y, U, V weighted as ffmpeg's "All"), 0–1. */
  ssim: number;
  /** PSNR in dB of the mean squared error over the sampled frames; 100 for an exact match. */
  psnr: number;
  /** How many frames were compared. */
  frames: number;
}

export const DEFAULT_QUALITY_SAMPLE_FRAMES = 60;
/** PSNR of identical pictures is infinite; reported as this, which no lossy encode reaches. */
export const PSNR_CEILING = 100;

/** Compare every n-th frame so about `sampleFrames` frames are compared, never fewer than 1 step. */
export function qualitySampleStep(options: {
  durationSeconds: number;
  fps: number;
  sampleFrames: number;
}): number {
  const { durationSeconds, fps, sampleFrames } = options;
  if (!(sampleFrames >= 1)) throw new RangeError('sampleFrames must be ≥ 1');
  const frames = Math.max(1, Math.floor(durationSeconds * fps));
  return Math.max(1, Math.floor(frames / sampleFrames));
}

/** Lines of `key:value` pairs, as ffmpeg's ssim and psnr filters write their stats files. */
function statLines(text: string): Array<Map<string, string>> {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('n:'))
    .map((line) => {
      const fields = new Map<string, string>();
      for (const token of line.split(/\s+/)) {
        const separator = token.indexOf(':');
        if (separator > 0) fields.set(token.slice(0, separator), token.slice(separator + 1));
      }
      return fields;
    });
}

/** Mean of the "All" SSIM of each frame: `n:1 Y:0.99 U:0.99 V:0.99 All:0.99 (20.1)`. */
export function parseSsimStats(text: string): { ssim: number; frames: number } {
  const values = statLines(text).map((fields) => Number(fields.get('All')));
  if (values.length === 0 || values.some((value) => !Number.isFinite(value))) {
    throw new Error('the ssim stats file has no readable frames');
  }
  return { ssim: values.reduce((sum, value) => sum + value, 0) / values.length, frames: values.length };
}

/**
 * PSNR from the mean of each frame's `mse_avg` (as ffmpeg's own summary computes it, rather
 * than a mean of per-frame dB, which one perfect frame would make infinite). 8-bit: peak 255.
 */
export function parsePsnrStats(text: string): { psnr: number; frames: number } {
  const values = statLines(text).map((fields) => Number(fields.get('mse_avg')));
  if (values.length === 0 || values.some((value) => !Number.isFinite(value) || value < 0)) {
    throw new Error('the psnr stats file has no readable frames');
  }
  const mse = values.reduce((sum, value) => sum + value, 0) / values.length;
  const psnr = mse === 0 ? PSNR_CEILING : Math.min(PSNR_CEILING, 10 * Math.log10((255 * 255) / mse));
  return { psnr, frames: values.length };
}
