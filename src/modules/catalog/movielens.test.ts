import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moveArticleFront, parseMovieLensTitle } from './movielens.ts';

describe('MovieLens titles', () => {
  const cases: Array<[string, { title: string; originalTitle: string | null; year: number | null }]> = [
    ['Interstellar (2014)', { title: 'Interstellar', originalTitle: null, year: 2014 }],
    ['American President, The (1995)', { title: 'The American President', originalTitle: null, year: 1995 }],
    [
      'City of Lost Children, The (Cité des enfants perdus, La) (1995)',
      { title: 'The City of Lost Children', originalTitle: 'La Cité des enfants perdus', year: 1995 },
    ],
    [
      'Twelve Monkeys (a.k.a. 12 Monkeys) (1995)',
      { title: 'Twelve Monkeys', originalTitle: null, year: 1995 },
    ],
    ['Babylon 5', { title: 'Babylon 5', originalTitle: null, year: null }],
    [
      'From Dusk Till Dawn 2: Texas Blood Money (1999) ',
      { title: 'From Dusk Till Dawn 2: Texas Blood Money', originalTitle: null, year: 1999 },
    ],
    ['Misérables, Les (1995)', { title: 'Les Misérables', originalTitle: null, year: 1995 }],
  ];
  for (const [raw, expected] of cases) {
    it(`reads "${raw}"`, () => assert.deepEqual(parseMovieLensTitle(raw), expected));
  }
  it('moves a trailing article front, joining an apostrophe article without a space', () => {
    assert.equal(moveArticleFront("Homme qui aimait les femmes, L'"), "L'Homme qui aimait les femmes");
    assert.equal(moveArticleFront('Godfather, The'), 'The Godfather');
    assert.equal(moveArticleFront('Thelma & Louise'), 'Thelma & Louise');
  });
});
