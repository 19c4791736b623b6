import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { groupThousands } from './numbers.ts';

test('groupThousands writes every safe integer as toLocaleString("en-US") does', () => {
  fc.assert(fc.property(fc.maxSafeInteger(), (n) => groupThousands(n) === n.toLocaleString('en-US')));
  for (const n of [0, 7, 999, 1000, -1000, 123456, 1_000_000, -987_654_321]) assert.equal(groupThousands(n), n.toLocaleString('en-US'));
});
