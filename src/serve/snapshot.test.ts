import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PublishedBatchReader, type PublishedBatch } from './snapshot.ts';

const batch = (batchId: string): PublishedBatch => ({ batchId, publishedAt: new Date(0) });

/** A catalog whose reads the test finishes by hand; each read answers what is published when it starts. */
function catalog() {
  let published = 'A';
  const reads: { sawAtStart: string; finish: () => void }[] = [];
  const reader = new PublishedBatchReader(
    () =>
      new Promise((resolve) => {
        const sawAtStart = published;
        reads.push({ sawAtStart, finish: () => resolve(batch(sawAtStart)) });
      }),
  );
  return { reader, reads, publish: (b: string) => void (published = b) };
}

const tick = () => new Promise((r) => setImmediate(r));

test('callers arriving during a read share the next one, never an older answer; an idle reader reads at once', async () => {
  const { reader, reads, publish } = catalog();
  const first = reader.current();
  assert.equal(reads.length, 1, 'an idle reader reads at once');
  // Published after the first read took its snapshot: callers from now on must see it.
  publish('B');
  const later = [reader.current(), reader.current(), reader.current()];
  assert.equal(reads.length, 1, 'the next read waits for the one in flight');
  reads[0]!.finish();
  assert.equal((await first)?.batchId, 'A');
  await tick();
  assert.equal(reads.length, 2, 'one more read for every caller that arrived meanwhile');
  reads[1]!.finish();
  assert.deepEqual((await Promise.all(later)).map((b) => b?.batchId), ['B', 'B', 'B']);
  const alone = reader.current();
  assert.equal(reads.length, 3);
  reads[2]!.finish();
  assert.equal((await alone)?.batchId, 'B');
});

test('a failed read fails its callers only; the next caller reads again', async () => {
  let fail = true;
  const reader = new PublishedBatchReader(async () => {
    if (fail) throw new Error('connection lost');
    return batch('A');
  });
  await assert.rejects(reader.current(), /connection lost/);
  fail = false;
  assert.equal((await reader.current())?.batchId, 'A');
});
