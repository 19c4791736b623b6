/**
 * Batches that cost what changed, on the PostgreSQL server: a full build of N generated
 * reviews into a new database, then a build with no change, then one after 1 % of the
 * reviews were re-voted (`updated_at = now()`), each a whole `strata build` process.
 * Prints each wall time, the models reused / rebuilt, and the ratio to the full build.
 * Usage: npx tsx bench/reuse.ts [--reviews 200000] [--server postgres://postgres@127.0.0.1:5432/postgres]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateDataset } from '../src/generate/index.ts';
import { writeBenchResult } from './results.ts';

const arg = (name: string, fallback: string): string => process.argv.find((_, i) => process.argv[i - 1] === name) ?? fallback;
const reviews = Number(arg('--reviews', '200000'));
const server = arg('--server', process.env.STRATA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'strata-bench-reuse-'));
const database = 'strata_bench_i17b_reuse';

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

function build(project: string, url: string, extra: string[] = []): { wall_s: number; reused: number; built: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), '--project-dir', project, '--json', 'build', ...extra], {
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wall = +((performance.now() - t0) / 1000).toFixed(2);
  if (r.status !== 0) throw new Error(`build exited ${r.status}: ${r.stdout.slice(-3000)}${r.stderr.slice(-2000)}`);
  const models = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === 'model_end');
  const reused = models.filter((m) => typeof m.note === 'string' && (m.note as string).startsWith('reused')).length;
  return { wall_s: wall, reused, built: models.length - reused };
}

try {
  const data = join(scratch, 'data');
  await generateDataset({ reviews, seed: 1, outDir: data });
  await sql(server, `drop database if exists ${database} with (force)`);
  await sql(server, `create database ${database}`);
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
  const full = build(project, url.toString(), ['--seed-from', data]);
  const none = build(project, url.toString());
  await sql(url.toString(), `update amazon.review set helpful_votes = helpful_votes + 1, total_votes = total_votes + 1, updated_at = now() where review_id % 100 = 7`);
  const onePercent = build(project, url.toString());
  const ratio = (x: { wall_s: number }): number => +(x.wall_s / full.wall_s).toFixed(3);
  const load = +loadavg()[0]!.toFixed(1);
  console.log(`${reviews.toLocaleString('en-US')} reviews on PostgreSQL, whole \`strata build\` processes:`);
  console.log(`  full build:          ${full.wall_s}s (${full.built} models built)`);
  console.log(`  no change:           ${none.wall_s}s (${none.reused} reused, ${none.built} built) = ${ratio(none)} of full`);
  console.log(`  1 % reviews changed: ${onePercent.wall_s}s (${onePercent.reused} reused, ${onePercent.built} built) = ${ratio(onePercent)} of full`);
  console.log(`load average at the end: ${load} (2 cores)`);
  writeBenchResult('reuse', { reviews, full, no_change: { ...none, ratio: ratio(none) }, one_percent: { ...onePercent, ratio: ratio(onePercent) }, load_average: load });
  await sql(server, `drop database if exists ${database} with (force)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
