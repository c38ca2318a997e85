import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePackageManifest, type PackageManifest } from './package-manifest.ts';

const manifest: PackageManifest = {
  masterPlaylist: 'master.m3u8',
  renditions: [
    {
      name: 'v720',
      width: 1280,
      height: 720,
      tier: 'HD',
      bandwidth: 1_500_000,
      averageBandwidth: 1_200_000,
      codecs: 'avc1.64001f,mp4a.40.2',
      frameRate: 25,
      playlist: 'v720/index.m3u8',
      segmentCount: 3,
      durationSeconds: 12,
    },
  ],
  audioTracks: [
    {
      name: 'a-eng',
      language: 'en',
      label: 'English',
      channels: 2,
      isDefault: true,
      bandwidth: 130_000,
      averageBandwidth: 128_000,
      playlist: 'a-eng/index.m3u8',
      segmentCount: 3,
      durationSeconds: 12,
    },
  ],
  subtitleTracks: [],
  segmentSeconds: 4,
  poster: 'poster.jpg',
  thumbnails: {
    track: 'thumbs/thumbnails.vtt',
    sprites: ['thumbs/sprite-0001.jpg'],
    intervalSeconds: 5,
    width: 160,
    height: 90,
    columns: 10,
    rows: 10,
  },
};

describe('parsePackageManifest', () => {
  it('reads back what a transcode stored, typed', () => {
    const stored: unknown = JSON.parse(JSON.stringify(manifest));
    assert.deepEqual(parsePackageManifest(stored, 'asset-1'), manifest);
  });

  it('drops keys that are not part of the manifest (content keys never ride along)', () => {
    const parsed = parsePackageManifest({ ...manifest, keys: [{ key: 'secret' }] }, 'asset-1');
    assert.equal('keys' in parsed, false);
  });

  const broken: Array<[string, unknown]> = [
    ['not an object', 'master.m3u8'],
    ['no renditions', { ...manifest, renditions: undefined }],
    ['an unknown tier', { ...manifest, renditions: [{ ...manifest.renditions[0], tier: '8K' }] }],
    ['a height as text', { ...manifest, renditions: [{ ...manifest.renditions[0], height: '720' }] }],
    ['no thumbnails', { ...manifest, thumbnails: null }],
  ];
  for (const [name, stored] of broken) {
    it(`refuses a stored manifest with ${name}, naming the asset`, () => {
      assert.throws(() => parsePackageManifest(stored, 'asset-7'), /asset asset-7/);
    });
  }
});
