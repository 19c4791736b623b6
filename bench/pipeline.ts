/**
 * The Amazon pipeline at scale on the local PostgreSQL server: generate N reviews, build
 * everything into a fresh database (seed + run + tests + publish + export), and report
 * per-model rows and seconds, the slowest model, and the whole build's wall time.
 * Usage: npx tsx bench/pipeline.ts [--reviews 200000,1000000] [--server postgres://postgres@127.0.0.1:5432/postgres] [--tag NAME] [--keep]
 * (--tag goes into the scratch database's name, so concurrent runs on one server do not clash)
 * Also printed: how busy the whole machine was during the build (/proc/stat, every process),
 * and per 5 s: cores left idle mean more overlap could help; all of them busy, only less work.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateDataset } from '../src/generate/index.ts';
import { writeBenchResult } from './results.ts';
import { sampleMachineCpu, timelineText } from './support/machine-cpu.ts';

const arg = (name: string, fallback: string): string => process.argv.find((_, i) => process.argv[i - 1] === name) ?? fallback;
const sizes = arg('--reviews', '200000,1000000').split(',').map(Number);
const server = arg('--server', process.env.STRATA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const tag = arg('--tag', 'run').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
// --keep leaves the built database in place (to EXPLAIN its models); the next run drops it.
const keep = process.argv.includes('--keep');
const root = join(import.meta.dirname, '..');

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  await c.query(sql);
  await c.end();
}

const figures = [];
for (const reviews of sizes) {
  const data = mkdtempSync(join(tmpdir(), 'strata-bench-pipeline-'));
  const t0 = performance.now();
  await generateDataset({ reviews, seed: 1, outDir: data });
  const generateS = (performance.now() - t0) / 1000;
  const db = `strata_bench_${tag}_${reviews}`;
  await admin(`drop database if exists ${db} with (force)`);
  await admin(`create database ${db}`);
  const url = new URL(server);
  url.pathname = `/${db}`;
  // A copy of the project, so the run's artifacts and lake stay out of the checkout.
  const project = mkdtempSync(join(tmpdir(), 'strata-bench-project-'));
  for (const part of ['project.yaml', 'models', 'macros', 'seeds', 'tests', 'migrations']) cpSync(join(root, part), join(project, part), { recursive: true });
  const t1 = performance.now();
  const machine = sampleMachineCpu();
  const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), '--project-dir', project, '--json', 'build', '--seed-from', data], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url.toString() },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const cpu = machine.stop();
  const wallS = (performance.now() - t1) / 1000;
  const events = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const models = events
    .filter((e) => e.event === 'model_end')
    .map((e) => ({ model: e.model as string, rows: e.rows as number | null, seconds: e.duration_s as number, status: e.status as string }));
  const seeds = events.filter((e) => e.event === 'seed_end').reduce((s, e) => s + (e.duration_s as number), 0);
  const tests = events.filter((e) => e.event === 'test_end');
  const end = events.find((e) => e.event === 'run_end');
  const slowest = [...models].sort((a, b) => b.seconds - a.seconds)[0];
  const row = {
    reviews,
    status: end?.status ?? `exit ${run.status}`,
    generate_s: +generateS.toFixed(2),
    build_wall_s: +wallS.toFixed(2),
    steps: (end?.steps ?? {}) as Record<string, number>,
    seed_s: +seeds.toFixed(2),
    models_s: +models.reduce((s, m) => s + m.seconds, 0).toFixed(2),
    tests: tests.length,
    tests_s: +tests.reduce((s, e) => s + (e.duration_s as number), 0).toFixed(2),
    slowest,
    models,
    machine: cpu,
  };
  figures.push(row);
  const steps = Object.entries(row.steps).map(([k, v]) => `${k} ${v}s`).join(', ');
  console.log(`\n${reviews.toLocaleString('en-US')} reviews: build ${row.status} in ${row.build_wall_s}s wall — ${steps}; models ${row.models_s}s and ${row.tests} tests ${row.tests_s}s of work; generating took ${row.generate_s}s`);
  for (const m of models) console.log(`  ${m.model.padEnd(24)} ${String(m.rows ?? '').padStart(9)} rows ${m.seconds.toFixed(2).padStart(7)}s ${m.status}`);
  if (slowest) console.log(`  slowest: ${slowest.model} (${slowest.seconds}s)`);
  const slowTests = [...tests].sort((a, b) => (b.duration_s as number) - (a.duration_s as number)).slice(0, 5);
  if (slowTests.length) console.log(`  slowest tests: ${slowTests.map((t) => `${t.test as string} ${(t.duration_s as number).toFixed(2)}s`).join(', ')}`);
  // Whether the build left cores idle: below the core count, more overlap could help; at it, only less work.
  console.log(
    `  machine: ${cpu.cpuSeconds} CPU-s in ${cpu.seconds}s, ${cpu.busyCores} of ${cpu.cores} cores busy on average (every process, this bench's included); this work needs ≥ ${(cpu.cpuSeconds / cpu.cores).toFixed(1)}s of wall on ${cpu.cores} cores`,
  );
  console.log(`  busy cores per 5 s: ${timelineText(cpu.timeline)}`);
  if (run.status !== 0) console.log(run.stderr.slice(-2000));
  rmSync(data, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
  if (!keep) await admin(`drop database if exists ${db} with (force)`);
}
writeBenchResult('pipeline', { server: server.replace(/:[^:@/]*@/, ':****@'), figures });
