import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { beaconEvents, buildVast, buildVmap, type ServedAd } from '../../src/modules/ads/vast-xml.ts';
import { renderApiTypes, typeOf, type OpenApiDocument } from '../../scripts/web-api-types.render.ts';
import { hashText, posterSvg, wrapTitle } from '../../web/ui/poster.ts';
import { nextInDirection, type Box } from '../../web/ui/spatial-nav.ts';
import {
  adLabel,
  breaksOf,
  errorBeacon,
  midrollDue,
  offsetSeconds,
  podOf,
  prerollOf,
  quartilesReached,
  type XmlNode,
} from '../../web/app/src/playback/ad-pod.ts';
import { refusalFor, refusals } from '../../web/app/src/playback/refusals.ts';
import { chatReducer, emptyChat, type ChatMessage } from '../../web/app/src/playback/live-chat-state.ts';
import { episodeLabel, nextEpisodeAfter } from '../../web/app/src/playback/next-episode.ts';
import { parseThumbnailTrack, thumbnailAt, vttSeconds } from '../../web/app/src/playback/thumbnail-track.ts';
import { planThumbnails, renderThumbnailsVtt } from '../../src/modules/media/thumbnails.ts';

describe('the web apps’ API types', () => {
  it('are generated from the committed docs/openapi.json (run `npm run web:api-types`)', async () => {
    const document = JSON.parse(
      await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8'),
    ) as OpenApiDocument;
    const committed = await readFile(
      new URL('../../web/ui/api/openapi.generated.ts', import.meta.url),
      'utf8',
    );
    assert.equal(committed, renderApiTypes(document), 'web/ui/api/openapi.generated.ts is stale');
  });

  const cases: Array<[string, object, string]> = [
    ['string', { type: 'string' }, 'string'],
    ['integer', { type: 'integer' }, 'number'],
    ['nullable type list', { type: ['string', 'null'] }, 'string | null'],
    ['enum', { enum: ['up', 'down'] }, '"up" | "down"'],
    ['const', { const: true }, 'true'],
    ['ref', { $ref: '#/components/schemas/Profile' }, 'Schemas["Profile"]'],
    ['array of refs', { type: 'array', items: { $ref: '#/x/Genre' } }, 'Array<Schemas["Genre"]>'],
    ['anyOf with null', { anyOf: [{ enum: ['a', 'b'] }, { type: 'null' }] }, '("a" | "b") | null'],
    ['empty schema', {}, 'unknown'],
    ['free object', { type: 'object' }, 'Record<string, unknown>'],
    [
      'object, optional member',
      { type: 'object', properties: { a: { type: 'string' }, 'b-c': { type: 'number' } }, required: ['a'] },
      '{\n  a: string;\n  "b-c"?: number;\n}',
    ],
  ];
  for (const [name, schema, expected] of cases) {
    it(`renders ${name}`, () => assert.equal(typeOf(schema), expected));
  }
});

describe('generated posters', () => {
  it('wrap long titles into at most four lines, cutting with an ellipsis', () => {
    assert.deepEqual(wrapTitle('Toy Story'), ['Toy Story']);
    assert.deepEqual(wrapTitle('The Lord of the Rings: The Fellowship of the Ring'), [
      'The Lord of',
      'the Rings: The',
      'Fellowship of',
      'the Ring',
    ]);
    const cut = wrapTitle('one two three four five six seven eight nine ten eleven twelve thirteen', 8, 2);
    assert.equal(cut.length, 2);
    assert.ok(cut[1]?.endsWith('…'));
  });
  it('are deterministic, escape the title and show year and genre', () => {
    const svg = posterSvg({ title: 'Tom & Jerry <3', year: 1995, genre: 'Comedy' });
    assert.equal(svg, posterSvg({ title: 'Tom & Jerry <3', year: 1995, genre: 'Comedy' }));
    assert.match(svg, /Tom &amp; Jerry &lt;3/);
    assert.match(svg, /1995 · Comedy/);
    assert.doesNotMatch(svg, /<3/);
    assert.notEqual(hashText('Heat') % 8, hashText('Alien') % 8, 'different titles, different palettes');
  });
});

describe('arrow-key navigation', () => {
  const box = (x: number, y: number): Box => ({ x, y, width: 100, height: 100 });
  const tiles = [box(0, 0), box(120, 0), box(240, 0), box(0, 200), box(130, 200)];
  const table: Array<[number, 'left' | 'right' | 'up' | 'down', number]> = [
    [0, 'right', 1],
    [1, 'right', 2],
    [2, 'right', -1],
    [1, 'left', 0],
    [0, 'left', -1],
    [1, 'down', 4],
    [4, 'up', 1],
    [3, 'up', 0],
    [0, 'up', -1],
  ];
  for (const [from, direction, expected] of table) {
    it(`from tile ${from}, ${direction} goes to ${expected}`, () => {
      // The focused element is not among the candidates, as in the document.
      const others = tiles.map((t, i) => [t, i] as const).filter(([, i]) => i !== from);
      const tile = tiles[from];
      assert.ok(tile);
      const found = nextInDirection(
        tile,
        others.map(([t]) => t),
        direction,
      );
      assert.equal(found === -1 ? -1 : others[found]?.[1], expected);
    });
  }
});

describe('playback refusals', () => {
  it('every refusal code of the playback API has its own message', async () => {
    const errors = await readFile(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8');
    for (const code of [
      'STREAM_LIMIT',
      'PLAN_REQUIRED',
      'REGION_BLOCKED',
      'MATURITY_BLOCKED',
      'NOT_AVAILABLE',
      'NOT_READY',
    ]) {
      assert.match(errors, new RegExp(`PLAYBACK_${code}`), `${code} is still an API code`);
      assert.ok(refusals[`PLAYBACK_${code}`], code);
    }
    assert.equal(refusalFor('PLAYBACK_STREAM_LIMIT', 409, '').action, 'end-another-stream');
    assert.equal(refusalFor('PLAYBACK_PLAN_REQUIRED', 402, '').action, 'upgrade');
    assert.equal(refusalFor(null, 401, '').action, 'sign-in');
    assert.equal(refusalFor('PLAYBACK_MATURITY_BLOCKED', 403, '').action, 'switch-profile');
    assert.equal(refusalFor('LIVE_PLAN_REQUIRED', 402, '').action, 'upgrade');
    assert.match(errors, /LIVE_PLAN_REQUIRED/);
    // The server's detail says more for these ("not started yet"); the general line otherwise.
    assert.equal(
      refusalFor('PLAYBACK_NOT_READY', 409, 'This live event has not started yet').message,
      'This live event has not started yet.',
    );
    assert.equal(refusalFor('PLAYBACK_NOT_READY', 409, '').message, refusals.PLAYBACK_NOT_READY!.message);
    assert.equal(refusalFor('SOMETHING_NEW', 500, 'boom').message, 'boom');
  });
});

/** The ad server's own documents, read as the web player reads them (DOMParser's documentElement). */
const xml = (text: string) =>
  new DOMParser().parseFromString(text, 'application/xml').documentElement as unknown as XmlNode;

const servedAd = (overrides: Partial<ServedAd>): ServedAd => ({
  instanceId: 'i1',
  sequence: 1,
  campaignId: 'c1',
  campaignName: 'Spring',
  advertiserName: 'Fizz',
  creativeId: 'cr1',
  creativeName: 'Fizz',
  durationSeconds: 2,
  clickThroughUrl: 'https://example.com/',
  companionImageUrl: null,
  mediaFiles: [
    { url: '/api/ads/media/cr1/360p.mp4', width: 640, height: 360, bitrateKbps: 700 },
    { url: '/api/ads/media/cr1/1080p.mp4', width: 1920, height: 1080, bitrateKbps: 4000 },
    { url: '/api/ads/media/cr1/720p.mp4', width: 1280, height: 720, bitrateKbps: 1800 },
  ],
  beacons: Object.fromEntries(
    beaconEvents.map((event) => [event, `/b/${event}?i=${overrides.instanceId ?? 'i1'}`]),
  ) as ServedAd['beacons'],
  ...overrides,
});

describe('the web player’s ad documents', () => {
  const offsets: Array<[string | null, number | null]> = [
    ['start', 0],
    ['00:00:30.000', 30],
    ['01:02:03.5', 3723.5],
    ['end', null],
    ['#2', null],
    ['50%', null],
    [null, null],
  ];
  for (const [offset, seconds] of offsets) {
    it(`timeOffset ${String(offset)} is ${String(seconds)} s`, () =>
      assert.equal(offsetSeconds(offset), seconds));
  }

  it('the schedule’s start break is the pre-roll; a schedule without one has none', () => {
    const vmap = buildVmap({
      breaks: [
        { index: 0, offsetSeconds: 0, podSize: 2 },
        { index: 1, offsetSeconds: 600, podSize: 1 },
      ],
      vastUrl: (index) => `/api/ads/vast?session=s&break=${index}&device=web`,
    });
    const breaks = breaksOf(xml(vmap));
    assert.deepEqual(breaks, [
      { offsetSeconds: 0, vastUrl: '/api/ads/vast?session=s&break=0&device=web' },
      { offsetSeconds: 600, vastUrl: '/api/ads/vast?session=s&break=1&device=web' },
    ]);
    assert.equal(prerollOf(breaks)?.vastUrl, '/api/ads/vast?session=s&break=0&device=web');
    assert.equal(prerollOf(breaks.slice(1)), null);
    assert.deepEqual(breaksOf(xml(buildVmap({ breaks: [], vastUrl: () => '' }))), []);
  });

  it('a pod plays in sequence, each ad’s tallest MP4 up to 720p, with its beacons', () => {
    const pod = podOf(
      xml(
        buildVast([
          servedAd({ instanceId: 'second', sequence: 2 }),
          servedAd({
            instanceId: 'first',
            sequence: 1,
            mediaFiles: [
              { url: '/api/ads/media/cr2/1080p.mp4', width: 1920, height: 1080, bitrateKbps: 4000 },
            ],
          }),
          servedAd({ instanceId: 'bare', sequence: 3, mediaFiles: [] }),
        ]),
      ),
    );
    assert.deepEqual(
      pod.map((ad) => [ad.id, ad.mediaUrl]),
      [
        ['first', '/api/ads/media/cr2/1080p.mp4'],
        ['second', '/api/ads/media/cr1/720p.mp4'],
        ['bare', null],
      ],
    );
    assert.equal(pod[0]?.impressionUrl, '/b/impression?i=first');
    assert.deepEqual(pod[0]?.tracking, {
      start: '/b/start?i=first',
      firstQuartile: '/b/firstQuartile?i=first',
      midpoint: '/b/midpoint?i=first',
      thirdQuartile: '/b/thirdQuartile?i=first',
      complete: '/b/complete?i=first',
    });
    assert.deepEqual(podOf(xml(buildVast([]))), [], 'an empty VAST is no ad');
  });

  it('quartiles, error codes and the label', () => {
    assert.deepEqual(quartilesReached(0.1), []);
    assert.deepEqual(quartilesReached(0.25), ['firstQuartile']);
    assert.deepEqual(quartilesReached(0.6), ['firstQuartile', 'midpoint']);
    assert.deepEqual(quartilesReached(1), ['firstQuartile', 'midpoint', 'thirdQuartile']);
    assert.equal(errorBeacon('/b/error?code=[ERRORCODE]', 405), '/b/error?code=405');
    assert.equal(errorBeacon(null, 403), null);
    assert.equal(adLabel(1, 2), 'Ad · 1 of 2');
  });
});

describe('next episode', () => {
  const series = {
    id: 's',
    seasons: [
      { number: 2, episodes: [{ id: 'b1', number: 1, name: 'Return', status: 'published' }] },
      {
        number: 1,
        episodes: [
          { id: 'a2', number: 2, name: 'Second', status: 'published' },
          { id: 'a1', number: 1, name: 'Pilot', status: 'published' },
          { id: 'a3', number: 3, name: 'Unfinished', status: 'draft' },
        ],
      },
    ],
  };
  const cases: Array<[string, string | null]> = [
    ['a1', 'a2'],
    // Past a draft and into the next season.
    ['a2', 'b1'],
    ['b1', null],
    ['unknown', null],
  ];
  for (const [from, expected] of cases)
    it(`after ${from}: ${expected ?? 'none'}`, () => {
      assert.equal(nextEpisodeAfter(series, from)?.id ?? null, expected);
    });
  it('is labelled with its season and number', () => {
    assert.equal(episodeLabel(nextEpisodeAfter(series, 'a2')!), 'S2 · E1 Return');
  });
});

describe('seek previews', () => {
  // The media pipeline's own track: 25 s at one frame per 5 s, 2 × 2 frames a sheet.
  const plan = planThumbnails({
    durationSeconds: 25,
    displayWidth: 1920,
    displayHeight: 1080,
    columns: 2,
    rows: 2,
  });
  const cues = parseThumbnailTrack(
    renderThumbnailsVtt({ plan, durationSeconds: 25 }).replaceAll('sprite-', '/api/delivery/p/sprite-'),
    'http://127.0.0.1:3000/api/playback/sessions/x/media/thumbnails/thumbnails.vtt?token=t',
  );
  it('reads every cue of the pipeline’s track, resolving sheets against the track', () => {
    assert.equal(cues.length, 5);
    assert.deepEqual(cues[3], {
      start: 15,
      end: 20,
      url: 'http://127.0.0.1:3000/api/delivery/p/sprite-0001.jpg',
      x: 160,
      y: 90,
      width: 160,
      height: 90,
    });
    assert.equal(cues[4]?.url, 'http://127.0.0.1:3000/api/delivery/p/sprite-0002.jpg');
    const relative = parseThumbnailTrack(
      'WEBVTT\n\n00:00.000 --> 00:05.000\nsprite-0001.jpg#xywh=0,0,160,90\n',
      'http://h/api/x/thumbnails/t.vtt?token=t',
    );
    assert.equal(relative[0]?.url, 'http://h/api/x/thumbnails/sprite-0001.jpg');
  });
  const at: Array<[number, number | null]> = [
    [0, 0],
    [4.99, 0],
    [5, 5],
    [24, 20],
    // Past the last cue's end (a duration rounded down): still the last frame.
    [26, 20],
    [-1, null],
  ];
  for (const [seconds, start] of at)
    it(`at ${seconds} s shows the frame from ${start ?? 'none'}`, () => {
      assert.equal(thumbnailAt(cues, seconds)?.start ?? null, start);
    });
  it('reads WebVTT timestamps with and without hours, and nothing else', () => {
    assert.equal(vttSeconds('01:02:03.500'), 3723.5);
    assert.equal(vttSeconds('02:03.250'), 123.25);
    assert.ok(Number.isNaN(vttSeconds('2:3.2')));
  });
});

describe('mid-rolls', () => {
  const breaks = [0, 60, 120, 180].map((offsetSeconds) => ({
    offsetSeconds,
    vastUrl: `/v/${offsetSeconds}`,
  }));
  const cases: Array<[string, number[], number, number | null, number[]]> = [
    ['before the first mid-roll', [0], 59.9, null, []],
    ['playing into one', [0], 60.2, 60, [60]],
    ['one already played', [0, 60], 90, null, []],
    ['a seek across two plays the later one, and both count', [0], 130, 120, [60, 120]],
    ['the pre-roll is never a mid-roll', [], 10, null, []],
  ];
  for (const [name, played, position, due, reached] of cases)
    it(name, () => {
      const result = midrollDue(breaks, new Set(played), position);
      assert.equal(result.due?.offsetSeconds ?? null, due);
      assert.deepEqual(result.reached, reached);
    });
});

describe('the live chat panel', () => {
  const message = (id: number, body = `m${id}`): ChatMessage => ({
    id,
    authorName: 'Ana',
    userId: '00000000-0000-4000-8000-000000000001',
    body,
    createdAt: '2026-11-30T20:00:00.000Z',
  });
  const welcome = (messages: ChatMessage[]) =>
    chatReducer(emptyChat, {
      type: 'welcome',
      messages,
      pinned: null,
      slowModeSeconds: 0,
      viewers: 3,
      state: 'live',
      moderator: false,
      userId: '00000000-0000-4000-8000-000000000002',
    });
  it('keeps messages once each, in id order, across a welcome and a reconnect', () => {
    let chat = welcome([message(1), message(2)]);
    chat = chatReducer(chat, { type: 'message', message: message(2) });
    chat = chatReducer(chat, { type: 'message', message: message(4) });
    chat = chatReducer(chat, { type: 'message', message: message(3) });
    assert.deepEqual(
      chat.messages.map((m) => m.id),
      [1, 2, 3, 4],
    );
    assert.equal(chat.joined, true);
    assert.equal(chat.viewers, 3);
  });
  it('applies deletions, pins, viewer counts and the event’s end', () => {
    let chat = welcome([message(1), message(2)]);
    chat = chatReducer(chat, { type: 'pinned', message: message(2) });
    assert.equal(chat.pinned?.id, 2);
    chat = chatReducer(chat, { type: 'deleted', id: 2 });
    assert.deepEqual(
      chat.messages.map((m) => m.id),
      [1],
    );
    assert.equal(chat.pinned, null, 'a deleted message is unpinned too');
    chat = chatReducer(chat, { type: 'viewers', count: 9 });
    chat = chatReducer(chat, { type: 'state', state: 'ended' });
    assert.equal(chat.viewers, 9);
    assert.equal(chat.state, 'ended');
    assert.equal(chatReducer(chat, { type: 'pong' }), chat);
  });
  it('reads a batch as its frames, one after another', () => {
    const chat = chatReducer(welcome([message(1)]), {
      type: 'batch',
      frames: [
        { type: 'message', message: message(2) },
        { type: 'pinned', message: message(2) },
        { type: 'message', message: message(3) },
        { type: 'deleted', id: 2 },
      ],
    });
    assert.deepEqual(
      chat.messages.map((m) => m.id),
      [1, 3],
    );
    assert.equal(chat.pinned, null, 'pinned, then deleted: the order held');
  });
});
