import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, type types } from 'hls-parser';
import {
  ffmpegPath,
  ffprobePath,
  makeClip,
  probeFixture,
  scratchDir,
} from '../../../test/support/media-clips.ts';
import { buildHevcEncodeArgs } from './hevc-args.ts';
import {
  chooseHevcRenditions,
  hevcCodecString,
  hevcLevelFor,
  isHevcCodecs,
  keepMatchingHevc,
  plannedHevcProfile,
  readHevcProfile,
} from './hevc.ts';
import { chooseLadder } from './ladder.ts';
import { ffmpegTools } from './media-tools.ts';
import { transcodeToEncryptedHls, type TranscodeResult } from './transcode.ts';
import { planProgress } from './transcode-progress.ts';

const run = promisify(execFile);

/** AES-128-CBC with the segment's IV, as a player does. */
function decrypt(encrypted: Buffer, key: Buffer, segment: types.Segment): Buffer {
  const decipher = createDecipheriv('aes-128-cbc', key, Buffer.from(segment.key!.iv!));
  return Buffer.concat([decipher.update(encrypted), decipher.final()]);
}

/** Seconds of the first video packet's presentation time. */
async function firstPtsTime(file: string): Promise<number> {
  const { stdout } = await run(ffprobePath, [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time'],
    ...['-read_intervals', '%+#1', '-of', 'csv=p=0', file],
  ]);
  return Number.parseFloat(stdout);
}

describe('HEVC renditions: which rungs, which level, which codec string', () => {
  const ladderOf = (width: number, height: number) =>
    chooseLadder({ probe: probeFixture({ video: { width, height } }), mode: 'content-aware' });

  it('copies only the top rungs, with x265 CRF and caps', () => {
    const table: Array<[string, number, number, 'off' | 'top', string[]]> = [
      ['1080p source, off', 1920, 1080, 'off', []],
      ['1080p source', 1920, 1080, 'top', ['h1080']],
      ['4K source', 3840, 2160, 'top', ['h1080', 'h2160']],
      ['720p source has no top rung', 1280, 720, 'top', []],
    ];
    for (const [name, width, height, mode, expected] of table) {
      const hevc = chooseHevcRenditions({ ladder: ladderOf(width, height), mode });
      assert.deepEqual(
        hevc.map((rendition) => rendition.name),
        expected,
        name,
      );
    }
    const [h1080, h2160] = chooseHevcRenditions({ ladder: ladderOf(3840, 2160), mode: 'top' });
    assert.deepEqual(
      { ...h1080, name: h1080!.name },
      {
        name: 'h1080',
        p: 1080,
        width: 1920,
        height: 1080,
        tier: 'FHD',
        videoBitrateKbps: 3500,
        maxrateKbps: 3500,
        bufsizeKbps: 3500,
        level: '4',
        crf: 28,
      },
    );
    assert.equal(h2160!.tier, 'UHD');
    assert.equal(h2160!.level, '5');
  });

  it('offers a copy only when it scores within 0.005 SSIM of the H.264 rung it copies', () => {
    const ladder = ladderOf(3840, 2160);
    const hevc = chooseHevcRenditions({ ladder, mode: 'top' });
    // [case, v1080, h1080, v2160, h2160, kept]
    const table: Array<[string, number, number, number, number, string[]]> = [
      ['both better', 0.99, 0.992, 0.995, 0.996, ['h1080', 'h2160']],
      ['both just within', 0.99, 0.985, 0.995, 0.9901, ['h1080', 'h2160']],
      ['1080p short by 0.0051', 0.99, 0.9849, 0.995, 0.995, ['h2160']],
      // The measured x265 ultrafast test-card copies (0.982 against the rung's 0.994).
      ['both short', 0.994, 0.982, 0.99, 0.983, []],
    ];
    for (const [name, v1080, h1080, v2160, h2160, expected] of table) {
      const ssim = new Map(Object.entries({ v1080, h1080, v2160, h2160, v360: 0.9 }));
      const { kept, dropped } = keepMatchingHevc({ ladder, hevc, ssim });
      assert.deepEqual(
        kept.map((rendition) => rendition.name),
        expected,
        name,
      );
      assert.equal(kept.length + dropped.length, 2, name);
    }
    assert.throws(() => keepMatchingHevc({ ladder, hevc, ssim: new Map([['h1080', 0.99]]) }), /unscored/);
  });

  it('picks the lowest Main-tier level that admits the stream', () => {
    const table: Array<[number, number, number, number, string]> = [
      [1280, 720, 30, 3000, '3.1'],
      [1920, 1080, 30, 3500, '4'],
      [1920, 1080, 60, 3500, '4.1'],
      [1920, 1080, 30, 15000, '4.1'],
      [3840, 2160, 30, 11200, '5'],
      [3840, 2160, 60, 30000, '5.1'],
    ];
    for (const [width, height, fps, kbps, level] of table) {
      assert.equal(
        hevcLevelFor({ width, height, fps, maxrateKbps: kbps, bufsizeKbps: kbps }),
        level,
        `${width}x${height}@${fps} ${kbps}k`,
      );
    }
  });

  it('writes RFC 6381 codec strings from the decoder configuration', () => {
    assert.equal(hevcCodecString(plannedHevcProfile('4')), 'hvc1.1.6.L120.90');
    assert.equal(hevcCodecString(plannedHevcProfile('5.1')), 'hvc1.1.6.L153.90');
    // Main 10, High tier, profile space 0: compatibility flag 2 → bit-reversed 0x4.
    assert.equal(
      hevcCodecString({
        profileSpace: 0,
        highTier: true,
        profileIdc: 2,
        compatibilityFlags: 0x20000000,
        constraintFlags: [0xb0, 0, 0, 0, 0, 0],
        levelIdc: 150,
      }),
      'hvc1.2.4.H150.B0',
    );
    assert.equal(isHevcCodecs('hvc1.1.6.L120.90,mp4a.40.2'), true);
    assert.equal(isHevcCodecs('avc1.640028,mp4a.40.2'), false);
    assert.equal(readHevcProfile(Buffer.from('no box here')), undefined);
  });

  it('builds one x265 fMP4 HLS run with closed, aligned GOPs', () => {
    const probe = probeFixture();
    const ladder = chooseLadder({ probe, mode: 'content-aware' });
    const renditions = chooseHevcRenditions({ ladder, mode: 'top' });
    const args = buildHevcEncodeArgs({
      sourcePath: '/in/source.mp4',
      probe,
      ladder,
      renditions,
      outputDir: '/out',
      segmentSeconds: 4,
      timeOffsetSeconds: 1.4,
      preset: 'fast',
      threads: 2,
    });
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    assert.equal(after('-c:v'), 'libx265');
    assert.equal(after('-tag:v'), 'hvc1');
    assert.equal(
      after('-x265-params'),
      'log-level=error:keyint=120:min-keyint=120:scenecut=0:open-gop=0:pools=2',
    );
    assert.equal(after('-hls_segment_type'), 'fmp4');
    assert.equal(after('-output_ts_offset'), '1.400000');
    assert.equal(after('-crf:v:0'), '28');
    assert.equal(after('-var_stream_map'), 'v:0,name:h1080');
    assert.ok(args.includes('-an'));
    const bad = { sourcePath: 'x', probe, ladder, renditions, outputDir: '/out', segmentSeconds: 4 };
    assert.throws(
      () => buildHevcEncodeArgs({ ...bad, timeOffsetSeconds: 0, preset: 'warp', threads: 0 }),
      /unknown x265 preset/,
    );
    assert.throws(
      () => buildHevcEncodeArgs({ ...bad, renditions: [], timeOffsetSeconds: 0, preset: 'fast', threads: 0 }),
      /no HEVC rendition/,
    );
  });
});

/** A real transcode with HEVC copies: fixed ladder (no rung dropped), ultrafast, 1 s segments. */
const transcodeWithHevc = (options: {
  sourcePath: string;
  workDir: string;
  rungs: Array<{ p: number; videoBitrateKbps: number }>;
  onProgress?: (percent: number) => void;
}) =>
  transcodeToEncryptedHls({
    sourcePath: options.sourcePath,
    workDir: options.workDir,
    options: {
      rungs: options.rungs,
      ladderMode: 'fixed',
      hevc: 'top',
      preset: 'ultrafast',
      threads: 1,
      segmentSeconds: 1,
      thumbnailIntervalSeconds: 1,
    },
    tools: ffmpegTools({ ffmpegPath, ffprobePath }),
    ...(options.onProgress && { onProgress: options.onProgress }),
  });

/**
 * One real package with an HEVC copy: a 2 s 1920×1080 clip (ultrafast), a two-rung ladder so CI's
 * two cores are spared the middle rungs. The picture is the grainy Mandelbrot zoom, where x265
 * at 70 % of the H.264 bit rate scores as well as x264 (measured: 0.874 against 0.865): on the
 * test card the ultrafast copy falls 0.012 short and is not offered (keepMatchingHevc).
 */
describe('an HEVC rendition in a real package', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let result: TranscodeResult;
  const progress: number[] = [];

  before(async () => {
    scratch = await scratchDir();
    const sourcePath = await makeClip({
      path: path.join(scratch.dir, 'source.mp4'),
      width: 1920,
      height: 1080,
      seconds: 2,
      fps: 24,
      picture: 'complex',
      audio: [{ language: 'eng' }],
    });
    result = await transcodeWithHevc({
      sourcePath,
      workDir: path.join(scratch.dir, 'work'),
      rungs: [
        { p: 360, videoBitrateKbps: 800 },
        { p: 1080, videoBitrateKbps: 5000 },
      ],
      onProgress: (percent) => progress.push(percent),
    });
  });
  after(() => scratch.remove());

  it('measures the HEVC copy against the source like the H.264 rungs: SSIM and PSNR with the package', () => {
    const quality = new Map(
      result.manifest.renditions.map((rendition) => [rendition.name, rendition.quality]),
    );
    assert.deepEqual([...quality.keys()], ['v360', 'v1080', 'h1080']);
    const [h1080, v1080, v360] = [quality.get('h1080'), quality.get('v1080'), quality.get('v360')];
    assert.ok(h1080 && v1080 && v360, JSON.stringify([...quality]));
    assert.equal(h1080.frames, v1080.frames, 'the same sampled frames');
    assert.ok(h1080.ssim > 0.8 && h1080.ssim < 1, `h1080 ssim ${h1080.ssim}`);
    assert.ok(h1080.psnr > 20 && h1080.psnr < 100, `h1080 psnr ${h1080.psnr}`);
    // Compared at the source's size, a 1080p copy of a 1080p source beats the 360p rung by far;
    // a score of the wrong stream (the 360p, or the source itself) would not land between.
    assert.ok(h1080.ssim > v360.ssim + 0.01, `h1080 ${h1080.ssim} vs v360 ${v360.ssim}`);
    // The same picture (the tolerance) in fewer bytes.
    assert.ok(h1080.ssim >= v1080.ssim - 0.005, `h1080 ${h1080.ssim} vs v1080 ${v1080.ssim}`);
    const averageBandwidth = (name: string) =>
      result.manifest.renditions.find((rendition) => rendition.name === name)!.averageBandwidth;
    assert.ok(
      averageBandwidth('h1080') < averageBandwidth('v1080'),
      `h1080 ${averageBandwidth('h1080')} b/s vs v1080 ${averageBandwidth('v1080')} b/s`,
    );
  });

  it('moves the progress through the HEVC encode and its measurement, never backwards', () => {
    const { hevc, hevcQuality } = planProgress({ hevc: true });
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
    assert.equal(progress.at(-1), 100);
    // Each ffmpeg reports its end: the HEVC encode reaches its span's end, then its measurement.
    assert.ok(progress.includes(hevc.end), `HEVC encode done at ${hevc.end}: ${progress.join(', ')}`);
    assert.ok(progress.includes(hevcQuality.end), `measured at ${hevcQuality.end}: ${progress.join(', ')}`);
    assert.ok(
      progress.some((percent) => percent > hevc.start && percent < hevcQuality.end),
      progress.join(', '),
    );
  });

  const master = async () =>
    parse(await readFile(path.join(result.outputDir, 'master.m3u8'), 'utf8')) as types.MasterPlaylist;

  it('lists the HEVC copy with the codec string of what x265 wrote and measured bit rates', async () => {
    const hevc = result.manifest.renditions.find((rendition) => rendition.name === 'h1080');
    assert.ok(hevc, JSON.stringify(result.manifest.renditions));
    assert.equal(hevc.videoCodec, 'hevc');
    assert.equal(hevc.tier, 'FHD');
    const profile = readHevcProfile(await readFile(path.join(result.outputDir, 'h1080', 'init.mp4')));
    assert.ok(profile);
    assert.equal(hevc.codecs, `${hevcCodecString(profile)},mp4a.40.2`);
    assert.match(hevc.codecs, /^hvc1\.1\.6\.L\d+\.[0-9A-F]+,mp4a\.40\.2$/);
    const variant = (await master()).variants.find((entry) => entry.uri === 'h1080/index.m3u8');
    assert.ok(variant);
    assert.equal(variant.codecs, hevc.codecs);
    assert.equal(variant.bandwidth, hevc.bandwidth);
    assert.equal(variant.averageBandwidth, hevc.averageBandwidth);
    assert.deepEqual(variant.resolution, { width: 1920, height: 1080 });
  });

  it('encrypts under the same tier key as the H.264 1080p, and decrypts and decodes as HEVC', async () => {
    const text = await readFile(path.join(result.outputDir, 'h1080', 'index.m3u8'), 'utf8');
    assert.match(text, /#EXT-X-VERSION:6/);
    assert.ok(text.indexOf('#EXT-X-MAP:URI="init.mp4"') < text.indexOf('#EXT-X-KEY'), 'init before key');
    const playlist = parse(text) as types.MediaPlaylist;
    const h264 = parse(
      await readFile(path.join(result.outputDir, 'v1080', 'index.m3u8'), 'utf8'),
    ) as types.MediaPlaylist;
    assert.equal(playlist.segments.length, h264.segments.length, 'segments line up with H.264');
    const segment = playlist.segments[0]!;
    assert.equal(segment.key?.method, 'AES-128');
    assert.equal(segment.key.uri, h264.segments[0]!.key?.uri, 'the FHD tier key');
    const keyId = /([0-9a-f-]{36})$/.exec(segment.key.uri ?? '')![1];
    const key = result.manifest.keys.find((entry) => entry.keyId === keyId);
    assert.ok(key && key.tier === 'FHD');
    const plain = decrypt(
      await readFile(path.join(result.outputDir, 'h1080', segment.uri)),
      key.key,
      segment,
    );
    const init = await readFile(path.join(result.outputDir, 'h1080', 'init.mp4'));
    const joined = path.join(scratch.dir, 'joined.mp4');
    await writeFile(joined, Buffer.concat([init, plain]));
    const { stdout } = await run(ffprobePath, [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=codec_name,codec_tag_string,width,height,nb_read_frames', '-of', 'json'],
      joined,
    ]);
    const [stream] = (JSON.parse(stdout) as { streams: Array<Record<string, unknown>> }).streams;
    assert.equal(stream?.['codec_name'], 'hevc');
    assert.equal(stream?.['codec_tag_string'], 'hvc1');
    assert.equal(stream?.['width'], 1920);
    assert.ok(
      Number(stream?.['nb_read_frames']) >= 20,
      `decoded frames: ${String(stream?.['nb_read_frames'])}`,
    );

    // On the H.264 segments' timeline, so the shared audio stays in sync (within one frame).
    const h264Segment = path.join(scratch.dir, 'h264.ts');
    await writeFile(
      h264Segment,
      decrypt(await readFile(path.join(result.outputDir, 'v1080', h264.segments[0]!.uri)), key.key, segment),
    );
    const [hevcStart, h264Start] = [await firstPtsTime(joined), await firstPtsTime(h264Segment)];
    assert.ok(h264Start > 0.5, `MPEG-TS starts late: ${h264Start}`);
    assert.ok(
      Math.abs(hevcStart - h264Start) <= 1 / 24 + 1e-3,
      `HEVC ${hevcStart} s vs H.264 ${h264Start} s`,
    );
  });
});

/**
 * The SSIM gate in a real transcode: on the test card an x265 ultrafast copy at 70 % of the H.264
 * bit rate falls ~0.012 short of x264's picture (docs/ARCHITECTURE.md), so it is not packaged,
 * and its score is kept with the dropped rungs. One second of 1080p, one rung.
 */
describe('an HEVC copy that looks worse than its rung', () => {
  it('is not packaged, and is listed with the dropped rungs with its score', async () => {
    const scratch = await scratchDir();
    try {
      const sourcePath = await makeClip({
        path: path.join(scratch.dir, 'card.mp4'),
        width: 1920,
        height: 1080,
        seconds: 1,
        fps: 24,
      });
      const result = await transcodeWithHevc({
        sourcePath,
        workDir: path.join(scratch.dir, 'work'),
        rungs: [{ p: 1080, videoBitrateKbps: 5000 }],
      });
      assert.deepEqual(
        result.manifest.renditions.map((rendition) => rendition.name),
        ['v1080'],
      );
      const v1080 = result.manifest.renditions[0]!.quality!;
      const [h1080] = result.manifest.ladder?.dropped ?? [];
      assert.equal(h1080?.name, 'h1080');
      assert.ok(
        h1080.quality.ssim < v1080.ssim - 0.005,
        `h1080 ${h1080.quality.ssim} vs v1080 ${v1080.ssim}`,
      );
      assert.deepEqual(
        result.files.filter((file) => file.startsWith('h1080/')),
        [],
      );
      assert.doesNotMatch(await readFile(path.join(result.outputDir, 'master.m3u8'), 'utf8'), /hvc1/);
    } finally {
      await scratch.remove();
    }
  });
});
