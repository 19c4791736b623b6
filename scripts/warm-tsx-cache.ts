// npm's postinstall, second step: has tsx transpile, once, every module the CLI can load,
// so that a fresh clone's first command (the quick start's `npx tsx src/cli.ts build`) reads
// tsx's cache instead of transpiling ≈150 files (tsx keys its cache on each file's path and
// content, so only an install in place can fill it). The modules are imported, not run:
// they are the ones every command imports, and only src/cli.ts runs a command. It never
// fails the install (the first command then transpiles, as before).
import { build } from 'esbuild';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');

/** src/cli.ts's modules, static and dynamic imports alike (workers are not imports: left out). */
export async function cliModules(): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [join(root, 'src', 'cli.ts')],
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: 'out',
    logLevel: 'error',
  });
  return Object.keys(metafile.inputs).filter((f) => f.endsWith('.ts') && f !== relative(root, join(root, 'src', 'cli.ts')));
}

const started = performance.now();
try {
  const modules = await cliModules();
  await Promise.all(modules.map((m) => import(pathToFileURL(join(root, m)).href)));
  console.log(`strata: tsx cache warm for ${modules.length} modules (${((performance.now() - started) / 1000).toFixed(1)}s)`);
} catch (err) {
  console.warn(`strata: tsx cache not warmed (the first command will transpile): ${err instanceof Error ? err.message : String(err)}`);
}
