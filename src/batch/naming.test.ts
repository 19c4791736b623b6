import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newBatchId, physicalSchema, validateBatchId } from './naming.ts';

test('batch ids sort by time and are valid', () => {
  const a = newBatchId(new Date('2026-11-22T07:02:26.123Z'));
  assert.match(a, /^20261122T070226Z-[0-9a-f]{6}$/);
  assert.equal(validateBatchId(a), null);
  assert.notEqual(validateBatchId('x; drop schema gold'), null);
  assert.notEqual(validateBatchId(''), null);
});

test('physical schemas are valid Postgres names, distinct even when truncated', () => {
  assert.equal(physicalSchema('gold', '20261122T070226Z-3f9a1c'), 'gold__20261122t070226z_3f9a1c');
  const long = 'a'.repeat(40);
  const x = physicalSchema(long, 'batch-one-with-a-long-name-000000001');
  const y = physicalSchema(long, 'batch-one-with-a-long-name-000000002');
  assert.ok(Buffer.byteLength(x) <= 63 && Buffer.byteLength(y) <= 63);
  assert.notEqual(x, y);
});
