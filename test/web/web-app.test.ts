import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { renderApiTypes, typeOf, type OpenApiDocument } from '../../scripts/web-api-types.render.ts';
import { hashText, posterSvg, wrapTitle } from '../../web/ui/poster.ts';
import { nextInDirection, type Box } from '../../web/ui/spatial-nav.ts';
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
