import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  decryptPlaylist,
  keySwitches,
  readMaster,
  readMediaPlaylist,
  segmentRates,
  type DecryptedSegment,
} from '../../../test/support/hls-check.ts';
import {
  ffmpegPath,
  ffprobePath,
  firstVideoPts,
  makeClip,
  probeVideo,
  scratchDir,
} from '../../../test/support/media-clips.ts';
import { ffmpegTools } from './media-tools.ts';
import { transcodeToEncryptedHls, type TranscodeResult } from './transcode.ts';

const SRT = `1
00:00:00,500 --> 00:00:01,500
Hello, <i>world</i>

2
00:00:02,000 --> 00:00:02,900
Second cue
`;

/** ffprobe's profile name → the profile_idc byte of the CODECS string. */
const PROFILE_IDC: Record<string, string> = {
  'Constrained Baseline': '42',
  Baseline: '42',
  Main: '4d',
  High: '64',
};

describe('transcodeToEncryptedHls: 720p, two audio languages, SRT subtitles', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let result: TranscodeResult;
  const progress: number[] = [];
  const decrypted = new Map<string, DecryptedSegment[]>();

  before(async () => {
    scratch = await scratchDir();
    const sourcePath = await makeClip({
      path: path.join(scratch.dir, 'source.mp4'),
      width: 1280,
      height: 720,
      seconds: 3,
      audio: [{ language: 'eng' }, { language: 'ger' }],
    });
    const srt = path.join(scratch.dir, 'english.srt');
    await writeFile(srt, SRT);
    result = await transcodeToEncryptedHls({
      sourcePath,
      workDir: path.join(scratch.dir, 'work'),
      subtitles: [{ path: srt, language: 'eng', label: 'English' }],
      options: {
        preset: 'ultrafast',
        threads: 1,
        segmentSeconds: 1,
        keyRotationSegments: 2,
        thumbnailIntervalSeconds: 1,
      },
      tools: ffmpegTools({ ffmpegPath, ffprobePath }),
      onProgress: (percent) => progress.push(percent),
    });
    const { renditions, audioTracks, keys } = result.manifest;
    for (const { playlist } of [...renditions, ...audioTracks]) {
      decrypted.set(playlist, await decryptPlaylist({ outputDir: result.outputDir, uri: playlist, keys }));
    }
  });
  after(() => scratch.remove());

  it('encodes every rung up to the source, never above', () => {
    assert.deepEqual(
      result.manifest.renditions.map((rendition) => [
        rendition.name,
        rendition.width,
        rendition.height,
        rendition.tier,
      ]),
      [
        ['v240', 426, 240, 'SD'],
        ['v360', 640, 360, 'SD'],
        ['v480', 854, 480, 'SD'],
        ['v720', 1280, 720, 'HD'],
      ],
    );
  });

  it('lists each variant with measured bandwidth, resolution, codecs and frame rate', async () => {
    const master = await readMaster(result.outputDir);
    assert.equal(master.variants.length, 4);
    assert.equal(master.independentSegments, true);
    const audioRates = result.manifest.audioTracks.map((track) => {
      const playlistSegments = decrypted.get(track.playlist)!;
      return { ...segmentRates(playlistSegments, 1), declaredPeak: track.bandwidth };
    });
    for (const rendition of result.manifest.renditions) {
      const variant = master.variants.find((candidate) => candidate.uri === rendition.playlist);
      assert.ok(variant, rendition.name);
      assert.deepEqual(variant.resolution, { width: rendition.width, height: rendition.height });
      assert.equal(variant.frameRate, 30);
      assert.equal(variant.codecs, rendition.codecs);
      assert.match(variant.codecs ?? '', /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);

      const rates = segmentRates(decrypted.get(rendition.playlist)!, 1);
      const loudestAverage = Math.max(...audioRates.map((audio) => audio.average));
      const loudestPeak = Math.max(...audioRates.map((audio) => audio.declaredPeak));
      assert.ok(
        Math.abs(variant.averageBandwidth! - (rates.average + loudestAverage)) <= 2,
        'AVERAGE-BANDWIDTH',
      );
      const videoPeak = variant.bandwidth - loudestPeak;
      assert.ok(videoPeak >= rates.peakAtLeast - 1 && videoPeak <= rates.peakAtMost + 1, 'BANDWIDTH');
      assert.ok(variant.bandwidth >= variant.averageBandwidth!);
    }
    for (const audio of audioRates) {
      assert.ok(audio.declaredPeak >= audio.peakAtLeast - 1 && audio.declaredPeak <= audio.peakAtMost + 1);
    }
  });

  it('declares the profile and level that were really encoded, at the planned size', async () => {
    for (const rendition of result.manifest.renditions) {
      const first = path.join(scratch.dir, `${rendition.name}.ts`);
      await writeFile(first, decrypted.get(rendition.playlist)![0]!.plain);
      const probed = await probeVideo(first);
      assert.deepEqual([probed.width, probed.height], [rendition.width, rendition.height]);
      const expected = `avc1.${PROFILE_IDC[probed.profile]}`;
      assert.ok(rendition.codecs.startsWith(expected), `${rendition.codecs} vs ${probed.profile}`);
      assert.equal(Number.parseInt(rendition.codecs.slice(9, 11), 16), probed.level);
    }
  });

  it('cuts aligned segments of the configured length', () => {
    for (const rendition of result.manifest.renditions) {
      const segments = decrypted.get(rendition.playlist)!;
      assert.deepEqual(
        segments.map((segment) => segment.duration),
        [1, 1, 1],
      );
      assert.equal(rendition.segmentCount, 3);
      assert.equal(rendition.durationSeconds, 3);
    }
  });

  it('rotates keys every 2 segments, separately for HD and SD; audio uses the SD keys', () => {
    const used = (tier: string) =>
      new Set(
        [...result.manifest.renditions, ...result.manifest.audioTracks]
          .filter((rendition) => ('tier' in rendition ? rendition.tier : 'SD') === tier)
          .flatMap((rendition) => decrypted.get(rendition.playlist)!.map((segment) => segment.keyId)),
      );
    for (const [playlist, segments] of decrypted) {
      const switches = keySwitches(segments).map(([index]) => index);
      const expected = segments.map((_, index) => index).filter((index) => index % 2 === 0);
      assert.deepEqual(switches, expected, playlist);
    }
    const hd = used('HD');
    const sd = used('SD');
    assert.equal(hd.size, 2);
    assert.ok(
      [...hd].every((keyId) => !sd.has(keyId)),
      'HD and SD never share a key',
    );
    const v240 = keySwitches(decrypted.get('v240/index.m3u8')!);
    const v480 = keySwitches(decrypted.get('v480/index.m3u8')!);
    const english = keySwitches(decrypted.get('a-eng/index.m3u8')!);
    assert.deepEqual(v240, v480, 'one key per tier and period, shared by the tier’s renditions');
    assert.deepEqual(english.slice(0, v240.length), v240, 'audio follows the SD keys');
    for (const key of result.manifest.keys) {
      assert.equal(key.key.length, 16);
      assert.equal(key.iv.length, 16);
      assert.ok(key.renditions.length > 0);
    }
    assert.deepEqual(
      result.manifest.keys
        .filter((key) => key.tier === 'HD')
        .map((key) => [key.firstSegment, key.renditions]),
      [
        [0, ['v720']],
        [2, ['v720']],
      ],
    );
  });

  it('offers both audio languages, the first as default', async () => {
    const master = await readMaster(result.outputDir);
    const audio = master.variants[0]!.audio;
    assert.deepEqual(
      audio.map((track) => [track.language, track.name, track.isDefault, track.autoselect, track.uri]),
      [
        ['en', 'English', true, true, 'a-eng/index.m3u8'],
        ['de', 'German', false, true, 'a-ger/index.m3u8'],
      ],
    );
    assert.ok(master.variants.every((variant) => variant.audio.length === 2));
  });

  it('serves the SRT as WebVTT, mapped onto the video timeline', async () => {
    const master = await readMaster(result.outputDir);
    const [subtitles] = master.variants[0]!.subtitles;
    assert.deepEqual(
      [subtitles?.language, subtitles?.name, subtitles?.uri],
      ['en', 'English', 'subs/en.m3u8'],
    );
    const playlist = await readMediaPlaylist(result.outputDir, 'subs/en.m3u8');
    assert.equal(playlist.segments[0]?.uri, 'en.vtt');
    const vtt = await readFile(path.join(result.outputDir, 'subs/en.vtt'), 'utf8');
    const firstSegment = path.join(scratch.dir, 'first-video-segment.ts');
    await writeFile(firstSegment, decrypted.get('v240/index.m3u8')![0]!.plain);
    const firstPts = await firstVideoPts(firstSegment);
    assert.match(vtt, new RegExp(`^WEBVTT\\nX-TIMESTAMP-MAP=MPEGTS:${firstPts},LOCAL:00:00:00\\.000\\n`));
    assert.ok(vtt.includes('\n00:00.500 --> 00:01.500\nHello, <i>world</i>\n'), vtt);
  });

  it('adds a poster, thumbnail sprites and their WebVTT track', async () => {
    const poster = await readFile(path.join(result.outputDir, result.manifest.poster));
    assert.deepEqual([...poster.subarray(0, 2)], [0xff, 0xd8], 'JPEG');
    assert.deepEqual(result.manifest.thumbnails.sprites, ['thumbs/sprite-0001.jpg']);
    const track = await readFile(path.join(result.outputDir, result.manifest.thumbnails.track), 'utf8');
    assert.match(track, /^WEBVTT\n\n00:00:00\.000 --> 00:00:01\.000\nsprite-0001\.jpg#xywh=0,0,160,90\n/);
    assert.equal(track.match(/-->/g)?.length, 3);
  });

  it('reports progress from 0 to 100, never backwards, and leaves only the package', async () => {
    assert.equal(progress.at(-1), 100);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
    assert.ok(
      progress.some((percent) => percent > 0 && percent <= 90),
      'encoding progress',
    );
    assert.deepEqual(await readdir(path.join(scratch.dir, 'work')), ['output']);
    assert.ok(result.files.includes('master.m3u8') && result.files.includes('v720/seg-00003.ts'));
    assert.ok(!result.files.some((file) => file.endsWith('.key')), 'no key file is ever written');
    assert.equal(result.probe.audio.length, 2);
  });
});
