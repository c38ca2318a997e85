import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildLiveHlsArgs, parseLiveRungs, type LiveHlsOptions } from './live-ffmpeg-args.ts';

const base: LiveHlsOptions = {
  inputUrl: 'rtmp://127.0.0.1:1935/live/live_abc',
  rungs: [
    { height: 180, videoBitrateKbps: 300 },
    { height: 90, videoBitrateKbps: 150 },
  ],
  outputDir: '/data/live/e1',
  segmentSeconds: 2,
  windowSegments: 3600,
  keyInfoPath: '/data/live/e1/key.info',
  hasAudio: true,
};
const valueAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('live ffmpeg arguments', () => {
  it('parses LIVE_RUNGS tallest first, and refuses what ffmpeg could not encode', () => {
    assert.deepEqual(parseLiveRungs('90:150, 180:300'), [
      { height: 180, videoBitrateKbps: 300 },
      { height: 90, videoBitrateKbps: 150 },
    ]);
    for (const bad of ['', '720', '721:2800', '720:2800,720:1000', 'abc:1'])
      assert.throws(() => parseLiveRungs(bad), RangeError, bad);
  });

  const cases: Array<[string, Partial<LiveHlsOptions>, (args: string[]) => void]> = [
    [
      'one split, each rung scaled but never upscaled',
      {},
      (args) =>
        assert.equal(
          valueAfter(args, '-filter_complex'),
          "[0:v]split=2[s0][s1];[s0]scale=-2:'min(ih,180)'[v0];[s1]scale=-2:'min(ih,90)'[v1]",
        ),
    ],
    [
      'keyframes on every segment boundary, no scene cuts',
      { segmentSeconds: 1 },
      (args) => {
        assert.equal(valueAfter(args, '-force_key_frames'), 'expr:gte(t,n_forced*1)');
        assert.equal(valueAfter(args, '-sc_threshold'), '0');
        assert.equal(valueAfter(args, '-hls_time'), '1');
      },
    ],
    [
      'the DVR window is the playlist length, old segments deleted, keys re-read per segment',
      { windowSegments: 30 },
      (args) => {
        assert.equal(valueAfter(args, '-hls_list_size'), '30');
        assert.match(valueAfter(args, '-hls_flags') ?? '', /delete_segments/);
        assert.match(valueAfter(args, '-hls_flags') ?? '', /periodic_rekey/);
        assert.equal(valueAfter(args, '-hls_key_info_file'), '/data/live/e1/key.info');
      },
    ],
    [
      'audio in every variant when the publisher sends it',
      {},
      (args) => assert.equal(valueAfter(args, '-var_stream_map'), 'v:0,a:0 v:1,a:1'),
    ],
    [
      'video-only variants for a silent publisher',
      { hasAudio: false },
      (args) => {
        assert.equal(valueAfter(args, '-var_stream_map'), 'v:0 v:1');
        assert.ok(!args.includes('0:a:0'));
        assert.ok(!args.includes('-c:a'));
      },
    ],
    [
      'peak and buffer per rung',
      {},
      (args) => {
        assert.equal(valueAfter(args, '-b:v:1'), '150k');
        assert.equal(valueAfter(args, '-maxrate:v:1'), '225k');
        assert.equal(valueAfter(args, '-bufsize:v:1'), '300k');
      },
    ],
    ['no recording unless asked', {}, (args) => assert.equal(args.at(-1), '/data/live/e1/%v/index.m3u8')],
    [
      'the recording: the published streams copied, flushed as they come, after the ladder',
      { recordingPath: '/data/live/e1/recording.ts' },
      (args) => {
        const recording = args.slice(args.indexOf('/data/live/e1/%v/index.m3u8') + 1);
        assert.deepEqual(recording, [
          ...['-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', '-flush_packets', '1'],
          ...['-f', 'mpegts', '/data/live/e1/recording.ts'],
        ]);
      },
    ],
    [
      'a silent publisher’s recording is video only',
      { recordingPath: '/data/live/e1/recording.ts', hasAudio: false },
      (args) => assert.deepEqual(args.slice(-9, -5), ['-map', '0:v:0', '-c', 'copy']),
    ],
    [
      'reads only the loopback RTMP stream',
      {},
      (args) => assert.equal(valueAfter(args, '-protocol_whitelist'), 'rtmp,tcp'),
    ],
    [
      'an SRT session reads only its loopback listener, appends to the playlists and leaves them open',
      { inputUrl: 'srt://127.0.0.1:40000?mode=listener', resumable: true },
      (args) => {
        assert.equal(valueAfter(args, '-protocol_whitelist'), 'srt,udp');
        assert.equal(valueAfter(args, '-analyzeduration'), '500000', 'half a second of probing, not 5 s');
        assert.match(valueAfter(args, '-hls_flags') ?? '', /\+append_list\+omit_endlist$/);
      },
    ],
  ];
  for (const [name, change, check] of cases) it(name, () => check(buildLiveHlsArgs({ ...base, ...change })));

  const refusals: Array<[string, Partial<LiveHlsOptions>]> = [
    ['no rung', { rungs: [] }],
    ['segments longer than 6 s', { segmentSeconds: 10 }],
    ['a window under 3 segments', { windowSegments: 2 }],
    ['a pattern character in the directory', { outputDir: '/tmp/%v' }],
    ['an input elsewhere than the loopback ingest', { inputUrl: 'rtmp://example.com/live/x' }],
    ['a file input', { inputUrl: 'file:/etc/passwd' }],
    ['an SRT input that is not a loopback listener', { inputUrl: 'srt://10.0.0.1:9000?mode=caller' }],
  ];
  for (const [name, change] of refusals)
    it(`refuses ${name}`, () => assert.throws(() => buildLiveHlsArgs({ ...base, ...change }), RangeError));
});
