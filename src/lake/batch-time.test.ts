import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchTimeOf, lakeIdOf, restoredBatchId } from './layout.ts';
import { validateNewBatchId } from '../batch/naming.ts';

test('batch time comes from the id (either case), not from when it was exported', () => {
  assert.equal(batchTimeOf('20261122t070226z-3f9a1c'), Date.UTC(2026, 10, 22, 7, 2, 26));
  assert.equal(batchTimeOf('20261122T070226Z-3f9a1c'), Date.UTC(2026, 10, 22, 7, 2, 26));
  assert.equal(batchTimeOf('nightly-20261122'), null, 'a custom id carries no time');
});

test('a restored database batch is a valid new batch id and names its lake batch', () => {
  const id = restoredBatchId('20261122t070226z-3f9a1c', Date.UTC(2026, 10, 23));
  assert.equal(validateNewBatchId(id), null, id);
  assert.equal(lakeIdOf(id), '20261122t070226z-3f9a1c');
  assert.equal(lakeIdOf('20261122T070226Z-3f9a1c.restored-mwx2h0me'), '20261122T070226Z-3f9a1c', 'ids of earlier versions');
  assert.equal(lakeIdOf('20261122t070226z-3f9a1c'), '20261122t070226z-3f9a1c');
});
