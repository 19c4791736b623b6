// Imports each test file named on the command line into this one process, where node's test
// runner runs them all: scripts/test.mjs groups the short unit-test files this way (one
// tsx start-up instead of one per file).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

for (const file of process.argv.slice(2)) await import(pathToFileURL(resolve(file)).href);
