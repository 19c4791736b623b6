/**
 * Batches that cost what changed, on the PostgreSQL server: a full build of N generated
 * reviews into a new database, then a build with no change, then one after 1 % of the
 * reviews were re-voted (`updated_at = now()`), each a whole `strata build` process.
 * Prints each wall time, the models reused / rebuilt, and the ratio to the full build.
 * Usage: npx tsx bench/reuse.ts [--reviews 200000] [--server postgres://postgres@127.0.0.1:5432/postgres] [--tag NAME | --existing DATABASE [--no-full]] [--bundled]
 * --bundled runs the CLI as `strata` does (bin/strata.mjs: its cached bundle, scripts/cli-bundle.mjs)
 * instead of `node --import tsx src/cli.ts`: the same code without tsx's per-start transpiling.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../src/generate/index.ts';
import { writeBenchResult } from './results.ts';
import { sampleServerCpu } from './support/server-cpu.ts';
import { adminSql } from './support/admin-sql.ts';

const arg = (name: string, fallback: string): string => process.argv.find((_, i) => process.argv[i - 1] === name) ?? fallback;
const reviews = Number(arg('--reviews', '200000'));
const server = arg('--server', process.env.STRATA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'strata-bench-reuse-'));
// --existing DB measures on a database already built (e.g. `bench/pipeline.ts --keep`'s), and keeps it;
// else --tag goes into the scratch database's name, so concurrent runs on one server do not clash.
const existing = arg('--existing', '');
const database = existing || `strata_bench_reuse_${arg('--tag', 'run').replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
const cli: string[] = process.argv.includes('--bundled') ? [join(root, 'bin', 'strata.mjs')] : ['--import', 'tsx', join(root, 'src', 'cli.ts')];


interface BuildFigures {
  wall_s: number;
  /** strata's own process: user + system CPU seconds. */
  client_cpu_s: number;
  /** The database's backends (a lower bound, bench/support/server-cpu.ts). */
  server_cpu_s: number;
  reused: number;
  built: number;
  tests_run: number;
  /** Tests not run whose recorded warning was reported again. */
  tests_reported_again: number;
  /** Wall seconds before build() starts: the process start and module loading. */
  start_s: number;
  steps: Record<string, number>;
  /** Tables whose lake file was taken over from the previous batch / exported in all. */
  lake_files_reused: number;
  lake_tables: number;
  /** Seconds per model that was built or merged (reused ones cost nothing). */
  models: Record<string, number>;
}

async function build(project: string, url: string, extra: string[] = []): Promise<BuildFigures> {
  const sampler = await sampleServerCpu(server, database);
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', join(import.meta.dirname, 'support', 'peak-rss.mjs'), ...cli, '--project-dir', project, '--json', 'build', ...extra],
    { env: { ...process.env, DATABASE_URL: url } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const wall = +((performance.now() - t0) / 1000).toFixed(2);
  const serverCpu = +(await sampler.stop()).toFixed(2);
  if (code !== 0) throw new Error(`build exited ${code}: ${stdout.slice(-3000)}${stderr.slice(-2000)}`);
  const events = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const models = events.filter((e) => e.event === 'model_end');
  const reused = models.filter((m) => typeof m.note === 'string' && (m.note as string).startsWith('reused')).length;
  const exports = events.filter((e) => e.event === 'export_end');
  return {
    wall_s: wall,
    client_cpu_s: Number(/cpu_s=([\d.]+)/.exec(stderr)?.[1] ?? NaN),
    server_cpu_s: serverCpu,
    reused,
    built: models.length - reused,
    tests_run: events.filter((e) => e.event === 'test_end' && e.reused === undefined).length,
    tests_reported_again: events.filter((e) => e.event === 'test_end' && e.reused !== undefined).length,
    start_s: +(wall - Number(events.find((e) => e.event === 'run_end')?.duration_s ?? 0)).toFixed(2),
    steps: (events.find((e) => e.event === 'run_end')?.steps ?? {}) as Record<string, number>,
    lake_files_reused: exports.reduce((n, e) => n + Number(e.reused ?? 0), 0),
    lake_tables: exports.reduce((n, e) => n + Number(e.tables ?? 0), 0),
    models: Object.fromEntries(models.filter((m) => m.action !== 'reuse').map((m) => [`${m.model}${m.action === 'merge' ? ` (merged ${m.merged})` : ''}`, Number(m.duration_s)])),
  };
}

const describe = (x: BuildFigures): string =>
  `${x.wall_s}s wall, CPU ${x.client_cpu_s}s strata + ${x.server_cpu_s}s server; ${x.reused} reused, ${x.built} built, ${x.tests_run} tests run (${x.tests_reported_again} warnings reported again); ` +
  `lake files taken over ${x.lake_files_reused}/${x.lake_tables}; start-up ${x.start_s}s, steps ${Object.entries(x.steps).map(([k, v]) => `${k} ${v}s`).join(', ')}\n` +
  `    built: ${Object.entries(x.models).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}s`).join(', ') || 'nothing'}`;

try {
  const data = join(scratch, 'data');
  if (!existing) {
    await generateDataset({ reviews, seed: 1, outDir: data });
    await adminSql(server, `drop database if exists ${database} with (force)`);
    await adminSql(server, `create database ${database}`);
  }
  const url = new URL(server);
  url.pathname = `/${database}`;
  const project = mkdtempSync(join(scratch, 'project-'));
  for (const part of ['project.yaml', 'models', 'macros', 'seeds', 'sample', 'tests', 'migrations']) {
    try {
      cpSync(join(root, part), join(project, part), { recursive: true });
    } catch {
      /* a part this checkout does not have */
    }
  }
  // On an existing database the full build is a --full-refresh of what it holds (no seed);
  // --no-full builds once without it instead (adopting a changed checkout) and reports no ratios.
  const noFull = existing !== '' && process.argv.includes('--no-full');
  const full = await build(project, url.toString(), existing ? (noFull ? [] : ['--full-refresh']) : ['--seed-from', data]);
  const none = await build(project, url.toString());
  await adminSql(url.toString(), `update amazon.review set helpful_votes = helpful_votes + 1, total_votes = total_votes + 1, updated_at = now() where review_id % 100 = 7`);
  const onePercent = await build(project, url.toString());
  const ratio = (x: BuildFigures): string =>
    `${(x.wall_s / full.wall_s).toFixed(3)} (wall), ${((x.client_cpu_s + x.server_cpu_s) / (full.client_cpu_s + full.server_cpu_s)).toFixed(3)} (CPU)`;
  const load = +loadavg()[0]!.toFixed(1);
  console.log(`${existing ? `database ${existing}` : `${reviews.toLocaleString('en-US')} reviews`} on PostgreSQL, whole \`strata build\` processes:`);
  console.log(`  ${noFull ? 'first build:        ' : 'full build:         '} ${describe(full)}`);
  console.log(`  no change:           ${describe(none)} = ${ratio(none)} of full`);
  console.log(`  1 % reviews changed: ${describe(onePercent)} = ${ratio(onePercent)} of full`);
  console.log(`load average at the end: ${load} (2 cores)`);
  writeBenchResult('reuse', { reviews, full, no_change: { ...none, ratio: ratio(none) }, one_percent: { ...onePercent, ratio: ratio(onePercent) }, load_average: load });
  if (!existing) await adminSql(server, `drop database if exists ${database} with (force)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
