import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { hexDigest } from './hash.ts';

test('the one-shot digest is the streaming one, UTF-8 and all', () => {
  for (const text of ['', 'select 1', 'select \'café\' as "naïve", \u{1F600}', '\0\u0001ref:a\u0001', 'x'.repeat(100_000)]) {
    for (const algorithm of ['sha1', 'sha256'] as const) assert.equal(hexDigest(algorithm, text), createHash(algorithm).update(text).digest('hex'));
  }
});
