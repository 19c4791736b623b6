// The test files as plain JavaScript for scripts/test.mjs: one esbuild build of them all
// (a chunk per module they share), as the CLI's bundle is made (scripts/cli-bundle.mjs:
// pure-JavaScript packages bundled in, the others external, each source file's import.meta.url/dirname/filename keep naming
// the source file). Under `--import tsx` a test process resolves and transpiles each module
// through tsx's loader thread (ops-files.test.ts: 1.8 s of CPU, bundled 1.1 s); the same
// code, the same esbuild transform, only the loading differs. A source map beside each
// file keeps failures pointing at the .ts lines.
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { strataCacheOf } from '../src/core/bundle-cache.mjs';
import { esmBundleOptions } from './cli-bundle.mjs';

const root = join(import.meta.dirname, '..');

/**
 * Bundles `files` (paths relative to the repo) into a folder of their own under
 * node_modules/.cache/strata/tests; returns that folder, where `<file without .ts>.mjs` is
 * each file's bundle, and a function that removes it.
 */
export async function bundleTests(files) {
  const { build } = await import('esbuild');
  const cache = strataCacheOf(import.meta.resolve('esbuild'), 'tests');
  if (!cache) throw new Error('esbuild is in no node_modules');
  const outDir = join(cache, `run-${Date.now().toString(36)}-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  await build({ ...esmBundleOptions(outDir), entryPoints: files.map((f) => join(root, f)), outbase: root });
  return {
    fileOf: (f) => join(outDir, relative(root, join(root, f)).replace(/\.ts$/, '.mjs')),
    remove: () => rmSync(outDir, { recursive: true, force: true }),
  };
}
