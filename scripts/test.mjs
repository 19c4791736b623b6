// Runs every test of the runner: unit tests beside the code (src/**/*.test.ts) and the
// end-to-end specs (spec/**/*.test.ts), with node's built-in test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const files = ['src', 'spec']
  .flatMap((dir) => readdirSync(join(root, dir), { recursive: true }).map((f) => join(dir, f)))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('fixtures'))
  .sort();
const only = process.argv.slice(2);
const chosen = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...chosen],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
