// Imports each test file named on the command line into this one process, where node's test
// runner runs them all: scripts/test.mjs groups the short unit-test files this way (one
// process start-up instead of one per file). The files are their bundles (scripts/test-bundle.mjs)
// or, through tsx, the .ts files.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

for (const file of process.argv.slice(2)) await import(pathToFileURL(resolve(file)).href);
