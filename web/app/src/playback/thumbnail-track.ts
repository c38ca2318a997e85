/**
 * Seek previews: reading the media pipeline's thumbnails track (a WebVTT file whose cues name a
 * sprite sheet region, `sprite-0001.jpg#xywh=x,y,w,h` — src/modules/media/thumbnails.ts) into
 * cues, and finding the one for a time. Pure.
 */

export interface ThumbnailCue {
  start: number;
  end: number;
  /** The sprite sheet, resolved against the track's own URL. */
  url: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `HH:MM:SS.mmm` or `MM:SS.mmm` in seconds; NaN when it is neither. */
export function vttSeconds(text: string): number {
  const parts = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/.exec(text.trim());
  if (!parts) return Number.NaN;
  return Number(parts[1] ?? 0) * 3600 + Number(parts[2]) * 60 + Number(parts[3]) + Number(parts[4]) / 1000;
}

export function parseThumbnailTrack(vtt: string, trackUrl: string): ThumbnailCue[] {
  const cues: ThumbnailCue[] = [];
  const lines = vtt.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const timing = /^(\S+)\s+-->\s+(\S+)/.exec(lines[index] ?? '');
    if (!timing) continue;
    const start = vttSeconds(timing[1] ?? '');
    const end = vttSeconds(timing[2] ?? '');
    const target = /^(.+)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec((lines[index + 1] ?? '').trim());
    if (Number.isNaN(start) || Number.isNaN(end) || !target) continue;
    cues.push({
      start,
      end,
      url: new URL(target[1] ?? '', trackUrl).toString(),
      x: Number(target[2]),
      y: Number(target[3]),
      width: Number(target[4]),
      height: Number(target[5]),
    });
  }
  return cues;
}

/** The cue showing at `seconds` (cues are in order); the last one past the end. */
export function thumbnailAt(cues: readonly ThumbnailCue[], seconds: number): ThumbnailCue | null {
  let low = 0;
  let high = cues.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const cue = cues[middle]!;
    if (seconds < cue.start) high = middle - 1;
    else if (seconds >= cue.end) low = middle + 1;
    else return cue;
  }
  const last = cues.at(-1);
  return last && seconds >= last.start ? last : null;
}
