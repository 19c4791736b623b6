// npm's postinstall, third step: builds the CLI's bundle (scripts/cli-bundle.mjs), so that a
// fresh clone's first `npm run build` / `node bin/strata.mjs` starts from it instead of running
// esbuild first. It never fails the install (the first command then builds it).
import { cachedCli } from './cli-bundle.mjs';

const started = performance.now();
try {
  const bundle = await cachedCli();
  if (bundle) console.log(`strata: CLI bundle ready in ${bundle.file} (${((performance.now() - started) / 1000).toFixed(1)}s)`);
} catch (err) {
  console.warn(`strata: no CLI bundle made (the first command will build it): ${err instanceof Error ? err.message : String(err)}`);
}
