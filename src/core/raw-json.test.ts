import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RawJsonSlots } from './raw-json.ts';

const noNul = (v: unknown): boolean => !JSON.stringify(v).includes('\\u0000');

test('values given as JSON text come out as if they had been in the value (any JSON without a NUL)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.jsonValue().filter(noNul), fc.boolean()), { maxLength: 8 }), fc.jsonValue().filter(noNul), (items, around) => {
      const raw = new RawJsonSlots();
      const value = { around, items: items.map(([v, asText]) => (asText ? raw.slot<unknown>(JSON.stringify(v)) : v)) };
      assert.equal(raw.stringify(value), JSON.stringify({ around, items: items.map(([v]) => v) }));
    }),
    { numRuns: 300 },
  );
});

test('text that merely looks like a stand-in is left alone', () => {
  const raw = new RawJsonSlots();
  const value = { a: raw.slot<unknown>('[1]'), b: 'raw:0', c: '\\u0000raw:0' };
  assert.equal(raw.stringify(value), '{"a":[1],"b":"raw:0","c":"\\\\u0000raw:0"}');
});
