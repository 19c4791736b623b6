import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');

/**
 * Every command starts by loading src/cli.ts and what it imports statically; a package
 * there is loaded by `strata --version` and by every command, used or not (fastify, pg,
 * apache-arrow and the SQL parser once cost 0.4 s of each start). Commands import their
 * API when they run.
 */
test('start-up loads no package but commander and dotenv', async () => {
  const { metafile } = await build({
    entryPoints: [join(root, 'src', 'cli.ts')],
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
    outdir: 'out',
  });
  const entry = 'src/cli.ts';
  const seen = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  const packages = new Map<string, string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const i of metafile.inputs[file]?.imports ?? []) {
      if (i.kind !== 'import-statement') continue; // dynamic imports load when a command runs
      if (i.external) {
        if (!i.path.startsWith('node:') && !packages.has(i.path)) packages.set(i.path, file);
      } else if (!seen.has(i.path)) {
        seen.set(i.path, file);
        queue.push(i.path);
      }
    }
  }
  const chain = (file: string): string => {
    const out: string[] = [];
    for (let f: string | null | undefined = file; f; f = seen.get(f)) out.unshift(f);
    return out.join(' > ');
  };
  const extra = [...packages].filter(([p]) => p !== 'commander' && p !== 'dotenv').map(([p, by]) => `${p} (${chain(by)})`);
  assert.deepEqual(extra, [], 'imported statically at start-up');
});
