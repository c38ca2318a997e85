import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { probeFixture } from '../../../test/support/media-clips.ts';
import { buildHlsEncodeArgs, buildQualityArgs, escapeFilterValue } from './ffmpeg-args.ts';
import { chooseLadder, dropIndistinctRungs } from './ladder.ts';
import { parsePsnrStats, parseSsimStats, PSNR_CEILING, qualitySampleStep } from './rendition-quality.ts';

/** Every value following `flag` (per-stream flags repeat: -crf:v:0, -crf:v:1 …). */
function valuesOf(args: readonly string[], prefix: string): string[] {
  return args.flatMap((arg, i) => (arg.startsWith(prefix) ? [`${arg} ${args[i + 1]}`] : []));
}

describe('content-aware ladder: capped CRF under the ladder’s kbps', () => {
  const probe = probeFixture({ video: { width: 1280, height: 720 } });
  const cases: Array<{
    name: string;
    options: Partial<Parameters<typeof chooseLadder>[0]>;
    expected: string[];
  }> = [
    {
      name: 'fixed: ABR at the rung kbps, peak 1.5×, 2 s buffer',
      options: { mode: 'fixed' },
      expected: [
        'v240 abr 400/600/1200',
        'v360 abr 800/1200/2400',
        'v480 abr 1400/2100/4200',
        'v720 abr 2800/4200/8400',
      ],
    },
    {
      name: 'content-aware: CRF 23, the rung kbps is the cap, 1 s buffer',
      options: { mode: 'content-aware' },
      expected: [
        'v240 crf23 400/400/400',
        'v360 crf23 800/800/800',
        'v480 crf23 1400/1400/1400',
        'v720 crf23 2800/2800/2800',
      ],
    },
    {
      name: 'content-aware with its own CRF and a rung with an explicit peak',
      options: {
        mode: 'content-aware',
        crf: 28,
        rungs: [
          { p: 240, videoBitrateKbps: 300 },
          { p: 720, videoBitrateKbps: 2000, maxrateKbps: 3000, bufsizeKbps: 6000 },
        ],
      },
      expected: ['v240 crf28 300/300/300', 'v720 crf28 2000/3000/6000'],
    },
  ];
  for (const { name, options, expected } of cases) {
    it(name, () => {
      const ladder = chooseLadder({ probe, ...options });
      assert.deepEqual(
        ladder.video.map(
          (r) =>
            `${r.name} ${r.crf === undefined ? 'abr' : `crf${r.crf}`} ${r.videoBitrateKbps}/${r.maxrateKbps}/${r.bufsizeKbps}`,
        ),
        expected,
      );
    });
  }

  it('rejects a CRF outside 0–51', () => {
    assert.throws(() => chooseLadder({ probe, mode: 'content-aware', crf: 52 }), /crf/);
    assert.throws(() => chooseLadder({ probe, mode: 'content-aware', crf: 2.5 }), /crf/);
  });

  it('writes -crf per stream instead of -b, keeping maxrate, bufsize and aligned keyframes', () => {
    const args = buildHlsEncodeArgs({
      sourcePath: '/in.mp4',
      probe,
      ladder: chooseLadder({
        probe,
        mode: 'content-aware',
        rungs: [
          { p: 240, videoBitrateKbps: 400 },
          { p: 720, videoBitrateKbps: 2800 },
        ],
      }),
      outputDir: '/enc',
      segmentSeconds: 4,
    });
    assert.deepEqual(valuesOf(args, '-crf:'), ['-crf:v:0 23', '-crf:v:1 23']);
    assert.deepEqual(valuesOf(args, '-b:v:'), []);
    assert.deepEqual(valuesOf(args, '-maxrate:'), ['-maxrate:v:0 400k', '-maxrate:v:1 2800k']);
    assert.deepEqual(valuesOf(args, '-bufsize:'), ['-bufsize:v:0 400k', '-bufsize:v:1 2800k']);
    assert.equal(args[args.indexOf('-sc_threshold') + 1], '0');
    assert.equal(args[args.indexOf('-force_key_frames') + 1], 'expr:gte(t,n_forced*4)');
  });
});

describe('dropIndistinctRungs', () => {
  const cases: Array<{ name: string; ssim: Record<number, number>; gain: number; kept: number[] }> = [
    {
      name: 'a flat picture: nothing above the lowest rung looks better',
      ssim: { 240: 0.9969, 360: 0.997, 480: 0.9971 },
      gain: 0.002,
      kept: [240],
    },
    {
      name: 'a detailed picture keeps every rung',
      ssim: { 240: 0.937, 360: 0.952, 480: 0.973 },
      gain: 0.002,
      kept: [240, 360, 480],
    },
    {
      name: 'gains are measured from the last kept rung, not the dropped one',
      ssim: { 240: 0.95, 360: 0.951, 480: 0.9525, 720: 0.953 },
      gain: 0.002,
      kept: [240, 480],
    },
    {
      name: 'exactly the threshold is enough',
      ssim: { 240: 0.9, 360: 0.905 },
      gain: 0.005,
      kept: [240, 360],
    },
    {
      name: 'a rung worse than the one below is dropped',
      ssim: { 240: 0.95, 360: 0.94, 720: 0.97 },
      gain: 0.002,
      kept: [240, 720],
    },
    {
      name: 'a gain of 0 keeps everything not worse',
      ssim: { 240: 0.95, 360: 0.95 },
      gain: 0,
      kept: [240, 360],
    },
    { name: 'one rung stays', ssim: { 480: 0.5 }, gain: 0.5, kept: [480] },
  ];
  for (const { name, ssim, gain, kept } of cases) {
    it(name, () => {
      const renditions = Object.entries(ssim)
        .reverse()
        .map(([p, value]) => ({ p: Number(p), ssim: value }));
      const result = dropIndistinctRungs({ renditions, minSsimGain: gain });
      assert.deepEqual(
        result.kept.map((r) => r.p),
        kept,
      );
      assert.equal(result.kept.length + result.dropped.length, renditions.length);
    });
  }
});

describe('quality step', () => {
  const probe = probeFixture({ video: { width: 1280, height: 720, index: 0 } });

  it('compares every step-th frame so about sampleFrames are compared', () => {
    const table: Array<[number, number, number, number]> = [
      // durationSeconds, fps, sampleFrames → step
      [2, 30, 60, 1],
      [60, 30, 60, 30],
      [60, 24, 60, 24],
      [0.1, 30, 60, 1],
      [7200, 25, 60, 3000],
    ];
    for (const [durationSeconds, fps, sampleFrames, step] of table) {
      assert.equal(
        qualitySampleStep({ durationSeconds, fps, sampleFrames }),
        step,
        `${durationSeconds}s@${fps}`,
      );
    }
    assert.throws(() => qualitySampleStep({ durationSeconds: 1, fps: 30, sampleFrames: 0 }));
  });

  it('escapes a filter value for both the option and the graph parser', () => {
    assert.equal(escapeFilterValue('/tmp/a/b.log'), '/tmp/a/b.log');
    assert.equal(escapeFilterValue('/tmp/c:d.log'), '/tmp/c\\\\:d.log');
    assert.equal(escapeFilterValue("/tmp/it's,[x];y"), "/tmp/it\\\\\\'s\\,\\[x\\]\\;y");
  });

  it('decodes the source once for every rendition, scales each to it, scores SSIM then PSNR', () => {
    const ladder = chooseLadder({ probe });
    const args = buildQualityArgs({
      sourcePath: '/in.mp4',
      probe,
      ladder,
      renditions: ['v240', 'v720'].map((name) => ({
        playlist: `/enc/${name}/index.m3u8`,
        ssimStatsPath: `/q/${name}.ssim.log`,
        psnrStatsPath: `/q/${name}.psnr.log`,
      })),
      sampleStep: 5,
    });
    assert.deepEqual(
      args.filter((arg) => arg.startsWith('file:')),
      ['file:/in.mp4', 'file:/enc/v240/index.m3u8', 'file:/enc/v720/index.m3u8'],
    );
    const scale = 'scale=w=1280:h=720:flags=bicubic,setsar=1,format=yuv420p';
    const select = "select='not(mod(n\\,5))'";
    assert.deepEqual(args[args.indexOf('-filter_complex') + 1]!.split(';'), [
      `[0:0]setpts=PTS-STARTPTS,${select},${scale},split=4[ssim0][psnr0][ssim1][psnr1]`,
      `[1:v:0]setpts=PTS-STARTPTS,${select},${scale}[dist0]`,
      '[dist0][ssim0]ssim=stats_file=/q/v240.ssim.log[scored0]',
      '[scored0][psnr0]psnr=stats_file=/q/v240.psnr.log[out0]',
      `[2:v:0]setpts=PTS-STARTPTS,${select},${scale}[dist1]`,
      '[dist1][ssim1]ssim=stats_file=/q/v720.ssim.log[scored1]',
      '[scored1][psnr1]psnr=stats_file=/q/v720.psnr.log[out1]',
    ]);
    assert.deepEqual(args.slice(-10), [
      ...['-map', '[out0]', '-f', 'null', '-'],
      ...['-map', '[out1]', '-f', 'null', '-'],
    ]);
  });

  it('deinterlaces and drops frames on the source exactly as the encode did; step 1 selects nothing', () => {
    const interlaced = probeFixture({
      video: { width: 1920, height: 1080, fps: 120, frameRate: '120/1', interlaced: true },
    });
    const ladder = chooseLadder({ probe: interlaced });
    const renditions = [{ playlist: '/enc/v1080/index.m3u8', ssimStatsPath: '/q/s', psnrStatsPath: '/q/p' }];
    const args = buildQualityArgs({
      sourcePath: '/in.mp4',
      probe: interlaced,
      ladder,
      renditions,
      sampleStep: 1,
    });
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    assert.match(graph, /^\[0:0\]bwdif=mode=send_frame,fps=60\/1,setpts=PTS-STARTPTS,scale=/);
    assert.doesNotMatch(graph, /select/);
    assert.throws(
      () => buildQualityArgs({ sourcePath: '/a', probe, ladder, renditions, sampleStep: 0 }),
      /sampleStep/,
    );
    assert.throws(
      () => buildQualityArgs({ sourcePath: '/a', probe, ladder, renditions: [], sampleStep: 1 }),
      /no rendition/,
    );
  });

  it('averages SSIM "All" per frame, and PSNR from the mean squared error', () => {
    const ssim = parseSsimStats(
      'n:1 Y:0.99 U:0.98 V:0.97 All:0.980000 (16.9)\nn:2 Y:0.99 U:0.98 V:0.97 All:0.960000 (13.9)\n',
    );
    assert.equal(ssim.frames, 2);
    assert.ok(Math.abs(ssim.ssim - 0.97) < 1e-9);
    const psnr = parsePsnrStats(
      'n:1 mse_avg:1.00 mse_y:1 mse_u:1 mse_v:1 psnr_avg:48.13 psnr_y:48 psnr_u:48 psnr_v:48\n' +
        'n:2 mse_avg:0.00 mse_y:0 mse_u:0 mse_v:0 psnr_avg:inf psnr_y:inf psnr_u:inf psnr_v:inf\n',
    );
    assert.equal(psnr.frames, 2);
    // mean MSE 0.5 → 10·log10(255² / 0.5)
    assert.ok(Math.abs(psnr.psnr - 51.1411) < 1e-3, String(psnr.psnr));
    assert.equal(parsePsnrStats('n:1 mse_avg:0.00 psnr_avg:inf\n').psnr, PSNR_CEILING);
  });

  it('refuses a stats file with no frames or an unreadable value', () => {
    assert.throws(() => parseSsimStats(''), /no readable frames/);
    assert.throws(() => parseSsimStats('n:1 Y:0.9 All:nan (1)'), /no readable frames/);
    assert.throws(() => parsePsnrStats('garbage'), /no readable frames/);
  });
});
