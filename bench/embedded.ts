/**
 * The embedded engine (PGlite) against PostgreSQL, on whole `strata build` commands:
 *  - the quick start (this repository's project, 3,000 sample reviews) into a new embedded
 *    database: the first ever on this installation (initdb), a new one made from the
 *    template, and a rebuild of an existing one; wall time and peak memory of the process;
 *  - the same small projects on PGlite and on the PostgreSQL server, and the ratio:
 *    jaffle_shop (spec/fixtures/jaffle), the quick start, and `--reviews N` generated reviews.
 * Usage: npx tsx bench/embedded.ts [--runs 3] [--reviews 20000] [--server postgres://postgres@127.0.0.1:5432/postgres]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../src/generate/index.ts';
import { writeBenchResult } from './results.ts';
import { adminSql } from './support/admin-sql.ts';

const arg = (name: string, fallback: string): string => process.argv.find((_, i) => process.argv[i - 1] === name) ?? fallback;
const runs = Number(arg('--runs', '3'));
const reviews = Number(arg('--reviews', '20000'));
const server = arg('--server', process.env.STRATA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'strata-bench-embedded-'));

function copyProject(from: string, parts: string[]): string {
  const dir = mkdtempSync(join(scratch, 'project-'));
  for (const part of parts) cpSync(join(from, part), join(dir, part), { recursive: true });
  return dir;
}
const amazonProject = (): string => copyProject(root, ['project.yaml', 'models', 'macros', 'seeds', 'sample', 'tests', 'migrations']);
const jaffleProject = (): string => copyProject(join(root, 'spec', 'fixtures', 'jaffle'), ['project.yaml', 'models', 'macros', 'seeds', 'tests']);

interface Run {
  wall_s: number;
  peak_rss_mb: number;
}

/** One `strata build` as its own process; peak RSS from the process's own resource usage. */
function build(projectDir: string, env: Record<string, string>, extra: string[] = []): Run {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', join(import.meta.dirname, 'support', 'peak-rss.mjs'), join(root, 'src', 'cli.ts'), '--project-dir', projectDir, 'build', ...extra],
    { env: { ...process.env, DATABASE_URL: '', NEON_DB_URL: '', ...env }, encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`strata build in ${projectDir} exited ${r.status}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  const kb = Number(/peak_rss_kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { wall_s: +wall.toFixed(2), peak_rss_mb: Math.round(kb / 1024) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (rs: Run[]): Run & { min_wall_s: number } => ({
  wall_s: median(rs.map((r) => r.wall_s)),
  min_wall_s: Math.min(...rs.map((r) => r.wall_s)),
  peak_rss_mb: Math.max(...rs.map((r) => r.peak_rss_mb)),
});


/** A new embedded database: a data dir that does not exist yet, and a cache dir of our own. */
const embedded = (cache: string): Record<string, string> => ({ STRATA_PGLITE_DIR: join(mkdtempSync(join(scratch, 'db-')), 'pglite'), STRATA_CACHE_DIR: cache });

async function postgresUrl(name: string): Promise<string> {
  await adminSql(server, `drop database if exists ${name} with (force)`);
  await adminSql(server, `create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

try {
  // The quick start: the first new database on an installation runs initdb and leaves the template.
  const cache = join(scratch, 'cache');
  const firstEver = summary(Array.from({ length: runs }, () => {
    rmSync(cache, { recursive: true, force: true });
    return build(amazonProject(), embedded(cache));
  }));
  const fromTemplate = summary(Array.from({ length: runs }, () => build(amazonProject(), embedded(cache))));
  const project = amazonProject();
  const env = embedded(cache);
  build(project, env);
  const rebuild = summary(Array.from({ length: runs }, () => build(project, env)));
  console.log(`quick start (npx tsx src/cli.ts build, 3,000 reviews, PGlite):`);
  console.log(`  first new database on this installation (initdb): ${firstEver.wall_s}s median (min ${firstEver.min_wall_s}s), peak ${firstEver.peak_rss_mb} MB`);
  console.log(`  new database from the template:                   ${fromTemplate.wall_s}s median (min ${fromTemplate.min_wall_s}s), peak ${fromTemplate.peak_rss_mb} MB`);
  console.log(`  rebuild of an existing database:                  ${rebuild.wall_s}s median (min ${rebuild.min_wall_s}s), peak ${rebuild.peak_rss_mb} MB`);

  // The same projects on both engines: each build into a new database.
  const data = join(scratch, `reviews-${reviews}`);
  await generateDataset({ reviews, seed: 1, outDir: data });
  const cases: { name: string; project: () => string; extra: string[] }[] = [
    { name: 'jaffle_shop (5 models)', project: jaffleProject, extra: [] },
    // A new PostgreSQL database has empty source tables: both engines load the same sample.
    { name: 'quick start (3,000 reviews)', project: amazonProject, extra: ['--seed-from', join(root, 'sample', 'amazon')] },
    { name: `${reviews.toLocaleString('en-US')} generated reviews`, project: amazonProject, extra: ['--seed-from', data] },
  ];
  const compare = [];
  for (const c of cases) {
    const onPglite = summary(Array.from({ length: runs }, () => build(c.project(), embedded(cache), c.extra)));
    const onServer: Run[] = [];
    for (let i = 0; i < runs; i++) onServer.push(build(c.project(), { DATABASE_URL: await postgresUrl(`strata_bench_i17b_${i}`) }, c.extra));
    const onPostgres = summary(onServer);
    const ratio = +(onPglite.wall_s / onPostgres.wall_s).toFixed(2);
    compare.push({ project: c.name, pglite: onPglite, postgres: onPostgres, ratio });
    console.log(`${c.name}: PGlite ${onPglite.wall_s}s (peak ${onPglite.peak_rss_mb} MB), PostgreSQL ${onPostgres.wall_s}s: ${ratio}×`);
  }
  for (let i = 0; i < runs; i++) await adminSql(server, `drop database if exists strata_bench_i17b_${i} with (force)`);
  const load = +loadavg()[0]!.toFixed(1);
  console.log(`load average at the end: ${load} (2 cores); medians of ${runs} runs`);
  writeBenchResult('embedded', { runs, quick_start: { first_ever: firstEver, from_template: fromTemplate, rebuild }, compare, load_average: load });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
