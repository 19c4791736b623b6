// Runs every test of the runner: unit tests beside the code (src/**/*.test.ts) and the
// end-to-end specs (spec/**/*.test.ts), with node's built-in test runner, each spec file in its
// own process (the short unit-test files together in one), STRATA_TEST_CONCURRENCY at a time (default: the cores, at least 2; specs use
// their own databases and temp dirs, so files are independent).
//
// The longest files start first (scripts/test-durations.json, seconds from a measured run;
// a file it does not know counts as 60 s for a spec, 5 s for a unit test), so the workers
// finish together instead of one running the slowest spec alone at the end. Each file's report is printed whole when it ends;
// the run ends with the slowest files, their wall and CPU time (the CPU of the file's
// process and the CLI processes it ran; database servers not included).
//
//   node scripts/test.mjs [<substring>…]   the matching files only
//   node scripts/test.mjs --record …       also write the files' wall times to scripts/test-durations.json
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { cachedCli } from './cli-bundle.mjs';
import { bundleTests } from './test-bundle.mjs';

const root = join(import.meta.dirname, '..');
const DURATIONS = join(import.meta.dirname, 'test-durations.json');
const args = process.argv.slice(2);
const record = args.includes('--record');
const only = args.filter((a) => a !== '--record');

const files = ['src', 'spec']
  .flatMap((dir) => readdirSync(join(root, dir), { recursive: true }).map((f) => join(dir, f)))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('fixtures'))
  .filter((f) => !only.length || only.some((o) => f.includes(o)));
const known = existsSync(DURATIONS) ? JSON.parse(readFileSync(DURATIONS, 'utf8')) : {};
const expected = (f) => known[f] ?? (f.startsWith('spec') ? 60 : 5);

// A job is one process. Unit-test files that take under UNIT_ALONE seconds share one process
// (their own start-up was most of their cost: 50 files, 73.6 s CPU apart, 46.5 s together).
const UNIT_ALONE = 10;
const UNITS = 'src unit tests (one process)';
const grouped = files.filter((f) => f.startsWith('src') && expected(f) < UNIT_ALONE);
const alone = grouped.length > 1 ? files.filter((f) => !grouped.includes(f)) : files;
const jobs = alone.map((f) => ({ name: f, files: [f], expected: expected(f) }));
if (grouped.length > 1) jobs.push({ name: UNITS, files: grouped, expected: known[UNITS] ?? grouped.reduce((s, f) => s + expected(f), 0) });
jobs.sort((a, b) => b.expected - a.expected || a.name.localeCompare(b.name));

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

/** CPU seconds of this process's ended children (Linux; 0 elsewhere): read when one ends, the rise is its CPU. */
function childrenCpu() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in clock ticks (100 Hz)
  } catch {
    return 0;
  }
}

// V8 flags of every test file's process, and of the CLI processes the specs start
// (STRATA_SPEC_NODE_FLAGS; spec/support.ts says why each). A CLI process lives a second or
// two: it also goes without TurboFan, V8's optimising compiler for JavaScript, whose
// background compiles it never pays back (the whole run: 815 → 621 s of CPU, 458 → 358 s
// wall). Test files keep it: some do seconds of JavaScript work in-process.
const nodeFlags = '--liftoff-only';
const cliNodeFlags = process.env.STRATA_SPEC_NODE_FLAGS ?? `${nodeFlags} --no-opt`;

// The test files run as one esbuild bundle of them all (scripts/test-bundle.mjs: 0.6 s of CPU
// less per process than tsx), or through tsx when STRATA_TEST_TSX=1 or bundling fails.
let bundle = null;
if (process.env.STRATA_TEST_TSX !== '1') {
  try {
    bundle = await bundleTests(files);
  } catch (err) {
    console.error(`note: the test files run through tsx (no bundle: ${err instanceof Error ? err.message.split('\n')[0] : err})`);
  }
}
const entryOf = (f) => (bundle ? bundle.fileOf(f) : f);
const loader = bundle ? ['--enable-source-maps'] : ['--import', 'tsx'];
// The specs' temporary projects, databases and lakes (hundreds of thousands of files made and
// deleted) go to a RAM file system when there is one with room: on this machine's ext4, which
// runs without a journal, every file created scans the inodes deleted in the last minutes
// (the kernel's recently_deleted(): 10,000 files took 0.26 s on a quiet disk, 2–5 s of system
// time after a large delete). Measured on main, paired: 237 → 225 s wall, 395 → 356 s of CPU
// (system 93 → 62 s). STRATA_TEST_TMPDIR chooses the folder; `os` keeps the system's.
const scratch = scratchDir();
const env = { ...process.env, ...(scratch ? { TMPDIR: scratch } : {}), STRATA_SPEC_CLI: (await cachedCli())?.file ?? '', STRATA_SPEC_NODE_FLAGS: cliNodeFlags };

function scratchDir() {
  const chosen = process.env.STRATA_TEST_TMPDIR;
  if (chosen === 'os') return null;
  if (!chosen && !roomIn('/dev/shm', 4 * 2 ** 30)) return null;
  let dir;
  try {
    dir = mkdtempSync(join(chosen ?? '/dev/shm', 'strata-test-'));
  } catch (err) {
    console.error(`error: cannot make the specs' temporary folder in ${chosen ?? '/dev/shm'} (STRATA_TEST_TMPDIR): ${err.message}`);
    process.exit(2);
  }
  // As /tmp: the specs' servers run as other users (postgres, a TLS test user) and make files here.
  chmodSync(dir, 0o1777);
  return dir;
}

function roomIn(dir, bytes) {
  try {
    const { bavail, bsize } = statfsSync(dir);
    return bavail * bsize >= bytes;
  } catch {
    return false; // no such file system here
  }
}
function removeScratch() {
  if (!scratch) return;
  try {
    rmSync(scratch, { recursive: true, force: true });
  } catch (err) {
    console.error(`note: could not remove the specs' temporary folder ${scratch}: ${err.message}`);
  }
}
const concurrency = Number(process.env.STRATA_TEST_CONCURRENCY ?? Math.max(2, cpus().length));
const started = performance.now();
const load = loadavg()[0];
const totals = { tests: 0, pass: 0, fail: 0, skipped: 0, cancelled: 0 };
const ran = [];
let lastCpu = childrenCpu();

// A file runs as a plain node process on its bundle (node's test runner reports in it; no `--test` parent,
// which would cost a second start-up per file). A file that hangs is killed, with its
// children, after STRATA_TEST_FILE_TIMEOUT seconds.
const fileTimeout = Number(process.env.STRATA_TEST_FILE_TIMEOUT ?? 1800) * 1000;
const running = new Set();
process.on('SIGINT', () => {
  for (const child of running) process.kill(-child.pid, 'SIGKILL');
  bundle?.remove();
  removeScratch();
  process.exit(130);
});

function runJob({ name: file, files: members }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const entry = members.length === 1 ? members.map(entryOf) : [join('scripts', 'import-all.mjs'), ...members.map(entryOf)];
    const child = spawn(process.execPath, [...nodeFlags.split(' ').filter(Boolean), ...loader, '--test-reporter=spec', ...entry], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid, 'SIGKILL');
    }, fileTimeout);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const cpu = childrenCpu();
      const wall = (performance.now() - t0) / 1000;
      const cpuUsed = cpu - lastCpu;
      lastCpu = cpu;
      for (const key of Object.keys(totals)) {
        const m = out.match(new RegExp(`^ℹ ${key} (\\d+)$`, 'm'));
        if (m) totals[key] += Number(m[1]);
      }
      const ok = code === 0;
      const why = timedOut ? `killed after ${fileTimeout / 1000} s` : `exit ${code ?? signal}`;
      ran.push({ file, wall, cpu: cpuUsed, ok, out });
      process.stdout.write(`\n${ok ? '✔' : '✖'} ${file} — ${wall.toFixed(1)} s wall, ${cpuUsed.toFixed(1)} s CPU${ok ? '' : ` (${why})`}\n${out}`);
      resolve();
    });
  });
}

const queue = [...jobs];
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    while (queue.length) await runJob(queue.shift());
  }),
);

bundle?.remove();
removeScratch();
const wall = (performance.now() - started) / 1000;
const failed = ran.filter((r) => !r.ok);
const slowest = [...ran].sort((a, b) => b.wall - a.wall).slice(0, 15);
console.log(`\nslowest files (wall s / CPU s):\n${slowest.map((r) => `  ${r.wall.toFixed(1).padStart(6)} ${r.cpu.toFixed(1).padStart(6)}  ${r.file}`).join('\n')}`);
console.log(
  `\n${files.length} test files in ${ran.length} processes, ${totals.tests} tests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped, ${totals.cancelled} cancelled` +
    ` — ${wall.toFixed(0)} s wall, ${ran.reduce((s, r) => s + r.cpu, 0).toFixed(0)} s CPU, ${concurrency} at a time, load average ${load.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
);
// Each failed file's failures again, last: where only the end of a long log is shown (a CI
// summary), what failed and why is there, not only which file.
for (const r of failed) {
  const at = r.out.indexOf('✖ failing tests:');
  const why = (at >= 0 ? r.out.slice(at) : r.out).split('\n');
  console.log(`\n✖ ${r.file}:\n${why.slice(0, 80).join('\n')}${why.length > 80 ? `\n… (${why.length - 80} more lines above, in its report)` : ''}`);
}
if (failed.length) console.log(`failed: ${failed.map((r) => r.file).join(', ')}`);
if (notice) console.error(notice);
if (record) {
  const merged = { ...known, ...Object.fromEntries(ran.map((r) => [r.file, Math.round(r.wall)])) };
  const durations = Object.fromEntries(Object.keys(merged).sort().filter((f) => f === UNITS || existsSync(join(root, f))).map((f) => [f, merged[f]]));
  writeFileSync(DURATIONS, `${JSON.stringify(durations, null, 2)}\n`);
}
process.exit(failed.length ? 1 : 0);
