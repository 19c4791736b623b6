// npm's postinstall: what a fresh clone's first command would otherwise pay for. Each step
// reports and never fails the install.
await import('./pglite-template.ts'); // the embedded engine's template database and its spare
await import('./warm-cli-bundle.ts'); // the CLI as JavaScript, which `strata` (bin/strata.mjs) starts from
await import('./warm-tsx-cache.ts'); // tsx's transpiled modules, for `npx tsx src/cli.ts`
await import('./warm-yaml-cache.ts'); // the project's YAML, parsed once and kept beside the parser
