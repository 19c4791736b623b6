import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from './random.ts';
import { binomial, shuffledIndexes, WeightedSampler, ZipfSampler } from './distributions.ts';

test('WeightedSampler draws each index in proportion to its weight', () => {
  const random = new Random(5);
  const sampler = new WeightedSampler([1, 0, 3, 6]);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 100_000; i++) counts[sampler.sample(random)]!++;
  assert.equal(counts[1], 0, 'a zero weight is never drawn');
  assert.ok(Math.abs(counts[0]! / 100_000 - 0.1) < 0.01);
  assert.ok(Math.abs(counts[2]! / 100_000 - 0.3) < 0.01);
  assert.ok(Math.abs(counts[3]! / 100_000 - 0.6) < 0.01);
});

test('ZipfSampler concentrates draws on a few items', () => {
  const random = new Random(9);
  const sampler = new ZipfSampler(1000, 1.0, 3, random);
  const counts = new Array<number>(1000).fill(0);
  for (let i = 0; i < 100_000; i++) counts[sampler.sample(random)]!++;
  const sorted = [...counts].sort((a, b) => b - a);
  const topTenPercent = sorted.slice(0, 100).reduce((sum, count) => sum + count, 0);
  assert.ok(topTenPercent > 50_000, `top 10% of items got ${topTenPercent} of 100000 draws`);
  const ranks = sampler.rankOfItems();
  const mostDrawn = counts.indexOf(sorted[0]!);
  assert.ok(ranks[mostDrawn]! < 3, 'the most drawn item has one of the top ranks');
});

test('shuffledIndexes is a permutation', () => {
  const permutation = shuffledIndexes(500, new Random(2));
  assert.deepEqual([...permutation].sort((a, b) => a - b), Array.from({ length: 500 }, (_, i) => i));
});

test('binomial stays within [0, trials] and centres on trials × p', () => {
  const random = new Random(4);
  for (const trials of [0, 5, 40, 41, 1000]) {
    let sum = 0;
    for (let i = 0; i < 2000; i++) {
      const successes = binomial(random, trials, 0.3);
      assert.ok(successes >= 0 && successes <= trials);
      sum += successes;
    }
    assert.ok(Math.abs(sum / 2000 - trials * 0.3) <= Math.max(0.5, trials * 0.02), `trials ${trials}: mean ${sum / 2000}`);
  }
});
