/**
 * The embedded engine (PGlite) against PostgreSQL, on whole `strata build` commands:
 *  - the quick start (this repository's project, 3,000 sample reviews) into a new embedded
 *    database: the template made by `npm install` (scripts/pglite-template.ts), a new
 *    database from that template (a fresh clone's first build), the first ever without a
 *    template (`npm install --ignore-scripts`: initdb in the build), and a rebuild of an
 *    existing one; wall time, CPU time (all threads) and peak memory of the process;
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
  cpu_s: number;
  peak_rss_mb: number;
}

/** One TypeScript entry point as its own process; peak RSS and CPU from the process's own resource usage. */
function measure(script: string, args: string[], env: Record<string, string>): Run {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', join(import.meta.dirname, 'support', 'peak-rss.mjs'), script, ...args],
    { env: { ...process.env, DATABASE_URL: '', NEON_DB_URL: '', ...env }, encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited ${r.status}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  const kb = Number(/peak_rss_kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const cpu = Number(/cpu_s=([\d.]+)/.exec(r.stderr)?.[1] ?? NaN);
  return { wall_s: +wall.toFixed(2), cpu_s: cpu, peak_rss_mb: Math.round(kb / 1024) };
}

/** One `strata build` (its unit tests included: a new project copy has no record of them passing). */
const build = (projectDir: string, env: Record<string, string>, extra: string[] = []): Run =>
  measure(join(root, 'src', 'cli.ts'), ['--project-dir', projectDir, 'build', ...extra], env);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (rs: Run[]): Run & { min_wall_s: number } => ({
  wall_s: median(rs.map((r) => r.wall_s)),
  min_wall_s: Math.min(...rs.map((r) => r.wall_s)),
  cpu_s: median(rs.map((r) => r.cpu_s)),
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
  // The quick start. `npm install` makes the template; without it, the first new database
  // on an installation runs initdb and leaves the template.
  const cache = join(scratch, 'cache');
  const install = summary(Array.from({ length: runs }, () => {
    rmSync(cache, { recursive: true, force: true });
    return measure(join(root, 'scripts', 'pglite-template.ts'), [], { STRATA_CACHE_DIR: cache });
  }));
  // A fresh clone's first build: npm install's spare copy of the template is there (made again before each run).
  const fromTemplate = summary(Array.from({ length: runs }, () => {
    measure(join(root, 'scripts', 'pglite-template.ts'), [], { STRATA_CACHE_DIR: cache });
    return build(amazonProject(), embedded(cache));
  }));
  const firstEver = summary(Array.from({ length: runs }, () => {
    rmSync(cache, { recursive: true, force: true });
    return build(amazonProject(), embedded(cache));
  }));
  const project = amazonProject();
  const env = embedded(cache);
  build(project, env);
  const rebuild = summary(Array.from({ length: runs }, () => build(project, env)));
  const line = (what: string, r: ReturnType<typeof summary>): void =>
    console.log(`  ${what.padEnd(52)} ${r.wall_s}s wall median (min ${r.min_wall_s}s), ${r.cpu_s}s CPU, peak ${r.peak_rss_mb} MB`);
  console.log(`quick start (strata build, 3,000 reviews, PGlite; node --import tsx, without npx's own start-up):`);
  line('the template, made by npm install (postinstall):', install);
  line('new database, the spare npm install left (a fresh clone):', fromTemplate);
  line('first new database without a template (initdb):', firstEver);
  line('rebuild of an existing database:', rebuild);

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
    for (let i = 0; i < runs; i++) onServer.push(build(c.project(), { DATABASE_URL: await postgresUrl(`strata_embedded_bench_${i}`) }, c.extra));
    const onPostgres = summary(onServer);
    const ratio = +(onPglite.wall_s / onPostgres.wall_s).toFixed(2);
    compare.push({ project: c.name, pglite: onPglite, postgres: onPostgres, ratio });
    console.log(`${c.name}: PGlite ${onPglite.wall_s}s (${onPglite.cpu_s}s CPU, peak ${onPglite.peak_rss_mb} MB), PostgreSQL ${onPostgres.wall_s}s (${onPostgres.cpu_s}s CPU of strata, the server's not counted): ${ratio}×`);
  }
  for (let i = 0; i < runs; i++) await adminSql(server, `drop database if exists strata_embedded_bench_${i} with (force)`);
  const load = +loadavg()[0]!.toFixed(1);
  console.log(`load average at the end: ${load} (2 cores); medians of ${runs} runs`);
  writeBenchResult('embedded', { runs, quick_start: { install, from_template: fromTemplate, first_ever: firstEver, rebuild }, compare, load_average: load });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
