// npm's postinstall, last step: has tsx transpile, once, every module the CLI can load,
// so that a command started through tsx (`npx tsx src/cli.ts build`) reads
// tsx's cache instead of transpiling ≈150 files (tsx keys its cache on each file's path and
// content, so only an install in place can fill it). The modules are imported, not run:
// they are the ones every command imports, and only src/cli.ts runs a command. It never
// fails the install (the first command then transpiles, as before).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cachedCli } from './cli-bundle.mjs';

const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');

/**
 * src/cli.ts's modules, static and dynamic imports alike: the TypeScript sources its bundle is
 * built from (scripts/cli-bundle.mjs; the step before made it). Workers are not imports: left out.
 */
async function cliModules(): Promise<string[]> {
  const bundle = await cachedCli();
  if (!bundle) throw new Error('no node_modules to keep the CLI bundle in');
  return bundle.sources.filter((f) => f.endsWith('.ts') && f !== cli);
}

const started = performance.now();
try {
  const modules = await cliModules();
  await Promise.all(modules.map((m) => import(pathToFileURL(m).href)));
  console.log(`strata: tsx cache warm for ${modules.length} modules (${((performance.now() - started) / 1000).toFixed(1)}s)`);
} catch (err) {
  console.warn(`strata: tsx cache not warmed (the first command will transpile): ${err instanceof Error ? err.message : String(err)}`);
}
