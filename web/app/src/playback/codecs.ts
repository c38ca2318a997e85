/**
 * What this browser decodes beyond H.264, for startPlayback's `codecs`: the stream's master
 * playlist then lists the HEVC copies too. The player plays through hls.js (Media Source
 * Extensions), so MSE decides; 1080p Main at level 4 is the smallest HEVC variant we package.
 */
const HEVC_PROBE = 'video/mp4; codecs="hvc1.1.6.L120.90"';

export function decodableCodecs(): Array<'hevc'> {
  const mse = typeof MediaSource === 'undefined' ? undefined : MediaSource;
  return mse?.isTypeSupported(HEVC_PROBE) ? ['hevc'] : [];
}
