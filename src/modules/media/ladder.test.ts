import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { probeFixture } from '../../../test/support/media-clips.ts';
import { avcCodecString, h264LevelFor } from './h264.ts';
import { bcp47, chooseLadder, tierFor } from './ladder.ts';
import type { MediaProbe } from './probe.ts';

const sizes = (options: Parameters<typeof chooseLadder>[0]) =>
  chooseLadder(options).video.map((rendition) => `${rendition.name} ${rendition.width}x${rendition.height}`);

describe('chooseLadder', () => {
  const cases: Array<{
    name: string;
    video: Partial<MediaProbe['video']>;
    expected: string[];
  }> = [
    {
      name: '1080p gets every rung up to 1080p',
      video: { width: 1920, height: 1080 },
      expected: ['v240 426x240', 'v360 640x360', 'v480 854x480', 'v720 1280x720', 'v1080 1920x1080'],
    },
    {
      name: '720p never upscales',
      video: { width: 1280, height: 720 },
      expected: ['v240 426x240', 'v360 640x360', 'v480 854x480', 'v720 1280x720'],
    },
    {
      name: '2160p reaches UHD',
      video: { width: 3840, height: 2160 },
      expected: [
        'v240 426x240',
        'v360 640x360',
        'v480 854x480',
        'v720 1280x720',
        'v1080 1920x1080',
        'v2160 3840x2160',
      ],
    },
    {
      name: 'vertical 360x640 stays vertical, short side is p',
      video: { width: 360, height: 640 },
      expected: ['v240 240x426', 'v360 360x640'],
    },
    {
      name: 'a phone recording flagged as rotated is laid out by its displayed shape',
      video: { width: 1920, height: 1080, displayWidth: 1080, displayHeight: 1920, rotation: 90 },
      expected: ['v240 240x426', 'v360 360x640', 'v480 480x854', 'v720 720x1280', 'v1080 1080x1920'],
    },
    {
      name: 'scope 1920x800 stays in the 1080p rung',
      video: { width: 1920, height: 800 },
      expected: ['v240 426x178', 'v360 640x266', 'v480 854x356', 'v720 1280x534', 'v1080 1920x800'],
    },
    {
      name: '4:3 640x480 keeps its aspect',
      video: { width: 640, height: 480 },
      expected: ['v240 320x240', 'v360 480x360', 'v480 640x480'],
    },
    {
      name: 'a source below 240p is kept at its own size',
      video: { width: 320, height: 180 },
      expected: ['v180 320x180'],
    },
    {
      name: 'odd sizes become even, never larger than the source',
      video: { width: 201, height: 113 },
      expected: ['v112 200x112'],
    },
    {
      name: 'anamorphic pixels are shown at display size',
      video: { width: 720, height: 576, displayWidth: 1024, displayHeight: 576, pixelAspect: 64 / 45 },
      expected: ['v240 426x240', 'v360 640x360', 'v480 854x480'],
    },
  ];
  for (const { name, video, expected } of cases) {
    it(name, () => assert.deepEqual(sizes({ probe: probeFixture({ video }) }), expected));
  }

  it('assigns tiers, bitrates, VBV and a level to each rendition', () => {
    const ladder = chooseLadder({ probe: probeFixture({ video: { width: 3840, height: 2160 } }) });
    assert.deepEqual(
      ladder.video.map((rendition) => [rendition.name, rendition.tier]),
      [
        ['v240', 'SD'],
        ['v360', 'SD'],
        ['v480', 'SD'],
        ['v720', 'HD'],
        ['v1080', 'FHD'],
        ['v2160', 'UHD'],
      ],
    );
    const v720 = ladder.video.find((rendition) => rendition.name === 'v720')!;
    assert.deepEqual(
      [v720.videoBitrateKbps, v720.maxrateKbps, v720.bufsizeKbps, v720.level],
      [2800, 4200, 8400, '3.1'],
    );
    assert.equal(ladder.video.at(-1)!.level, '5.1');
  });

  it('takes configured rungs, in any order, with explicit VBV', () => {
    const ladder = chooseLadder({
      probe: probeFixture(),
      rungs: [
        { p: 1080, videoBitrateKbps: 6000, maxrateKbps: 6500, bufsizeKbps: 12000 },
        { p: 540, videoBitrateKbps: 2000 },
      ],
    });
    assert.deepEqual(
      ladder.video.map((rendition) => [
        rendition.name,
        rendition.width,
        rendition.maxrateKbps,
        rendition.tier,
      ]),
      [
        ['v540', 960, 3000, 'HD'],
        ['v1080', 1920, 6500, 'FHD'],
      ],
    );
  });

  it('caps the frame rate by keeping every n-th frame, and keeps 59.94 as it is', () => {
    const fast = chooseLadder({ probe: probeFixture({ video: { fps: 120, frameRate: '120/1' } }) });
    assert.deepEqual([fast.fps, fast.frameRate, fast.frameStep], [60, '60/1', 2]);
    const ntsc = chooseLadder({
      probe: probeFixture({ video: { fps: 60000 / 1001, frameRate: '60000/1001' } }),
    });
    assert.deepEqual([ntsc.frameStep, ntsc.frameRate], [1, '60000/1001']);
  });

  it('turns every audio track into stereo-at-most AAC with one default and unique names', () => {
    const ladder = chooseLadder({
      probe: probeFixture({
        audio: [
          {
            index: 1,
            codec: 'ac3',
            channels: 6,
            sampleRate: 48000,
            language: 'eng',
            title: null,
            isDefault: false,
          },
          {
            index: 2,
            codec: 'aac',
            channels: 2,
            sampleRate: 48000,
            language: 'fre',
            title: null,
            isDefault: true,
          },
          {
            index: 3,
            codec: 'aac',
            channels: 1,
            sampleRate: 44100,
            language: 'eng',
            title: 'Commentary',
            isDefault: false,
          },
          {
            index: 4,
            codec: 'aac',
            channels: 2,
            sampleRate: 48000,
            language: 'und',
            title: null,
            isDefault: false,
          },
        ],
      }),
      audioBitrateKbps: 96,
    });
    assert.deepEqual(
      ladder.audio.map((track) => [track.name, track.language, track.label, track.channels, track.isDefault]),
      [
        ['a-eng', 'en', 'English', 2, false],
        ['a-fre', 'fr', 'French', 2, true],
        ['a-eng-2', 'en', 'Commentary', 1, false],
        ['a-und', 'und', 'Audio 4', 2, false],
      ],
    );
    assert.ok(ladder.audio.every((track) => track.bitrateKbps === 96));
  });

  it('marks interlaced sources for deinterlacing', () => {
    assert.equal(chooseLadder({ probe: probeFixture({ video: { interlaced: true } }) }).deinterlace, true);
  });
});

describe('tiers, levels and languages', () => {
  it('tierFor: SD up to 480p, HD up to 720p, FHD up to 1080p, UHD above', () => {
    assert.deepEqual([144, 480, 540, 720, 1080, 1440, 2160].map(tierFor), [
      'SD',
      'SD',
      'HD',
      'HD',
      'FHD',
      'UHD',
      'UHD',
    ]);
  });

  const levels: Array<[string, Parameters<typeof h264LevelFor>[0], string]> = [
    ['240p30', { width: 426, height: 240, fps: 30, maxrateKbps: 600, bufsizeKbps: 1200 }, '2.1'],
    ['360p30', { width: 640, height: 360, fps: 30, maxrateKbps: 1200, bufsizeKbps: 2400 }, '3'],
    ['720p30', { width: 1280, height: 720, fps: 30, maxrateKbps: 4200, bufsizeKbps: 8400 }, '3.1'],
    ['720p60', { width: 1280, height: 720, fps: 60, maxrateKbps: 4200, bufsizeKbps: 8400 }, '3.2'],
    ['1080p30', { width: 1920, height: 1080, fps: 30, maxrateKbps: 7500, bufsizeKbps: 15000 }, '4'],
    [
      '1080p30 at a high peak',
      { width: 1920, height: 1080, fps: 30, maxrateKbps: 30000, bufsizeKbps: 30000 },
      '4.1',
    ],
    [
      'vertical 1080x1920',
      { width: 1080, height: 1920, fps: 30, maxrateKbps: 7500, bufsizeKbps: 15000 },
      '4',
    ],
    ['2160p30', { width: 3840, height: 2160, fps: 30, maxrateKbps: 24000, bufsizeKbps: 48000 }, '5.1'],
  ];
  for (const [name, stream, expected] of levels) {
    it(`h264LevelFor ${name} → ${expected}`, () => assert.equal(h264LevelFor(stream), expected));
  }

  it('avcCodecString writes the SPS bytes as RFC 6381 hex', () => {
    assert.equal(avcCodecString({ profileIdc: 100, constraintFlags: 0, levelIdc: 31 }), 'avc1.64001f');
    assert.equal(avcCodecString({ profileIdc: 66, constraintFlags: 0xc0, levelIdc: 30 }), 'avc1.42c01e');
  });

  it('bcp47 maps ISO 639-2, bibliographic codes included, to RFC 5646', () => {
    assert.deepEqual(['eng', 'fre', 'ger', 'jpn', 'und', 'en'].map(bcp47), [
      'en',
      'fr',
      'de',
      'ja',
      'und',
      'en',
    ]);
  });
});
