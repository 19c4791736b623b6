import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Field, Int32, Int64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { chooseEncodings } from './column-encodings.ts';

const ROWS = 1000;

function batch(columns: [Field, Vector][]): RecordBatch {
  const schema = new Schema(columns.map(([f]) => f));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: ROWS, nullCount: 0, children: columns.map(([, v]) => v.data[0]!) }));
}

const rows = <T>(f: (i: number) => T): T[] => Array.from({ length: ROWS }, (_, i) => f(i));

test('a dictionary only for the columns whose values repeat, no min/max for numeric text', () => {
  const numericText = new Map([['strata.encoding', 'numeric-text']]);
  const b = batch([
    [new Field('id', new Int64()), vectorFromArray(BigInt64Array.from(rows((i) => BigInt(i) * 4_000_000_000n)))],
    [new Field('rating', new Int32()), vectorFromArray(Int32Array.from(rows((i) => i % 5)))],
    [new Field('product', new Utf8()), vectorFromArray(rows((i) => `product ${i % 40}`), new Utf8())],
    [new Field('note', new Utf8()), vectorFromArray(rows((i) => `a note of its own, number ${i}`), new Utf8())],
    [new Field('score', new Utf8(), true, numericText), vectorFromArray(rows((i) => (i % 3).toFixed(2)), new Utf8())],
    [new Field('mostly_null', new Utf8()), vectorFromArray(rows((i) => (i % 100 === 0 ? `x${i}` : null)), new Utf8())],
  ]);
  const chosen = chooseEncodings(b, 64 * 1024);
  assert.deepEqual(chosen.plain, ['id', 'note']);
  assert.deepEqual(chosen.noStatistics, ['score']);
  // A dictionary page limit the repeating values outgrow: no dictionary for them either.
  assert.deepEqual(chooseEncodings(b, 64).plain, ['id', 'product', 'note', 'mostly_null']);
});
