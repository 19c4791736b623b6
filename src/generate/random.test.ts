import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSeed, Random } from './random.ts';

function draws(random: Random, count: number): number[] {
  return Array.from({ length: count }, () => random.nextUint32());
}

test('the same seed yields the same sequence, a different seed a different one', () => {
  assert.deepEqual(draws(new Random(42), 100), draws(new Random(42), 100));
  assert.notDeepEqual(draws(new Random(42), 100), draws(new Random(43), 100));
});

test('a known seed keeps producing the same values, so committed seeds stay reproducible', () => {
  assert.deepEqual(draws(new Random(1), 3), [4148684523, 4055680838, 3224489912]);
});

test('uniform draws stay in range and fill it evenly', () => {
  const random = new Random(7);
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const value = random.next();
    assert.ok(value >= 0 && value < 1);
    buckets[Math.floor(value * 10)]!++;
  }
  for (const count of buckets) assert.ok(Math.abs(count - 10_000) < 600, `bucket count ${count}`);
});

test('intBetween covers both ends and nothing outside', () => {
  const random = new Random(3);
  const seen = new Set<number>();
  for (let i = 0; i < 10_000; i++) seen.add(random.intBetween(-1, 2));
  assert.deepEqual([...seen].sort((a, b) => a - b), [-1, 0, 1, 2]);
});

test('normal draws have mean 0 and standard deviation 1', () => {
  const random = new Random(11);
  const values = Array.from({ length: 50_000 }, () => random.normal());
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(variance) - 1) < 0.02, `sd ${Math.sqrt(variance)}`);
});

test('derived seeds differ per stream and per seed', () => {
  assert.notEqual(deriveSeed(42, 'buyer'), deriveSeed(42, 'review'));
  assert.notEqual(deriveSeed(42, 'buyer'), deriveSeed(43, 'buyer'));
  assert.notEqual(deriveSeed(1, 'buyer'), deriveSeed(1 + 2 ** 32, 'buyer'));
  assert.equal(deriveSeed(42, 'buyer'), deriveSeed(42, 'buyer'));
});
