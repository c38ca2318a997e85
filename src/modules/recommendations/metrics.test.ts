import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogCoverage, ndcgAtK, recallAtK } from './metrics.ts';

describe('ranking metrics on a hand-made example', () => {
  // Ranked [7, 3, 9, 1], relevant {3, 1, 5}: hits at ranks 2 and 4.
  const ranked = [7, 3, 9, 1];
  const relevant = new Set([3, 1, 5]);

  it('Recall@k counts hits over min(k, |relevant|)', () => {
    assert.equal(recallAtK(ranked, relevant, 4), 2 / 3);
    assert.equal(recallAtK(ranked, relevant, 2), 1 / 2);
    assert.equal(recallAtK(ranked, relevant, 1), 0);
    assert.equal(recallAtK(ranked, new Set(), 4), 0);
  });

  it('NDCG@k discounts each hit by log2(rank + 1)', () => {
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const ideal = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    assert.ok(Math.abs(ndcgAtK(ranked, relevant, 4) - dcg / ideal) < 1e-12);
    assert.ok(Math.abs(ndcgAtK(ranked, relevant, 2) - 1 / Math.log2(3) / (1 + 1 / Math.log2(3))) < 1e-12);
    assert.equal(ndcgAtK([5, 3, 1], relevant, 3), 1);
    assert.equal(ndcgAtK([8, 9], relevant, 2), 0);
  });

  it('coverage is the share of the catalog in anyone top k', () => {
    assert.equal(
      catalogCoverage(
        [
          [1, 2, 3],
          [2, 3, 4],
        ],
        10,
        2,
      ),
      3 / 10,
    );
    assert.equal(
      catalogCoverage(
        [
          [1, 2, 3],
          [2, 3, 4],
        ],
        10,
        3,
      ),
      4 / 10,
    );
  });
});
