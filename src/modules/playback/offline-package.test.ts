import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyIdOf, offlineMediaPlaylist, singleVariantMaster } from './offline-package.ts';

const master = [
  '#EXTM3U',
  '#EXT-X-VERSION:6',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="a-eng/index.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240,AUDIO="aud"',
  'v240/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=1000000,RESOLUTION=1280x720,AUDIO="aud"',
  'v720/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1920x1080,AUDIO="aud"',
  'v1080/index.m3u8',
  '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,RESOLUTION=1280x720,URI="v720/iframes.m3u8"',
  '',
].join('\n');

const media = [
  '#EXTM3U',
  '#EXT-X-TARGETDURATION:2',
  '#EXT-X-KEY:METHOD=AES-128,URI="/api/keys/11111111-1111-4111-8111-111111111111",IV=0x00000000000000000000000000000001',
  '#EXTINF:2.0,',
  'seg-0.ts',
  '#EXTINF:2.0,',
  'seg-1.ts',
  '#EXT-X-ENDLIST',
].join('\n');

describe('offline package', () => {
  it('keeps one variant, the audio groups, and no I-frame playlists', () => {
    const text = singleVariantMaster({ text: master, variant: 'v720/index.m3u8' });
    assert.match(text, /RESOLUTION=1280x720,AUDIO="aud"\nv720\/index\.m3u8/);
    assert.doesNotMatch(text, /v240|v1080|I-FRAME/);
    assert.match(text, /EXT-X-MEDIA:TYPE=AUDIO/);
    assert.throws(() => singleVariantMaster({ text: master, variant: 'v480/index.m3u8' }));
  });

  it('names keys by id and lists the segments with signed URLs, keeping relative paths', () => {
    const { text, files } = offlineMediaPlaylist({
      text: media,
      path: 'v720/index.m3u8',
      fileUrl: (path) => `/api/delivery/pkg/${path}?t=sig`,
    });
    assert.match(text, /URI="skd:\/\/11111111-1111-4111-8111-111111111111"/);
    assert.match(text, /\nseg-0\.ts\n/);
    assert.deepEqual(files, [
      { path: 'v720/seg-0.ts', url: '/api/delivery/pkg/v720/seg-0.ts?t=sig' },
      { path: 'v720/seg-1.ts', url: '/api/delivery/pkg/v720/seg-1.ts?t=sig' },
    ]);
  });

  it('refuses segment URIs that would not resolve inside the package', () => {
    for (const uri of ['https://elsewhere/seg.ts', '/abs/seg.ts', '../other/seg.ts']) {
      assert.throws(() =>
        offlineMediaPlaylist({
          text: media.replace('seg-0.ts', uri),
          path: 'v720/index.m3u8',
          fileUrl: String,
        }),
      );
    }
  });

  it('reads key ids from key-server URIs and skd ids', () => {
    assert.equal(keyIdOf('/api/keys/abc?token=x'), 'abc');
    assert.equal(keyIdOf('skd://abc'), 'abc');
  });
});
