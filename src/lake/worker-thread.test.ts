import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { test } from 'node:test';
import { workerBundle } from '../core/worker-bundle.ts';

for (const name of ['copy-decode-worker', 'parquet-worker']) {
  test(`${name} bundles into plain JavaScript that node runs without tsx`, () => {
    const entry = new URL(`./${name}.ts`, import.meta.url);
    const file = workerBundle(entry, name);
    assert.ok(file, 'a bundle was built');
    assert.match(file, new RegExp(`node_modules\\${sep}\\.cache\\${sep}strata\\${sep}workers\\${sep}${name}-[0-9a-f]{12}\\.mjs$`));
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /from ["']\.\.?\//, 'no relative import left: the bundle holds the sources');
    // Plain node, no loader: it parses, and running it outside a worker fails as the module says it should.
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.match(run.stderr, new RegExp(`${name}\\.ts runs as a worker thread`));
  });
}
