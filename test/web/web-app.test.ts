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
  dueMidroll,
  errorBeacon,
  offsetSeconds,
  podOf,
  prerollOf,
  quartilesReached,
  type XmlNode,
} from '../../web/app/src/playback/ad-pod.ts';
import { refusalFor, refusals } from '../../web/app/src/playback/refusals.ts';

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

  describe('the mid-roll due at a position (playing on, or seeking past)', () => {
    const at = (offsetSeconds: number | null) => ({ offsetSeconds, vastUrl: `/vast?at=${offsetSeconds}` });
    const [pre, first, second, third, unplayable] = [at(0), at(300), at(600), at(900), at(null)];
    const breaks = [pre, first, second, third, unplayable];
    const cases: Array<[string, number, typeof breaks, { due: number; skipped: number[] } | null]> = [
      ['before the first mid-roll: none (the pre-roll is not a mid-roll)', 299.9, [], null],
      ['playing onto it', 300, [], { due: 300, skipped: [] }],
      [
        'a seek past two plays the last only; the first is passed over',
        750,
        [],
        { due: 600, skipped: [300] },
      ],
      ['a seek past all three', 5000, [], { due: 900, skipped: [300, 600] }],
      ['one already played is not due again', 650, [first, second], null],
      ['after one played, the next when reached', 900, [first, second], { due: 900, skipped: [] }],
    ];
    for (const [name, position, played, expected] of cases) {
      it(name, () => {
        const found = dueMidroll({ breaks, played: new Set(played), position });
        assert.deepEqual(
          found && {
            due: found.due.offsetSeconds,
            skipped: found.skipped.map((adBreak) => adBreak.offsetSeconds),
          },
          expected,
        );
      });
    }
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
