#!/usr/bin/env -S node --max-semi-space-size=32 --initial-old-space-size=256
// `strata`: the CLI (src/cli.ts), started from its bundle in node_modules/.cache/strata/cli,
// built on the first start after an install or an edit (scripts/cli-bundle.mjs). Where no
// bundle can be had, through tsx, as `npx tsx src/cli.ts` does.
//
// The #! line gives V8 a larger young generation (32 MB semi-spaces instead of 16): compile
// makes a parse tree per model that lives only until its analysis, and with the default
// size the process ran 66 scavenges for 10,000 models. And an old generation that starts at
// 256 MB: the same compile ran 4 full collections on its way to ≈150 MB, 2 with it. Neither
// can be set once the process runs (v8.setFlagsFromString leaves the heap as configured),
// hence here and in package.json's scripts; README "How `strata` starts" has the figures.
import { pathToFileURL } from 'node:url';
import { cachedCli } from '../scripts/cli-bundle.mjs';

let bundle = null;
try {
  bundle = (await cachedCli())?.file ?? null;
} catch (err) {
  process.stderr.write(`strata: starting through tsx (no bundle: ${err instanceof Error ? err.message.split('\n')[0] : err})\n`);
}
if (bundle) {
  // Source maps are written beside the bundle but not read at each start: Node would parse
  // the map of every module it loads (PGlite's 1.1 MB among them), ≈0.1 s of CPU per command.
  // NODE_OPTIONS=--enable-source-maps makes stack traces name src/*.ts lines.
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
