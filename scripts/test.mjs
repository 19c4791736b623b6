// Runs every test of the runner: unit tests beside the code (src/**/*.test.ts) and the
// end-to-end specs (spec/**/*.test.ts), with node's built-in test runner. Each file runs in
// its own process, two at a time (this machine kind has 2 cores; specs use their own
// databases and temp dirs, so files are independent). `node scripts/test.mjs <substring>…`
// runs the matching files only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const files = ['src', 'spec']
  .flatMap((dir) => readdirSync(join(root, dir), { recursive: true }).map((f) => join(dir, f)))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('fixtures'))
  .sort();
const only = process.argv.slice(2);
const chosen = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;

// The system tools some specs need (spec/support.ts TOOLS): said before and after the run.
const tools = [
  ['Chromium', process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium', 'chromium'],
  ['promtool', process.env.STRATA_PROMTOOL ?? '/usr/bin/promtool', 'prometheus'],
  ['PgBouncer', process.env.STRATA_PGBOUNCER ?? '/usr/sbin/pgbouncer', 'pgbouncer'],
].filter(([, path]) => !existsSync(path));
const notice = tools.length
  ? `specs needing ${tools.map(([n]) => n).join(', ')} are not run here (reported as skipped): apt-get install -y ${tools.map(([, , p]) => p).join(' ')}`
  : '';
if (notice) console.error(`note: ${notice}`);

const concurrency = Number(process.env.STRATA_TEST_CONCURRENCY ?? Math.max(2, cpus().length));
const started = performance.now();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...chosen],
  { cwd: root, stdio: 'inherit' },
);
console.error(`${chosen.length} test files in ${((performance.now() - started) / 1000).toFixed(0)}s${notice ? `; ${notice}` : ''}`);
process.exit(result.status ?? 1);
