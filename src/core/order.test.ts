import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { byCodeUnits } from './order.ts';

test('byCodeUnits sorts as sort() does with no comparator, for every array of strings', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' }))), (xs) => {
      assert.deepEqual([...xs].sort(byCodeUnits), [...xs].sort());
    }),
  );
});

test('byCodeUnits is 0 only for equal strings, and antisymmetric', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
      assert.equal(byCodeUnits(a, b) === 0, a === b);
      assert.equal(byCodeUnits(a, b), -byCodeUnits(b, a) || 0);
    }),
  );
});
