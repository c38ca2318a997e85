import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, type types } from 'hls-parser';
import { renderMasterPlaylist, renderMediaPlaylist } from '../media/playlists.ts';
import { planThumbnails, renderThumbnailsVtt } from '../media/thumbnails.ts';
import { PlaybackPlanRequired } from './playback.errors.ts';
import {
  filterMasterPlaylist,
  fitsHeight,
  maxBitrateFor,
  parseAttributeList,
  rewriteThumbnailCues,
  rewriteUris,
  type UriKind,
} from './playlist-rewrite.ts';

const ladder = [
  { p: 240, width: 426, height: 240, bandwidth: 600_000 },
  { p: 360, width: 640, height: 360, bandwidth: 1_100_000 },
  { p: 480, width: 854, height: 480, bandwidth: 1_900_000 },
  { p: 720, width: 1280, height: 720, bandwidth: 3_600_000 },
  { p: 1080, width: 1920, height: 1080, bandwidth: 6_200_000 },
  { p: 1440, width: 2560, height: 1440, bandwidth: 11_000_000 },
  { p: 2160, width: 3840, height: 2160, bandwidth: 19_500_000 },
];

/** The master playlist exactly as the packager writes it. */
const master = renderMasterPlaylist({
  variants: ladder.map((rung) => ({
    ...rung,
    uri: `v${rung.p}/index.m3u8`,
    averageBandwidth: Math.round(rung.bandwidth * 0.8),
    codecs: 'avc1.640028,mp4a.40.2',
    frameRate: 30000 / 1001,
  })),
  audio: [
    { uri: 'a-eng/index.m3u8', language: 'en', name: 'English, 5.1', isDefault: true, channels: 2 },
    { uri: 'a-fra/index.m3u8', language: 'fr', name: 'Français', isDefault: false, channels: 2 },
  ],
  subtitles: [{ uri: 'subs/fr.m3u8', language: 'fr', name: 'Français', isDefault: false, forced: false }],
});

const variantUris = (text: string) =>
  (parse(text) as types.MasterPlaylist).variants.filter((v) => !v.isIFrameOnly).map((v) => v.uri);

describe('filterMasterPlaylist', () => {
  const cases: Array<[number, number[]]> = [
    [240, [240]],
    [360, [240, 360]],
    [480, [240, 360, 480]],
    [720, [240, 360, 480, 720]],
    [1080, [240, 360, 480, 720, 1080]],
    [2160, [240, 360, 480, 720, 1080, 1440, 2160]],
    [Number.POSITIVE_INFINITY, [240, 360, 480, 720, 1080, 1440, 2160]],
  ];
  for (const [maxHeight, expected] of cases) {
    it(`at ${maxHeight} keeps exactly ${expected.join('/')} with their URIs`, () => {
      const text = filterMasterPlaylist({ text: master, maxHeight });
      const streamInf = text.split('\n').filter((line) => line.startsWith('#EXT-X-STREAM-INF:'));
      assert.deepEqual(
        streamInf.map((line) => /RESOLUTION=\d+x(\d+)/.exec(line)![1]),
        expected.map(String),
      );
      assert.deepEqual(
        variantUris(text),
        expected.map((p) => `v${p}/index.m3u8`),
      );
      // Each kept tag is followed by its own URI, and media groups survive untouched.
      for (const p of expected) {
        const lines = text.split('\n');
        const index = lines.findIndex((line) =>
          line.includes(`RESOLUTION=${ladder.find((r) => r.p === p)!.width}x${p},`),
        );
        assert.equal(lines[index + 1], `v${p}/index.m3u8`);
      }
      assert.equal(text.split('\n').filter((line) => line.startsWith('#EXT-X-MEDIA:')).length, 3);
      assert.ok(text.includes('NAME="English, 5.1",'), 'a comma inside a quoted string is not a separator');
    });
  }

  it('leaves the playlist byte for byte when everything fits', () => {
    assert.equal(filterMasterPlaylist({ text: master, maxHeight: 4320 }), master);
  });

  it('lists HEVC variants only for a client that declared HEVC, still within the cap', () => {
    const mixed = renderMasterPlaylist({
      variants: [
        { p: 720, codecs: 'avc1.64001f,mp4a.40.2' },
        { p: 1080, codecs: 'avc1.640028,mp4a.40.2' },
        { p: 1080, codecs: 'hvc1.1.6.L120.90,mp4a.40.2', uri: 'h1080/index.m3u8' },
        { p: 2160, codecs: 'hvc1.1.6.L150.90,mp4a.40.2', uri: 'h2160/index.m3u8' },
      ].map(({ p, codecs, uri }) => ({
        uri: uri ?? `v${p}/index.m3u8`,
        bandwidth: p * 1000 + (codecs.startsWith('hvc1') ? 1 : 0),
        averageBandwidth: p * 900,
        width: Math.round((p * 16) / 9),
        height: p,
        codecs,
        frameRate: 30,
      })),
    });
    const table: Array<[string, number, string[] | undefined, string[]]> = [
      ['no codecs declared', 2160, undefined, ['v720/index.m3u8', 'v1080/index.m3u8']],
      ['an empty list', 2160, [], ['v720/index.m3u8', 'v1080/index.m3u8']],
      ['an unknown codec', 2160, ['av1'], ['v720/index.m3u8', 'v1080/index.m3u8']],
      [
        'HEVC at 2160',
        2160,
        ['hevc'],
        ['v720/index.m3u8', 'v1080/index.m3u8', 'h1080/index.m3u8', 'h2160/index.m3u8'],
      ],
      ['HEVC at 1080', 1080, ['hevc'], ['v720/index.m3u8', 'v1080/index.m3u8', 'h1080/index.m3u8']],
      ['HEVC at 720', 720, ['hevc'], ['v720/index.m3u8']],
    ];
    for (const [name, maxHeight, codecs, expected] of table) {
      assert.deepEqual(
        variantUris(filterMasterPlaylist({ text: mixed, maxHeight, ...(codecs && { codecs }) })),
        expected,
        name,
      );
    }
  });

  it('refuses with PLAYBACK_PLAN_REQUIRED rather than produce a playlist without variants', () => {
    assert.throws(
      () => filterMasterPlaylist({ text: master, maxHeight: 144 }),
      (error) => PlaybackPlanRequired.is(error),
    );
  });

  it('refuses text that is not a master playlist', () => {
    assert.throws(() => filterMasterPlaylist({ text: 'hello', maxHeight: 720 }), /no #EXTM3U/);
    const media = renderMediaPlaylist({ segments: [{ uri: 's0.ts', duration: 6 }] });
    assert.throws(() => filterMasterPlaylist({ text: media, maxHeight: 720 }), /not a master playlist/);
    assert.throws(
      () =>
        filterMasterPlaylist({
          text: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-ENDLIST',
          maxHeight: 720,
        }),
      /no URI/,
    );
  });

  it('filters I-frame variants and drops variants it cannot measure', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS="mp4a.40.2"',
      'audio-only/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=600000,RESOLUTION=426x240',
      '# a comment between tag and URI',
      '',
      'v240/index.m3u8',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,RESOLUTION=426x240,URI="v240/iframes.m3u8"',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=900000,RESOLUTION=1920x1080,URI="v1080/iframes.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=6000000,RESOLUTION=1920x1080',
      'v1080/index.m3u8',
      '',
    ].join('\n');
    const filtered = filterMasterPlaylist({ text, maxHeight: 720 });
    assert.deepEqual(variantUris(filtered), ['v240/index.m3u8']);
    assert.ok(filtered.includes('v240/iframes.m3u8'));
    assert.ok(!filtered.includes('v1080'));
    assert.ok(!filtered.includes('audio-only'));
  });
});

describe('fitsHeight', () => {
  const cases: Array<[string, number, number, number, boolean]> = [
    ['16:9 at the cap', 1280, 720, 720, true],
    ['16:9 above', 1920, 1080, 720, false],
    ['480p rounded up to 854 wide', 854, 480, 480, true],
    ['vertical 720p (HD) for a 720 plan', 720, 1280, 720, true],
    ['vertical 1080p (FHD) for a 720 plan', 1080, 1920, 720, false],
    ['scope 1080p rung (FHD) for a 720 plan', 1920, 800, 720, false],
    ['ultra-wide 1080p rung (FHD) for a 720 plan', 1920, 696, 720, false],
    ['scope 720p rung', 1280, 534, 720, true],
    ['4:3 720p rung', 960, 720, 720, true],
    ['tiny source', 320, 240, 240, true],
  ];
  for (const [name, width, height, maxHeight, expected] of cases) {
    it(`${name}: ${width}x${height} under ${maxHeight} → ${expected}`, () => {
      assert.equal(fitsHeight({ width, height, maxHeight }), expected);
    });
  }
});

describe('maxBitrateFor', () => {
  it('is the highest bandwidth that fits, or undefined', () => {
    assert.equal(maxBitrateFor(ladder, 720), 3_600_000);
    assert.equal(maxBitrateFor(ladder, 1080), 6_200_000);
    assert.equal(maxBitrateFor(ladder, 100), undefined);
  });
});

describe('rewriteUris', () => {
  const sign = (uri: string, kind: UriKind) => `https://cdn.example/${kind}/${uri}?pt=tok`;

  it('rewrites every URI of a master playlist by kind, touching nothing else', () => {
    const seen: Array<[string, UriKind]> = [];
    const text = rewriteUris({
      text: master,
      rewrite: (uri, kind) => {
        seen.push([uri, kind]);
        return sign(uri, kind);
      },
    });
    assert.deepEqual(seen.slice(0, 4), [
      ['a-eng/index.m3u8', 'media'],
      ['a-fra/index.m3u8', 'media'],
      ['subs/fr.m3u8', 'media'],
      ['v240/index.m3u8', 'variant'],
    ]);
    assert.equal(seen.length, 3 + ladder.length);
    const parsed = parse(text) as types.MasterPlaylist;
    assert.equal(parsed.variants[3]!.uri, 'https://cdn.example/variant/v720/index.m3u8?pt=tok');
    assert.equal(parsed.variants[0]!.audio[0]!.uri, 'https://cdn.example/media/a-eng/index.m3u8?pt=tok');
    assert.equal(parsed.variants[0]!.audio[0]!.name, 'English, 5.1');
    const untouched = (playlist: string) =>
      playlist.split('\n').map((line) => line.replace(/URI="[^"]*"/, ''));
    assert.deepEqual(
      untouched(text).filter((line) => line.startsWith('#')),
      untouched(master).filter((line) => line.startsWith('#')),
    );
  });

  it('rewrites keys, maps and segments of a media playlist', () => {
    const media = renderMediaPlaylist({
      segments: [
        { uri: 'seg-0.ts', duration: 6, encryption: { uri: '/api/keys/k1', iv: Buffer.alloc(16, 1) } },
        { uri: 'seg-1.ts', duration: 6, encryption: { uri: '/api/keys/k2', iv: Buffer.alloc(16, 2) } },
      ],
    }).replace('#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI="init.mp4"');
    const kinds: Array<[string, UriKind]> = [];
    const text = rewriteUris({
      text: media,
      rewrite: (uri, kind) => (kinds.push([uri, kind]), `${uri}?pt=t`),
    });
    assert.deepEqual(kinds, [
      ['init.mp4', 'map'],
      ['/api/keys/k1', 'key'],
      ['seg-0.ts', 'segment'],
      ['/api/keys/k2', 'key'],
      ['seg-1.ts', 'segment'],
    ]);
    const parsed = parse(text) as types.MediaPlaylist;
    assert.equal(parsed.segments[1]!.key!.uri, '/api/keys/k2?pt=t');
    assert.ok(text.includes(',IV=0x02020202020202020202020202020202'));
    assert.equal(parsed.segments[0]!.uri, 'seg-0.ts?pt=t');
  });

  it('refuses URIs that would break the playlist, and tags it cannot classify', () => {
    for (const bad of ['a"b', 'a\nb', '#EXTINF:1,', '']) {
      assert.throws(() => rewriteUris({ text: master, rewrite: () => bad }), RangeError, JSON.stringify(bad));
    }
    assert.throws(
      () =>
        rewriteUris({ text: '#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID="x",URI="d.json"\n', rewrite: (u) => u }),
      /SESSION-DATA/,
    );
  });
});

describe('parseAttributeList', () => {
  it('keeps commas inside quoted strings and values as written', () => {
    assert.deepEqual(parseAttributeList('A=1,B="x,y",RESOLUTION=1280x720,C=0x0F'), [
      ['A', '1'],
      ['B', '"x,y"'],
      ['RESOLUTION', '1280x720'],
      ['C', '0x0F'],
    ]);
    assert.throws(() => parseAttributeList('A="unterminated'), /malformed/);
    assert.throws(() => parseAttributeList('lower=1'), /malformed/);
  });
});

describe('rewriteThumbnailCues', () => {
  const track = renderThumbnailsVtt({
    plan: planThumbnails({
      durationSeconds: 12,
      displayWidth: 1920,
      displayHeight: 1080,
      columns: 2,
      rows: 1,
    }),
    durationSeconds: 12,
  });
  it('signs each cue’s sprite sheet and keeps its #xywh fragment, the timings and the header', () => {
    const rewritten = rewriteThumbnailCues({ text: track, rewrite: (uri) => `/api/delivery/p/${uri}?pt=t` });
    const original = track.split('\n');
    const lines = rewritten.split('\n');
    assert.equal(lines.length, original.length);
    for (const [index, line] of original.entries()) {
      if (/#xywh=/.test(line)) assert.equal(lines[index], `/api/delivery/p/${line.replace('#', '?pt=t#')}`);
      else assert.equal(lines[index], line);
    }
    assert.deepEqual(
      lines.filter((line) => line.includes('#xywh')),
      [
        '/api/delivery/p/sprite-0001.jpg?pt=t#xywh=0,0,160,90',
        '/api/delivery/p/sprite-0001.jpg?pt=t#xywh=160,0,160,90',
        '/api/delivery/p/sprite-0002.jpg?pt=t#xywh=0,0,160,90',
      ],
    );
  });
  it('leaves lines that only look like references alone', () => {
    for (const line of [
      'NOTE sprite-0001.jpg#xywh=0,0,1,1',
      'a.jpg?x=1#xywh=0,0,1,1',
      'a.gif#xywh=0,0,1,1',
    ]) {
      assert.equal(rewriteThumbnailCues({ text: line, rewrite: () => 'X' }), line);
    }
  });
});
