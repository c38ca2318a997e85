import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { probeFixture } from '../../../test/support/media-clips.ts';
import { buildHlsEncodeArgs, buildPosterArgs, buildSpriteArgs, buildSubtitleArgs } from './ffmpeg-args.ts';
import { chooseLadder } from './ladder.ts';
import { planThumbnails, renderThumbnailsVtt, vttTime } from './thumbnails.ts';

/** The value after a flag, or undefined. */
function valueOf(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index < 0 ? undefined : args[index + 1];
}

const twoTracks = probeFixture({
  video: { width: 1280, height: 720, index: 0 },
  audio: [
    { index: 1, codec: 'aac', channels: 2, sampleRate: 48000, language: 'eng', title: null, isDefault: true },
    {
      index: 2,
      codec: 'aac',
      channels: 1,
      sampleRate: 48000,
      language: 'ger',
      title: null,
      isDefault: false,
    },
  ],
});

describe('buildHlsEncodeArgs', () => {
  const ladder = chooseLadder({ probe: twoTracks });
  const args = buildHlsEncodeArgs({
    sourcePath: '/work/in.mp4',
    probe: twoTracks,
    ladder,
    outputDir: '/work/enc',
    segmentSeconds: 4,
    preset: 'fast',
    threads: 2,
  });

  const table: Array<[string, string | undefined]> = [
    ['-c:v', 'libx264'],
    ['-preset', 'fast'],
    ['-profile:v', 'high'],
    ['-threads', '2'],
    ['-g', '120'],
    ['-keyint_min', '120'],
    ['-sc_threshold', '0'],
    ['-force_key_frames', 'expr:gte(t,n_forced*4)'],
    ['-c:a', 'aac'],
    ['-ar', '48000'],
    ['-f', 'hls'],
    ['-hls_time', '4'],
    ['-hls_playlist_type', 'vod'],
    ['-hls_segment_type', 'mpegts'],
    ['-hls_flags', 'independent_segments'],
    ['-hls_segment_filename', '/work/enc/%v/seg-%05d.ts'],
    [
      '-var_stream_map',
      'v:0,name:v240 v:1,name:v360 v:2,name:v480 v:3,name:v720 a:0,name:a-eng a:1,name:a-ger',
    ],
    ['-progress', 'pipe:1'],
    ['-protocol_whitelist', 'file'],
    ['-i', 'file:/work/in.mp4'],
    ['-map_metadata', '-1'],
  ];
  for (const [flag, expected] of table) {
    it(`${flag} ${expected}`, () => assert.equal(valueOf(args, flag), expected));
  }

  it('is quiet, reports progress and writes the variant playlists last', () => {
    assert.ok(args.includes('-nostats') && args.includes('-nostdin'));
    assert.equal(valueOf(args, '-loglevel'), 'error');
    assert.equal(args.at(-1), '/work/enc/%v/index.m3u8');
  });

  it('decodes once and scales into every rendition, square pixels, 8-bit 4:2:0', () => {
    assert.equal(
      valueOf(args, '-filter_complex'),
      '[0:0]split=4[s0][s1][s2][s3];' +
        '[s0]scale=w=426:h=240:flags=bicubic,setsar=1,format=yuv420p[v0];' +
        '[s1]scale=w=640:h=360:flags=bicubic,setsar=1,format=yuv420p[v1];' +
        '[s2]scale=w=854:h=480:flags=bicubic,setsar=1,format=yuv420p[v2];' +
        '[s3]scale=w=1280:h=720:flags=bicubic,setsar=1,format=yuv420p[v3]',
    );
    const maps = args.flatMap((arg, i) => (arg === '-map' ? [args[i + 1]] : []));
    assert.deepEqual(maps, ['[v0]', '[v1]', '[v2]', '[v3]', '0:1', '0:2']);
  });

  it('sets bitrate, VBV and level per rendition, channels per audio track', () => {
    assert.deepEqual(
      [valueOf(args, '-b:v:3'), valueOf(args, '-maxrate:v:3'), valueOf(args, '-bufsize:v:3')],
      ['2800k', '4200k', '8400k'],
    );
    assert.equal(valueOf(args, '-level:v:0'), '2.1');
    assert.equal(valueOf(args, '-level:v:3'), '3.1');
    assert.deepEqual(
      [valueOf(args, '-b:a:0'), valueOf(args, '-ac:a:0'), valueOf(args, '-ac:a:1')],
      ['128k', '2', '1'],
    );
  });

  it('GOP follows the frame rate: 2 s segments at 25 fps are 50 frames', () => {
    const probe = probeFixture({ video: { fps: 25, frameRate: '25/1' } });
    const built = buildHlsEncodeArgs({
      sourcePath: '/a',
      probe,
      ladder: chooseLadder({ probe }),
      outputDir: '/o',
      segmentSeconds: 2,
    });
    assert.deepEqual(
      [valueOf(built, '-g'), valueOf(built, '-force_key_frames')],
      ['50', 'expr:gte(t,n_forced*2)'],
    );
  });

  it('one rendition needs no split; deinterlaces and caps the rate before scaling', () => {
    const probe = probeFixture({
      video: { index: 2, width: 320, height: 180, fps: 120, frameRate: '120/1', interlaced: true },
    });
    const built = buildHlsEncodeArgs({
      sourcePath: '/a',
      probe,
      ladder: chooseLadder({ probe }),
      outputDir: '/o',
    });
    assert.equal(
      valueOf(built, '-filter_complex'),
      '[0:2]bwdif=mode=send_frame,fps=60/1,scale=w=320:h=180:flags=bicubic,setsar=1,format=yuv420p[v0]',
    );
    assert.equal(valueOf(built, '-var_stream_map'), 'v:0,name:v180');
    assert.equal(valueOf(built, '-c:a'), undefined, 'no audio encoder without audio');
    assert.equal(valueOf(built, '-g'), '240', '4 s at 60 fps');
  });

  it('refuses what would make a bad command line', () => {
    const base = {
      sourcePath: '/a',
      probe: twoTracks,
      ladder: chooseLadder({ probe: twoTracks }),
      outputDir: '/o',
    };
    assert.throws(() => buildHlsEncodeArgs({ ...base, preset: 'warp' }), /preset/);
    assert.throws(() => buildHlsEncodeArgs({ ...base, outputDir: '/o/100%' }), /%/);
    assert.throws(() => buildHlsEncodeArgs({ ...base, segmentSeconds: 0 }), /segmentSeconds/);
    assert.throws(() => buildHlsEncodeArgs({ ...base, threads: -1 }), /threads/);
  });
});

describe('poster, sprites and subtitles', () => {
  it('poster: one frame at 10 %, fitted into 1280 without upscaling', () => {
    const args = buildPosterArgs({ sourcePath: '/a.mp4', probe: twoTracks, outputPath: '/o/poster.jpg' });
    assert.equal(valueOf(args, '-ss'), '6.000');
    assert.ok(args.indexOf('-ss') < args.indexOf('-i'), 'input seeking');
    assert.equal(valueOf(args, '-frames:v'), '1');
    assert.equal(valueOf(args, '-vf'), 'scale=w=1280:h=720,setsar=1');
    assert.equal(args.at(-1), '/o/poster.jpg');
    const vertical = probeFixture({ video: { width: 1080, height: 1920 } });
    const fitted = buildPosterArgs({ sourcePath: '/a', probe: vertical, outputPath: '/p.jpg' });
    assert.equal(valueOf(fitted, '-vf'), 'scale=w=720:h=1280,setsar=1');
  });

  it('sprites: one 160 px frame per interval, tiled 10×10', () => {
    const plan = planThumbnails({
      durationSeconds: 60,
      displayWidth: 1280,
      displayHeight: 720,
      intervalSeconds: 2,
    });
    const args = buildSpriteArgs({ sourcePath: '/a.mp4', probe: twoTracks, plan, outputDir: '/o/thumbs' });
    assert.equal(valueOf(args, '-vf'), 'fps=1/2,scale=w=160:h=90,setsar=1,tile=10x10');
    assert.equal(valueOf(args, '-map'), '0:0');
    assert.equal(args.at(-1), '/o/thumbs/sprite-%04d.jpg');
    assert.equal(valueOf(args, '-progress'), 'pipe:1');
  });

  it('sprites can be drawn from the smallest encoded rendition instead of the source', () => {
    const plan = planThumbnails({ durationSeconds: 60, displayWidth: 1280, displayHeight: 720 });
    const args = buildSpriteArgs({
      sourcePath: '/a.mp4',
      probe: twoTracks,
      plan,
      outputDir: '/o/thumbs',
      fromRenditionPlaylist: '/w/encoded/v240/index.m3u8',
    });
    assert.equal(valueOf(args, '-i'), 'file:/w/encoded/v240/index.m3u8');
    assert.equal(valueOf(args, '-map'), '0:v:0');
  });

  it('subtitles: SRT or WebVTT in, WebVTT out, with an optional character set', () => {
    const args = buildSubtitleArgs({
      inputPath: '/s.srt',
      outputPath: '/o/en.vtt',
      characterEncoding: 'CP1252',
    });
    assert.deepEqual(args.slice(-9), [
      '-i',
      'file:/s.srt',
      '-map',
      '0:s:0',
      '-c:s',
      'webvtt',
      '-f',
      'webvtt',
      '/o/en.vtt',
    ]);
    assert.ok(args.indexOf('-sub_charenc') < args.indexOf('-i'));
    assert.equal(
      buildSubtitleArgs({ inputPath: '/s.vtt', outputPath: '/o.vtt' }).includes('-sub_charenc'),
      false,
    );
  });
});

describe('thumbnail plan and track', () => {
  const plans: Array<
    [string, Parameters<typeof planThumbnails>[0], Partial<ReturnType<typeof planThumbnails>>]
  > = [
    [
      'short clip',
      { durationSeconds: 12, displayWidth: 1280, displayHeight: 720 },
      { intervalSeconds: 5, count: 3, sheets: 1, height: 90 },
    ],
    [
      'two hours grows the interval',
      { durationSeconds: 7200, displayWidth: 1920, displayHeight: 800 },
      { intervalSeconds: 8, count: 900, sheets: 9, height: 66 },
    ],
    [
      'vertical',
      { durationSeconds: 4, displayWidth: 360, displayHeight: 640, intervalSeconds: 1 },
      { count: 4, height: 284 },
    ],
  ];
  for (const [name, input, expected] of plans) {
    it(name, () => {
      const plan = planThumbnails(input);
      for (const [key, value] of Object.entries(expected))
        assert.equal(plan[key as keyof typeof plan], value, key);
    });
  }

  it('cues walk the tiles row by row and move to the next sheet after 100', () => {
    const plan = planThumbnails({
      durationSeconds: 205,
      displayWidth: 1280,
      displayHeight: 720,
      intervalSeconds: 2,
    });
    const vtt = renderThumbnailsVtt({ plan, durationSeconds: 205 });
    const cues = vtt.trimEnd().split('\n\n').slice(1);
    assert.equal(cues.length, 103);
    assert.equal(cues[0], '00:00:00.000 --> 00:00:02.000\nsprite-0001.jpg#xywh=0,0,160,90');
    assert.equal(cues[11], '00:00:22.000 --> 00:00:24.000\nsprite-0001.jpg#xywh=160,90,160,90');
    assert.equal(cues[100], '00:03:20.000 --> 00:03:22.000\nsprite-0002.jpg#xywh=0,0,160,90');
    assert.equal(cues[102], '00:03:24.000 --> 00:03:25.000\nsprite-0002.jpg#xywh=320,0,160,90');
    assert.equal(vttTime(3723.4567), '01:02:03.457');
  });
});
