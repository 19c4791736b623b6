import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { RANGES } from '../core/ranges.ts';
import { commaList, flag, numberIn, oneOf } from './options.ts';

const invalid = (fn: () => unknown, why: RegExp): void => assert.throws(fn, (e: Error) => e instanceof InvalidArgumentError && why.test(e.message));

test('numbers are plain decimals in range, nothing else', () => {
  const threads = numberIn(RANGES.threads);
  assert.equal(threads('8'), 8);
  assert.equal(threads(' 3 '), 3);
  for (const bad of ['-3', '0', '65', '1.5', 'abc', '', '4x', '0x10', '1e1', 'Infinity', 'NaN']) {
    invalid(() => threads(bad), /^expected a whole number from 1 to 64\.$/);
  }
  assert.equal(flag.lockTimeoutMs('0'), 0);
  assert.equal(flag.lockTimeoutMs('2.5'), 2500);
  invalid(() => flag.lockTimeoutMs('-1'), /^expected a number from 0 to 86,400\.$/);
});

test('enums, lists and batch ids', () => {
  assert.equal(oneOf(['a', 'b'])('b'), 'b');
  invalid(() => oneOf(['a', 'b'])('c'), /^expected one of a, b\.$/);
  assert.deepEqual(commaList('gold, silver'), ['gold', 'silver']);
  invalid(() => commaList('gold,'), /without empty items/);
  assert.equal(flag.batchId('20260101T000000Z-ab12cd'), '20260101T000000Z-ab12cd');
  for (const bad of ['x; drop schema gold', '../up', '', 'a b']) invalid(() => flag.batchId(bad), /a batch id is 1–64/);
});
