import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { findOrBuild } from './worker-bundle.ts';

/** What the worker started from `file` posts first. */
function firstMessage(file: string): Promise<unknown> {
  const w = new Worker(file);
  return new Promise((resolve, reject) => {
    w.once('message', (m) => void w.terminate().then(() => resolve(m)));
    w.once('error', reject);
  });
}

test('a worker bundle is rebuilt after any of its sources changes, and reused while none does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-worker-bundle-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, "import { parentPort } from 'node:worker_threads';\nimport { answer } from './answer.ts';\nconst n: number = answer();\nparentPort!.postMessage(n);\n");
    writeFileSync(join(dir, 'answer.ts'), 'export const answer = (): number => 41;\n');
    const first = findOrBuild(entry, 'test');
    assert.ok(first);
    assert.equal(await firstMessage(first), 41);

    const builtAt = statSync(first).mtimeMs;
    assert.equal(findOrBuild(entry, 'test'), first);
    assert.equal(statSync(first).mtimeMs, builtAt, 'nothing changed: the bundle is not written again');

    // Only the imported file changes: the bundle must not run the old one.
    writeFileSync(join(dir, 'answer.ts'), 'export const answer = (): number => 42;\n');
    const second = findOrBuild(entry, 'test');
    assert.ok(second);
    assert.equal(await firstMessage(second), 42);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
