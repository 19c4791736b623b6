// npm's postinstall (scripts/postinstall.ts): makes the installation's PGlite template (a
// freshly initialised data directory in node_modules/.cache/strata/pglite-<version>) and a
// spare copy of it holding strata's bookkeeping schema, so that the quick start's first
// build renames the spare into place instead of running PGlite's initdb (≈5 s of CPU and
// ≈750 MB) or copying the template and creating that schema. It
// moves that cost into `npm install`; it never fails the install (the first build then runs initdb).
import { STATE_VERSION, ensureState } from '../src/batch/state.ts';
import { preparePgliteTemplate } from '../src/engine/pglite.ts';

const started = performance.now();
try {
  const template = await preparePgliteTemplate({ tag: STATE_VERSION, prepare: ensureState });
  if (template) console.log(`strata: PGlite template ready in ${template} (${((performance.now() - started) / 1000).toFixed(1)}s)`);
} catch (err) {
  console.warn(`strata: no PGlite template made (the first embedded build will run initdb): ${err instanceof Error ? err.message : String(err)}`);
}
