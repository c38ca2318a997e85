/**
 * Seek-preview thumbnails: small frames tiled into JPEG sprite sheets, and a WebVTT track whose
 * cues point into them with media fragments (`sprite-0001.jpg#xywh=x,y,w,h`), the format
 * video.js, Vidstack, Shaka and JW Player read. Pure.
 */

export interface ThumbnailPlan {
  intervalSeconds: number;
  width: number;
  height: number;
  columns: number;
  rows: number;
  /** Frames expected: one per interval, starting at 0. */
  count: number;
  sheets: number;
}

const DEFAULT_INTERVAL_SECONDS = 5;
/** Past this many frames the interval grows, so a four-hour film doesn't need 3,000 of them. */
const DEFAULT_MAX_THUMBNAILS = 1000;

export function planThumbnails(options: {
  durationSeconds: number;
  displayWidth: number;
  displayHeight: number;
  intervalSeconds?: number;
  width?: number;
  columns?: number;
  rows?: number;
  maxThumbnails?: number;
}): ThumbnailPlan {
  const { durationSeconds, width = 160, columns = 10, rows = 10 } = options;
  const maxThumbnails = options.maxThumbnails ?? DEFAULT_MAX_THUMBNAILS;
  // Whole seconds: ffmpeg's fps filter takes the rate as 1/<interval>.
  const intervalSeconds = Math.max(
    1,
    Math.ceil(options.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS),
    Math.ceil(durationSeconds / maxThumbnails),
  );
  const height = Math.max(2, Math.round((width * options.displayHeight) / options.displayWidth / 2) * 2);
  const count = Math.max(1, Math.ceil(durationSeconds / intervalSeconds));
  return {
    intervalSeconds,
    width,
    height,
    columns,
    rows,
    count,
    sheets: Math.ceil(count / (columns * rows)),
  };
}

export function spriteFileName(sheet: number): string {
  return `sprite-${String(sheet).padStart(4, '0')}.jpg`;
}

/** The WebVTT thumbnails track; sprite URLs are relative to the track's own location. */
export function renderThumbnailsVtt(options: { plan: ThumbnailPlan; durationSeconds: number }): string {
  const { plan, durationSeconds } = options;
  const perSheet = plan.columns * plan.rows;
  const lines = ['WEBVTT', ''];
  for (let index = 0; index < plan.count; index++) {
    const start = index * plan.intervalSeconds;
    const end = Math.min(durationSeconds, start + plan.intervalSeconds);
    const tile = index % perSheet;
    const x = (tile % plan.columns) * plan.width;
    const y = Math.floor(tile / plan.columns) * plan.height;
    const sheet = Math.floor(index / perSheet) + 1;
    lines.push(
      `${vttTime(start)} --> ${vttTime(end)}`,
      `${spriteFileName(sheet)}#xywh=${x},${y},${plan.width},${plan.height}`,
      '',
    );
  }
  return lines.join('\n');
}

export function vttTime(seconds: number): string {
  const totalMs = Math.round(seconds * 1000);
  const hours = Math.floor(totalMs / 3_600_000);
  const minutes = Math.floor((totalMs % 3_600_000) / 60_000);
  const secs = Math.floor((totalMs % 60_000) / 1000);
  const ms = totalMs % 1000;
  const pad = (value: number, size = 2) => String(value).padStart(size, '0');
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}.${pad(ms, 3)}`;
}
