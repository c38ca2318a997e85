/**
 * Offline evaluation of the recommendation models on MovieLens "latest small"
 * (`npm run eval:recs [-- <dir>]`, default ../shared/data/ml-latest-small). Each user's most
 * recent 20 % of ratings are held out (a per-user temporal split, src/modules/recommendations/
 * split.ts); every model trains on the rest and ranks the whole catalog minus what the user
 * already rated; Recall@10, NDCG@10 and catalog coverage are measured on the held-out titles.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { progress } from '../src/cli/progress.ts';
import { readMovies, readRatings, readTags } from '../src/modules/catalog/index.ts';
import {
  blendScores,
  buildInteractionMatrix,
  catalogCoverage,
  ContentIndex,
  DEFAULT_BLEND_WEIGHTS,
  diversify,
  franchiseKey,
  ndcgAtK,
  popularity,
  recallAtK,
  scoreWithEase,
  scoreWithNeighbours,
  trainEase,
  temporalSplit,
  topK,
  trainRp3beta,
  type Interaction,
} from '../src/modules/recommendations/index.ts';

const K = 10;
const dir = path.resolve(process.argv[2] ?? '../shared/data/ml-latest-small');

const started = performance.now();
const log = (line: string) => process.stderr.write(`${line}\n`);
log(`Reading ${dir} …`);
const [movies, ratings, tags] = await Promise.all([readMovies(dir), readRatings(dir), readTags(dir)]);
log(`${movies.length} titles, ${ratings.length} ratings, ${tags.length} tags`);

const items = movies.map((movie) => String(movie.movieId));
const interactions: Interaction[] = ratings.map((rating) => ({
  user: String(rating.userId),
  item: String(rating.movieId),
  signal: { kind: 'rating', stars: rating.rating },
  at: rating.timestamp * 1000,
}));
const { train, test } = temporalSplit(interactions, 0.2);
log(`Temporal split: ${train.length} training, ${test.length} held-out interactions`);

const latest = new Map<string, number>();
for (const row of train) latest.set(row.user, Math.max(latest.get(row.user) ?? 0, row.at));
// Decay runs back from each user's own latest training activity: MovieLens users rated in
// sessions years apart, and "now" for each of them is the moment the held-out part begins.
const matrix = buildInteractionMatrix({ interactions: train, items, now: (user) => latest.get(user) ?? 0 });

const relevant = new Map<number, Set<number>>();
for (const row of test) {
  const user = matrix.userIndex.get(row.user);
  const item = matrix.itemIndex.get(row.item);
  if (user === undefined || item === undefined) continue;
  let set = relevant.get(user);
  if (!set) relevant.set(user, (set = new Set()));
  set.add(item);
}
const users = [...relevant.keys()];
const history = (user: number) => {
  const row = matrix.row(user);
  return Array.from(row.indices, (item, at) => ({ item, weight: row.values[at] ?? 0 }));
};
const seen = (user: number) => new Set(matrix.row(user).indices);

const timed = <T>(work: () => T): { value: T; seconds: number } => {
  const start = performance.now();
  const value = work();
  return { value, seconds: (performance.now() - start) / 1000 };
};

log('Training popularity …');
const pop = timed(() => popularity(matrix));
log('Training EASE on the 1,000 most popular titles …');
const ease = timed(() => trainEase(matrix));
log(`  ${ease.seconds.toFixed(2)} s`);
log('Training RP3beta …');
const rp3 = timed(() => trainRp3beta(matrix));
log(`  ${rp3.seconds.toFixed(2)} s`);
log('Indexing content (genres, tags, title words) …');
const tagsByMovie = new Map<string, string[]>();
for (const tag of tags) {
  const list = tagsByMovie.get(String(tag.movieId));
  if (list) list.push(tag.tag);
  else tagsByMovie.set(String(tag.movieId), [tag.tag]);
}
const content = timed(
  () =>
    new ContentIndex(
      movies.map((movie) => ({
        genres: movie.genres,
        tags: tagsByMovie.get(String(movie.movieId)) ?? [],
        text: [movie.title, movie.originalTitle ?? ''],
      })),
    ),
);
const franchises = movies.map((movie) => franchiseKey(movie.title));
const facts = {
  franchise: (item: number) => franchises[item] ?? '',
  primaryGenre: (item: number) => movies[item]?.genres[0],
};

type Ranker = (user: number) => number[];
const rankers: { name: string; seconds: number; rank: Ranker }[] = [
  { name: 'popularity', seconds: pop.seconds, rank: (user) => topK(pop.value, K, seen(user)) },
  {
    name: 'ease (collaborative)',
    seconds: ease.seconds,
    rank: (user) => topK(scoreWithEase(ease.value, items.length, history(user)), K, seen(user)),
  },
  {
    name: 'rp3beta (collaborative)',
    seconds: rp3.seconds,
    rank: (user) => topK(scoreWithNeighbours(rp3.value, history(user)), K, seen(user)),
  },
  {
    name: 'content (tf-idf)',
    seconds: content.seconds,
    rank: (user) => topK(content.value.score(history(user)), K, seen(user)),
  },
  {
    name: 'blend (+ diversity)',
    seconds: pop.seconds + ease.seconds + rp3.seconds + content.seconds,
    rank: (user) =>
      diversify({
        scores: blendScores(
          {
            ease: scoreWithEase(ease.value, items.length, history(user)),
            neighbours: scoreWithNeighbours(rp3.value, history(user)),
            content: content.value.score(history(user)),
            popularity: pop.value,
          },
          DEFAULT_BLEND_WEIGHTS,
        ),
        k: K,
        exclude: seen(user),
        facts,
      }),
  },
];

const results: { name: string; recall: number; ndcg: number; coverage: number; seconds: number }[] = [];
for (const ranker of rankers) {
  const bar = progress(`Evaluating ${ranker.name}`, users.length);
  let recall = 0;
  let ndcg = 0;
  const lists: number[][] = [];
  for (const user of users) {
    const ranked = ranker.rank(user);
    const held = relevant.get(user) ?? new Set<number>();
    recall += recallAtK(ranked, held, K);
    ndcg += ndcgAtK(ranked, held, K);
    lists.push(ranked);
    bar.increment();
  }
  bar.stop();
  results.push({
    name: ranker.name,
    recall: recall / users.length,
    ndcg: ndcg / users.length,
    coverage: catalogCoverage(lists, items.length, K),
    seconds: ranker.seconds,
  });
}

const baseline = results[0]?.ndcg ?? 0;
const header = `| model | Recall@${K} | NDCG@${K} | coverage | training | NDCG vs popularity |`;
const lines = [header, '| --- | ---: | ---: | ---: | ---: | ---: |'];
for (const result of results)
  lines.push(
    `| ${result.name} | ${result.recall.toFixed(4)} | ${result.ndcg.toFixed(4)} | ${(result.coverage * 100).toFixed(1)} % | ${result.seconds.toFixed(2)} s | ${(baseline > 0 ? result.ndcg / baseline : 0).toFixed(2)}× |`,
  );
process.stdout.write(
  `\nMovieLens small, ${users.length} users, per-user temporal 80/20 split, top ${K} of ${items.length} titles ` +
    `(${((performance.now() - started) / 1000).toFixed(1)} s in all)\n\n${lines.join('\n')}\n`,
);
