import type { MovieLensMovie } from './movielens.ts';

/**
 * A small invented catalog for machines without the MovieLens files: deterministic, so two runs
 * make the same titles (and re-running seed-demo adds nothing).
 */
const adjectives = [
  'Silent',
  'Crimson',
  'Last',
  'Hidden',
  'Golden',
  'Broken',
  'Northern',
  'Electric',
  'Quiet',
  'Burning',
];
const nouns = [
  'Harbor',
  'Garden',
  'Signal',
  'Frontier',
  'Orchard',
  'Mirror',
  'Comet',
  'Station',
  'River',
  'Lantern',
];
const genres = ['Drama', 'Comedy', 'Sci-Fi', 'Thriller', 'Children', 'Documentary', 'Romance', 'Animation'];

export function sampleMovies(count = 60): MovieLensMovie[] {
  return Array.from({ length: count }, (_, index) => ({
    // Negative ids never collide with MovieLens ones.
    movieId: -(index + 1),
    title: `The ${adjectives[index % adjectives.length]} ${nouns[Math.floor(index / adjectives.length) % nouns.length]}`,
    originalTitle: null,
    year: 1990 + ((index * 7) % 36),
    genres: [
      genres[index % genres.length] as string,
      genres[(index * 3 + 1) % genres.length] as string,
    ].filter((genre, position, all) => all.indexOf(genre) === position),
  }));
}
