import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerCache, type CachedAnswer } from './cache.ts';

const answer = (batchId: string, bytes: number): CachedAnswer => ({ batchId, etag: `"${batchId}.x"`, status: 200, body: Buffer.alloc(bytes, 'x') });

test('a newer answer replaces the one of an earlier batch; the bound in bytes evicts the least recently used', () => {
  const cache = new AnswerCache(3_200);
  cache.set('/a', answer('b1', 800));
  cache.set('/a', answer('b2', 800));
  assert.equal(cache.get('/a')?.batchId, 'b2');
  assert.equal(cache.size.entries, 1);
  cache.set('/b', answer('b2', 800));
  cache.set('/c', answer('b2', 800));
  cache.get('/a'); // used: /b is now the oldest
  cache.set('/d', answer('b2', 800));
  assert.equal(cache.get('/b'), undefined, 'the least recently used went');
  assert.ok(cache.get('/a') && cache.get('/c') && cache.get('/d'));
  assert.ok(cache.size.bytes <= 3_200);
  cache.set('/huge', answer('b2', 5_000));
  assert.equal(cache.get('/huge'), undefined, 'an answer larger than the whole cache is not kept');
  assert.equal(cache.size.entries, 3);
});
