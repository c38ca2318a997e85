import type { Ladder, RungSpec } from '../media/index.ts';

/**
 * Ad creatives get a small progressive-MP4 set (what VAST MediaFiles and any ad player play
 * directly, no key server): the media pipeline's ladder decides the sizes (never upscaling),
 * this builds one ffmpeg run that writes every rendition.
 */
export const CREATIVE_RUNGS: readonly RungSpec[] = Object.freeze([
  { p: 360, videoBitrateKbps: 700 },
  { p: 720, videoBitrateKbps: 1800 },
]);

/** Ads are short: anything longer is refused before it is stored. */
export const MAX_CREATIVE_SECONDS = 120;

export interface CreativeOutput {
  width: number;
  height: number;
  bitrateKbps: number;
  /** File name inside the creative's folder. */
  file: string;
}

export function creativeOutputs(ladder: Ladder): CreativeOutput[] {
  return ladder.video.map((rendition) => ({
    width: rendition.width,
    height: rendition.height,
    bitrateKbps: rendition.videoBitrateKbps,
    file: `${rendition.height}p.mp4`,
  }));
}

/**
 * ffmpeg arguments: H.264 baseline-compatible Main profile + AAC, +faststart so a browser starts
 * playing before the whole file has arrived. A source without audio gets a silent track, since
 * ad players expect one.
 */
export function buildCreativeArgs(options: {
  input: string;
  outputDir: string;
  ladder: Ladder;
  hasAudio: boolean;
  preset: string;
}): string[] {
  const { ladder } = options;
  const args = ['-hide_banner', '-nostdin', '-y', '-i', options.input];
  if (!options.hasAudio) args.push('-f', 'lavfi', '-i', 'anullsrc=channel_layout=stereo:sample_rate=48000');
  const audioInput = options.hasAudio ? '0:a:0' : '1:a:0';
  for (const rendition of ladder.video) {
    args.push(
      '-map',
      '0:v:0',
      '-map',
      audioInput,
      '-vf',
      `scale=${rendition.width}:${rendition.height},fps=${ladder.frameRate},format=yuv420p`,
      '-c:v',
      'libx264',
      '-profile:v',
      'main',
      '-preset',
      options.preset,
      '-b:v',
      `${rendition.videoBitrateKbps}k`,
      '-maxrate',
      `${rendition.maxrateKbps}k`,
      '-bufsize',
      `${rendition.bufsizeKbps}k`,
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ac',
      '2',
      '-shortest',
      '-movflags',
      '+faststart',
      `${options.outputDir}/${rendition.height}p.mp4`,
    );
  }
  return args;
}
