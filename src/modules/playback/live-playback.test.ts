import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { liveVariants, liveVariantsFitting } from './live-playback.ts';

// What ffmpeg's HLS muxer writes for a two-rung live ladder (master_pl_name, var_stream_map).
const master = [
  '#EXTM3U',
  '#EXT-X-VERSION:6',
  '#EXT-X-STREAM-INF:BANDWIDTH=455400,RESOLUTION=320x180,CODECS="avc1.64000d,mp4a.40.2"',
  '0/index.m3u8',
  '',
  '#EXT-X-STREAM-INF:BANDWIDTH=270600,RESOLUTION=160x90,CODECS="avc1.64000b,mp4a.40.2"',
  '1/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=1000',
  'unmeasured/index.m3u8',
  '',
].join('\n');

describe('live variants', () => {
  it('reads each variant’s playlist, size and bandwidth; one without RESOLUTION is left out', () => {
    assert.deepEqual(liveVariants(master), [
      { playlist: '0/index.m3u8', width: 320, height: 180, bandwidth: 455400 },
      { playlist: '1/index.m3u8', width: 160, height: 90, bandwidth: 270600 },
    ]);
  });

  for (const [maxHeight, playlists] of [
    [480, ['0/index.m3u8', '1/index.m3u8']],
    [120, ['1/index.m3u8']],
    [60, []],
  ] as const)
    it(`a plan capped at ${maxHeight}p plays ${playlists.length} rung(s)`, () =>
      assert.deepEqual(
        liveVariantsFitting(master, maxHeight).map((variant) => variant.playlist),
        playlists,
      ));
});
