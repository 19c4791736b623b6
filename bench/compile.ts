/**
 * Compile speed on synthetic projects: N models, each referencing 1–3 earlier ones, with
 * helpers (config, ref, var, source) and a macro. Prints figures and writes them as JSON.
 * Every model's SQL is parsed and analyzed (column lineage), as compile always does.
 * Two measures: the compile work in this process, and `strata compile` as a whole command
 * (a new process: start-up, compile, target/compiled/*.sql and manifest.json written) into
 * an empty target/, an up-to-date one and after editing one model, each started through tsx
 * and as `strata` (bin/strata.mjs run as a program: the cached bundle), with the start-up alone (`strata --version`) reported apart.
 * Usage: npx tsx bench/compile.ts [--models 1000,10000,100000] [--command-models 5000,10000] [--runs 5] [--via tsx,bundle]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileProject, loadSqlParser } from '../src/api/compile.ts';
import { writeBenchResult } from './results.ts';

await loadSqlParser();

function makeProject(dir: string, n: number): void {
  mkdirSync(join(dir, 'models', 'core'), { recursive: true });
  mkdirSync(join(dir, 'macros'), { recursive: true });
  writeFileSync(
    join(dir, 'project.yaml'),
    'name: bench\nlayers:\n  core: {materialized: view}\nsources:\n  raw: {schema: raw, tables: [events]}\nvars:\n  threshold: 10\n',
  );
  writeFileSync(join(dir, 'macros', 'safe_div.sql'), 'case when {{den}} = 0 then null else {{num}}::numeric / {{den}} end');
  let seed = 7;
  const rand = (k: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  for (let i = 0; i < n; i++) {
    const refs = i === 0 ? [] : [...new Set(Array.from({ length: 1 + rand(3) }, () => rand(i)))];
    const from = refs.length === 0 ? '{{source "raw" "events"}} r0' : refs.map((r, j) => `{{ref "m${r}"}} r${j}`).join(' cross join ');
    writeFileSync(
      join(dir, 'models', 'core', `m${i}.sql`),
      `{{config materialized="view" tags="t${i % 10}"}}\n-- model ${i}\nselect r0.id,\n  {{> safe_div num="r0.a" den="r0.b"}} as ratio,\n  r0.a > {{var "threshold"}} as big, r0.a, r0.b\nfrom ${from}\n`,
    );
  }
}

const sizes = (process.argv.find((_, i) => process.argv[i - 1] === '--models') ?? '1000,10000,100000').split(',').map(Number);
const figures = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-compile-'));
  makeProject(dir, n);
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = compileProject({ projectDir: dir, writeArtifacts: false });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const row = {
    models: n,
    seconds_total: +seconds.toFixed(3),
    // Wall time on a shared machine is inflated by its load; CPU time is what the work costs.
    cpu_seconds: +((cpu.user + cpu.system) / 1e6).toFixed(3),
    seconds_read: +(result.timings.readMs / 1000).toFixed(3),
    seconds_compile: +(result.timings.compileMs / 1000).toFixed(3),
    seconds_sql_analysis: +(result.timings.analyzeMs / 1000).toFixed(3),
    ms_per_model: +((seconds * 1000) / n).toFixed(4),
    peak_rss_mb: Math.round(peak / 2 ** 20),
  };
  figures.push(row);
  console.log(
    `${String(n).padStart(7)} models: ${row.seconds_total}s total, ${row.cpu_seconds}s CPU (${row.seconds_read}s reading files, ${row.seconds_compile}s rendering + graph + diagnostics, of which ${row.seconds_sql_analysis}s parsing + analyzing SQL), ${row.ms_per_model} ms/model, peak RSS ${row.peak_rss_mb} MB`,
  );
  rmSync(dir, { recursive: true, force: true });
}
/** CPU seconds (user + system) of every run so far, read from /usr/bin/time when it is installed. */
const cliCpu: number[] = [];

/**
 * How the command is started: `tsx` as the README says to run it (`node --import tsx
 * src/cli.ts`: tsx transpiles every module at each start), `bundle` as `strata` starts it:
 * bin/strata.mjs run as a program, through its `#!` line and the Node flags there (as `npx
 * strata` and node_modules/.bin/strata run it), from the bundle cached by scripts/cli-bundle.mjs.
 */
const LAUNCHERS = {
  tsx: (): string[] => [process.execPath, '--import', 'tsx', join(import.meta.dirname, '..', 'src', 'cli.ts')],
  bundle: (): string[] => [join(import.meta.dirname, '..', 'bin', 'strata.mjs')],
};
type Launcher = keyof typeof LAUNCHERS;

/** Wall seconds of each run of the CLI with `args`, which must exit 0. */
function timeCli(launch: string[], args: string[], runs: number, before?: () => void): number[] {
  const timed = existsSync('/usr/bin/time');
  return Array.from({ length: runs }, () => {
    before?.();
    const t0 = performance.now();
    const argv = [...launch, ...args];
    const r = timed ? spawnSync('/usr/bin/time', ['-f', 'strata-cpu %U %S', ...argv], { encoding: 'utf8' }) : spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    const s = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`strata ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const m = /strata-cpu ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
    if (m) cliCpu.push(Number(m[1]) + Number(m[2]));
    return s;
  });
}

const stats = (xs: number[]): { median: number; min: number } => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: +sorted[Math.floor(sorted.length / 2)]!.toFixed(3), min: +sorted[0]!.toFixed(3) };
};

const runs = Number(process.argv.find((_, i) => process.argv[i - 1] === '--runs') ?? '5');
const commandSizes = (process.argv.find((_, i) => process.argv[i - 1] === '--command-models') ?? '5000,10000').split(',').map(Number);
const launchers = (process.argv.find((_, i) => process.argv[i - 1] === '--via') ?? 'tsx,bundle').split(',') as Launcher[];
/** Median CPU seconds of the runs since `from` (an index into cliCpu), null without /usr/bin/time. */
const cpuSince = (from: number): number | null => (cliCpu.length > from ? stats(cliCpu.slice(from)).median : null);
/** Median wall and CPU seconds of `measure`'s runs. */
const timed = (measure: () => number[]): { wall: { median: number; min: number }; cpu: number | null } => {
  const mark = cliCpu.length;
  const wall = stats(measure());
  return { wall, cpu: cpuSince(mark) };
};
const say = (t: { wall: { median: number; min: number }; cpu: number | null }): string => `${t.wall.median}s median (min ${t.wall.min}s), ${t.cpu ?? '?'}s CPU`;

const command: Record<string, unknown> = {};
for (const via of launchers) {
  const launch = LAUNCHERS[via]();
  const startup = timed(() => timeCli(launch, ['--version'], runs));
  console.log(`start-up via ${via} (strata --version): ${say(startup)}`);
  const sizes = [];
  for (const n of commandSizes) {
    // A first compile writes every file (a new project each run: deleting the last run's
    // 10,000 files right before would time the file system's cleanup too); a second finds
    // them unchanged and rewrites only the manifest; then one model is edited before each run.
    const dirs = Array.from({ length: runs }, () => mkdtempSync(join(tmpdir(), 'strata-bench-compile-cmd-')));
    for (const d of dirs) makeProject(d, n);
    let next = 0;
    const fresh = timed(() => dirs.map(() => timeCli(launch, ['--project-dir', dirs[next++]!, 'compile'], 1)[0]!));
    const again = timed(() => timeCli(launch, ['--project-dir', dirs[0]!, 'compile'], runs));
    let edit = 0;
    const edited = timed(() =>
      timeCli(launch, ['--project-dir', dirs[0]!, 'compile'], runs, () => {
        const file = join(dirs[0]!, 'models', 'core', `m${n - 1 - edit}.sql`);
        writeFileSync(file, readFileSync(file, 'utf8').replace(/^-- model .*$/m, `-- model ${n - 1 - edit}, edited ${edit++}`));
      }),
    );
    sizes.push({ models: n, fresh_target: fresh, unchanged_target: again, one_model_edited: edited });
    console.log(`${String(n).padStart(7)} models, \`strata compile\` as a process via ${via}: into an empty target/ ${say(fresh)}; target/ up to date ${say(again)}; one model edited ${say(edited)}; start-up alone ${say(startup)}`);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  command[via] = { startup, sizes };
}
const load = loadavg()[0]!.toFixed(1);
console.log(`load average during the run: ${load} (2 cores)`);
writeBenchResult('compile', { figures, command: { runs, ...command }, load_average: +load });
