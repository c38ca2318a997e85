import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, type types } from 'hls-parser';
import { measureBandwidth, planContentKeys, type KeySource } from './content-keys.ts';
import { withTimestampMap } from './hls-package.ts';
import {
  parseMediaPlaylist,
  renderMasterPlaylist,
  renderMediaPlaylist,
  renderSubtitlePlaylist,
} from './playlists.ts';

describe('renderMasterPlaylist', () => {
  const text = renderMasterPlaylist({
    variants: [
      {
        uri: 'v720/index.m3u8',
        bandwidth: 3_100_000.4,
        averageBandwidth: 2_900_000,
        width: 1280,
        height: 720,
        codecs: 'avc1.64001f,mp4a.40.2',
        frameRate: 30000 / 1001,
      },
      {
        uri: 'v240/index.m3u8',
        bandwidth: 600_000,
        averageBandwidth: 550_000,
        width: 426,
        height: 240,
        codecs: 'avc1.640015,mp4a.40.2',
        frameRate: 30000 / 1001,
      },
    ],
    audio: [
      { uri: 'a-eng/index.m3u8', language: 'en', name: 'English', isDefault: true, channels: 2 },
      { uri: 'a-und/index.m3u8', language: 'und', name: 'Commentary', isDefault: false, channels: 1 },
    ],
    subtitles: [{ uri: 'subs/fr.m3u8', language: 'fr', name: 'Français', isDefault: false, forced: false }],
  });
  const master = parse(text) as types.MasterPlaylist;

  it('is a master playlist with independent segments', () => {
    assert.equal(master.isMasterPlaylist, true);
    assert.equal(master.independentSegments, true);
    assert.match(text, /^#EXTM3U\n#EXT-X-VERSION:3\n/);
  });

  it('lists variants from the lowest bandwidth, with every attribute a player chooses by', () => {
    const [low, high] = master.variants;
    assert.equal(low!.uri, 'v240/index.m3u8');
    assert.equal(high!.bandwidth, 3_100_001, 'rounded up: declared must not be below measured');
    assert.equal(high!.averageBandwidth, 2_900_000);
    assert.deepEqual(high!.resolution, { width: 1280, height: 720 });
    assert.equal(high!.codecs, 'avc1.64001f,mp4a.40.2');
    assert.equal(high!.frameRate, 29.97);
    assert.match(text, /FRAME-RATE=29\.970,/);
  });

  it('groups audio and subtitles and links every variant to them', () => {
    const variant = master.variants[0]!;
    assert.deepEqual(
      variant.audio.map((track) => [
        track.groupId,
        track.language,
        track.name,
        track.isDefault,
        track.autoselect,
      ]),
      [
        ['aud', 'en', 'English', true, true],
        ['aud', undefined, 'Commentary', false, true],
      ],
    );
    assert.equal(variant.audio[0]!.channels, '2');
    assert.deepEqual(
      variant.subtitles.map((track) => [track.type, track.groupId, track.language, track.uri]),
      [['SUBTITLES', 'subs', 'fr', 'subs/fr.m3u8']],
    );
  });

  it('keeps quoted-strings free of double quotes and line breaks (RFC 8216 §4.2)', () => {
    // Checked on the text: hls-parser reads an apostrophe as a quote, which real players don't.
    const text = renderMasterPlaylist({
      variants: [],
      audio: [{ uri: 'a/index.m3u8', language: 'en', name: 'The "big"\nsound', isDefault: true }],
    });
    assert.match(text, /NAME="The 'big' sound",/);
  });

  it('has no AUDIO or SUBTITLES attributes when there are none', () => {
    const bare = renderMasterPlaylist({
      variants: [
        {
          uri: 'v360/index.m3u8',
          bandwidth: 1,
          averageBandwidth: 1,
          width: 640,
          height: 360,
          codecs: 'avc1.64001e',
          frameRate: 25,
        },
      ],
    });
    assert.doesNotMatch(bare, /AUDIO=|SUBTITLES=|EXT-X-MEDIA/);
  });
});

describe('media playlists', () => {
  const iv = (byte: number) => new Uint8Array(16).fill(byte);
  const segments = [
    { uri: 'seg-00001.ts', duration: 4, encryption: { uri: '/api/keys/a', iv: iv(1) } },
    { uri: 'seg-00002.ts', duration: 4, encryption: { uri: '/api/keys/a', iv: iv(1) } },
    { uri: 'seg-00003.ts', duration: 4.5, encryption: { uri: '/api/keys/b', iv: iv(2) } },
    { uri: 'seg-00004.ts', duration: 1.2, encryption: { uri: '/api/keys/b', iv: iv(2) } },
  ];
  const text = renderMediaPlaylist({ segments });

  it('writes EXT-X-KEY only where the key changes, with an explicit IV', () => {
    const keyLines = text.split('\n').filter((line) => line.startsWith('#EXT-X-KEY'));
    assert.deepEqual(keyLines, [
      `#EXT-X-KEY:METHOD=AES-128,URI="/api/keys/a",IV=0x${'01'.repeat(16)}`,
      `#EXT-X-KEY:METHOD=AES-128,URI="/api/keys/b",IV=0x${'02'.repeat(16)}`,
    ]);
    const parsed = parse(text) as types.MediaPlaylist;
    assert.deepEqual(
      parsed.segments.map((segment) => segment.key?.uri),
      ['/api/keys/a', '/api/keys/a', '/api/keys/b', '/api/keys/b'],
    );
    assert.equal(Buffer.from(parsed.segments[2]!.key!.iv!).toString('hex'), '02'.repeat(16));
  });

  it('is a finished VOD playlist whose target duration covers every segment', () => {
    const parsed = parse(text) as types.MediaPlaylist;
    assert.equal(parsed.playlistType, 'VOD');
    assert.equal(parsed.endlist, true);
    assert.equal(parsed.targetDuration, 5, '4.5 rounds to 5 (RFC 8216 §4.3.3.1)');
    assert.equal(parsed.mediaSequenceBase, 0);
  });

  it('reads back what ffmpeg writes, and refuses what it never would', () => {
    const ffmpegOutput =
      '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n' +
      '#EXT-X-INDEPENDENT-SEGMENTS\n#EXTINF:4.000000,\nseg-00001.ts\n#EXTINF:2.502000,\nseg-00002.ts\n#EXT-X-ENDLIST\n';
    assert.deepEqual(parseMediaPlaylist(ffmpegOutput), [
      { uri: 'seg-00001.ts', duration: 4 },
      { uri: 'seg-00002.ts', duration: 2.502 },
    ]);
    assert.throws(() => parseMediaPlaylist('seg.ts'), /EXTM3U/);
    assert.throws(() => parseMediaPlaylist('#EXTM3U\n#EXTINF:4,\na.ts\n'), /ENDLIST/);
    assert.throws(() => parseMediaPlaylist('#EXTM3U\na.ts\n#EXT-X-ENDLIST'), /EXTINF/);
  });

  it('serves a subtitle file as one segment', () => {
    const parsed = parse(
      renderSubtitlePlaylist({ uri: 'en.vtt', durationSeconds: 93.2 }),
    ) as types.MediaPlaylist;
    assert.deepEqual(
      parsed.segments.map((segment) => [segment.uri, segment.duration]),
      [['en.vtt', 93.2]],
    );
    assert.equal(parsed.targetDuration, 94);
  });

  it('maps WebVTT cue time 0 to the first video PTS', () => {
    const vtt = withTimestampMap({ vtt: '\uFEFFWEBVTT\n\n00:01.000 --> 00:02.000\nHi\n', mpegTsPts: 132000 });
    assert.equal(
      vtt,
      'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:132000,LOCAL:00:00:00.000\n\n00:01.000 --> 00:02.000\nHi\n',
    );
    const replaced = withTimestampMap({
      vtt: 'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n',
      mpegTsPts: 5,
    });
    assert.equal(replaced.match(/X-TIMESTAMP-MAP/g)?.length, 1);
  });
});

describe('content keys', () => {
  let counter = 0;
  const source: KeySource = () => {
    counter++;
    return { keyId: `k${counter}`, key: Buffer.alloc(16, counter), iv: Buffer.alloc(16, 100 + counter) };
  };
  const renditions = [
    { name: 'v360', tier: 'SD' as const, segmentCount: 5 },
    { name: 'v720', tier: 'HD' as const, segmentCount: 5 },
    { name: 'a-eng', tier: 'SD' as const, segmentCount: 6 },
  ];

  it('gives each tier its own keys and rotates every N segments', () => {
    counter = 0;
    const plan = planContentKeys({ renditions, rotationSegments: 2, source });
    assert.deepEqual(
      plan.keys.map((key) => [key.tier, key.firstSegment, key.renditions.join(' ')]),
      [
        ['HD', 0, 'v720'],
        ['HD', 2, 'v720'],
        ['HD', 4, 'v720'],
        ['SD', 0, 'v360 a-eng'],
        ['SD', 2, 'v360 a-eng'],
        ['SD', 4, 'v360 a-eng'],
      ],
    );
    const at = (rendition: string, segment: number) => plan.keyFor({ rendition, segment }).keyId;
    assert.equal(at('v360', 3), at('a-eng', 3), 'audio shares the SD key of the same period');
    assert.notEqual(at('v360', 3), at('v720', 3));
    assert.equal(at('a-eng', 5), at('v360', 4), 'a trailing audio segment stays in the last period');
    assert.throws(() => plan.keyFor({ rendition: 'v1080', segment: 0 }), /no key/);
  });

  it('keeps one key per tier when rotation is 0', () => {
    const plan = planContentKeys({ renditions, rotationSegments: 0 });
    assert.deepEqual(plan.keys.map((key) => key.tier).sort(), ['HD', 'SD']);
    assert.ok(plan.keys.every((key) => key.key.length === 16 && key.iv.length === 16));
    assert.match(plan.keys[0]!.keyId, /^[0-9a-f-]{36}$/);
    assert.throws(() => planContentKeys({ renditions, rotationSegments: -1 }), /keyRotationSegments/);
  });
});

describe('measureBandwidth', () => {
  it('averages over the whole playlist', () => {
    const measured = measureBandwidth({
      segments: [
        { bytes: 500_000, duration: 4 },
        { bytes: 1_000_000, duration: 4 },
      ],
      targetDuration: 4,
    });
    assert.equal(measured.average, 1_500_000);
    assert.equal(measured.peak, 2_000_000);
  });

  it('measures peaks over 0.5–1.5 target durations, so a runt segment cannot inflate them', () => {
    const measured = measureBandwidth({
      segments: [
        { bytes: 500_000, duration: 4 },
        { bytes: 500_000, duration: 4 },
        { bytes: 50_000, duration: 0.04 },
      ],
      targetDuration: 4,
    });
    assert.equal(Math.round(measured.peak), Math.round((550_000 * 8) / 4.04));
  });

  it('a clip shorter than half a target duration peaks at its average', () => {
    const measured = measureBandwidth({ segments: [{ bytes: 1000, duration: 1 }], targetDuration: 4 });
    assert.deepEqual(measured, { peak: 8000, average: 8000 });
  });
});
