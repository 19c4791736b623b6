// The CLI as one JavaScript file, for the specs to run as a child process. `node --import
// tsx src/cli.ts` starts tsx (≈0.5 s of CPU) and resolves and transpiles each module a
// command loads through tsx's loader thread on every start; the bundle starts in a third of
// that (`strata --version`: 0.17 against 0.55 s of CPU, bench/compile.ts), and the specs
// run the CLI over a thousand times. Same code, same esbuild transform as
// tsx: only the module loading differs. Packages stay external (resolved from the repo's
// node_modules); each source file's import.meta.url/dirname/filename keep naming the
// source file, so assets, migrations and workers are found exactly as from src/.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');

/** Where the bundle goes: inside the repo, so its bare imports resolve to node_modules. */
const OUT_DIR = join(root, 'node_modules', '.cache', 'strata', 'spec-cli');
export const CLI_BUNDLE = join(OUT_DIR, 'cli.mjs');

const sourcePaths = {
  name: 'source-paths',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
      loader: 'ts',
      contents: (await readFile(path, 'utf8'))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(path)))
        .replaceAll('import.meta.filename', JSON.stringify(path)),
    }));
  },
};

/**
 * Bundles src/cli.ts into CLI_BUNDLE and its chunks (≈0.5 s) and returns its path; `outDir`
 * (inside the repo) for a bundle of one's own (bench/compile.ts), apart from the specs'.
 */
export async function bundleCli(outDir = OUT_DIR) {
  await build({
    entryPoints: [join(root, 'src', 'cli.ts')],
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // A chunk per dynamic import: a command still loads only the modules (and packages) it uses.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [sourcePaths],
    logLevel: 'error',
  });
  return join(outDir, 'cli.mjs');
}
