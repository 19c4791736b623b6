import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newBatchId, physicalSchema, validateBatchId, validateNewBatchId } from './naming.ts';

test('batch ids sort by time and are valid', () => {
  const a = newBatchId(new Date('2026-11-22T07:02:26.123Z'));
  assert.match(a, /^20261122t070226z-[0-9a-f]{6}$/);
  assert.equal(validateNewBatchId(a), null);
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

test('new batch ids: lower-case letters and digits joined by single hyphens, at most 40, so their schemas never collide', () => {
  for (const ok of ['r1', 'nightly-2026-11-22', 'a'.repeat(40), '0-0']) assert.equal(validateNewBatchId(ok), null, ok);
  for (const bad of ['R1', 'rel.1', 'rel_1', 'a--b', '-a', 'a-', '', 'a'.repeat(41), 'a b', 'é']) {
    assert.match(validateNewBatchId(bad) ?? '', /lower-case letters and digits/, bad);
  }
  // One-to-one: distinct valid ids give distinct schemas.
  const ids = ['a-b', 'ab', 'a-b-c', 'ab-c', 'a-bc', 'abc'];
  assert.equal(new Set(ids.map((id) => physicalSchema('gold', id))).size, ids.length);
});
