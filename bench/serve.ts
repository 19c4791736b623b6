/**
 * `serve` under load on the local PostgreSQL server (figures only, never pass/fail): the
 * 200,000-review data set (bench/generate.ts's generator) is built into a fresh database,
 * `serve` runs as its own process, and autocannon asks for
 * /api/products/{id}/reviews?limit=10 across the most reviewed products:
 *   cold           clients without a copy of their own (serve's answer cache, keyed by batch +
 *                  request, fills on the first request for each path and is checked against
 *                  the published batch on every request);
 *   if-none-match  the client revalidates a response it holds (304 when the batch is the same);
 *   publishing     as cold, while batches are published and rolled back;
 *   uncached       as cold, `serve --cache-mb 0`: every request reads the database.
 * Reports requests per second, p50/p99 latency, errors and non-2xx answers, the serving
 * process's memory, and the plan of the query with the index it uses.
 * `serve` runs with `--rate-limit 10000000` (the limiter runs, but one load generator is one
 * client) and `--connections 4` (--pool).
 * Usage: npx tsx bench/serve.ts [--reviews 200000] [--seconds 15] [--connections 20] [--pool 4] [--server postgres://…] [--reuse]
 * (--reuse: keep the database a previous run built, when it has a published batch)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { generateDataset } from '../src/generate/index.ts';
import { writeBenchResult } from './results.ts';
import { cpuSeconds } from './support/server-cpu.ts';

const arg = (name: string, fallback: string): string => process.argv.find((_, i) => process.argv[i - 1] === name) ?? fallback;
const reviews = Number(arg('--reviews', '200000'));
const seconds = Number(arg('--seconds', '15'));
const connections = Number(arg('--connections', '20'));
const pool = Number(arg('--pool', '4'));
const server = arg('--server', process.env.STRATA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const root = join(import.meta.dirname, '..');
const CLI = join(root, 'src', 'cli.ts');
const db = `strata_bench_i16_serve_${reviews}`;
const url = new URL(server);
url.pathname = `/${db}`;
const env = { ...process.env, DATABASE_URL: url.toString(), ANALYTICS_USER_PASSWORD: 'bench-analytics' };

async function admin(sql: string, database = server): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: database });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

function cli(project: string, ...args: string[]): { seconds: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--project-dir', project, ...args], { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`strata ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return { seconds: (performance.now() - t) / 1000 };
}

/** VmRSS and its peak (VmHWM) of a process, in MB. */
function memory(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakRssMb: Math.round(kb('VmHWM') / 1024) };
}

/**
 * `serve` as the shop would run it, but with the rate limit raised past what one load
 * generator asks (all its connections are one client): the limiter still runs on every request.
 */
async function startServe(project: string, ...flags: string[]): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--project-dir', project, '--json', 'serve', '--port', '0', '--rate-limit', '10000000', '--connections', String(pool), ...flags], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /"url":\s*"([^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return { child, base };
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 1/100 s). */
/** The server processes answering the API's connections. */
async function backends(): Promise<number[]> {
  const { rows } = await admin(`select pid from pg_stat_activity where datname = current_database() and usename = 'analytics_user'`, url.toString());
  return rows.map((r: { pid: number }) => r.pid);
}

/**
 * CPU per request, of `serve` and of its PostgreSQL backends: what a request costs whatever
 * else the (shared) machine is doing, and so what 2 idle cores could answer.
 */
async function measured<T extends { requests: number }>(servePid: number, run: () => Promise<T>): Promise<T & { serveCpuMsPerRequest: number; dbCpuMsPerRequest: number; idleTwoCoreCapacityPerSecond: number; loadAverage1m: number }> {
  const loadAverage1m = Math.round(loadavg()[0]! * 10) / 10;
  const before = await backends();
  const cpu0 = cpuSeconds(servePid) ?? 0;
  const db0 = new Map(before.map((p) => [p, cpuSeconds(p) ?? 0]));
  const r = await run();
  const cpu1 = cpuSeconds(servePid) ?? 0;
  // A backend that ended during the run (the pool closes idle connections) cannot be read:
  // its CPU is left out, so the database figure is a lower bound.
  let db = 0;
  for (const p of new Set([...before, ...(await backends())])) {
    const now = cpuSeconds(p);
    if (now !== null) db += now - (db0.get(p) ?? 0);
  }
  const serveMs = (1000 * (cpu1 - cpu0)) / r.requests;
  const dbMs = (1000 * db) / r.requests;
  return {
    ...r,
    serveCpuMsPerRequest: Math.round(serveMs * 1000) / 1000,
    dbCpuMsPerRequest: Math.round(dbMs * 1000) / 1000,
    idleTwoCoreCapacityPerSecond: Math.round(2000 / (serveMs + dbMs)),
    loadAverage1m,
  };
}

interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

async function load(base: string, paths: string[], headersFor?: (path: string) => Record<string, string>): Promise<Figures> {
  let i = 0;
  const r = await autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => {
          const path = paths[i++ % paths.length]!;
          return { ...req, path, headers: { ...req.headers, ...(headersFor?.(path) ?? {}) } };
        },
      },
    ],
  });
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, (v as { count: number }).count])),
  };
}

const data = mkdtempSync(join(tmpdir(), 'strata-bench-serve-data-'));
const project = mkdtempSync(join(tmpdir(), 'strata-bench-serve-project-'));
let serving: ChildProcess | undefined;
try {
  for (const part of ['project.yaml', 'models', 'macros', 'seeds', 'tests', 'migrations', 'api']) cpSync(join(root, part), join(project, part), { recursive: true });
  const built = process.argv.includes('--reuse')
    ? await admin('select 1 from strata.current_batch', url.toString()).then((r) => r.rows.length > 0, () => false)
    : false;
  let build = { seconds: Number.NaN };
  if (!built) {
    await generateDataset({ reviews, seed: 1, outDir: data });
    await admin(`drop database if exists ${db} with (force)`);
    await admin(`create database ${db}`);
    build = cli(project, 'build', '--seed-from', data);
    console.log(`built ${reviews.toLocaleString('en-US')} reviews in ${build.seconds.toFixed(1)}s`);
  }

  const { rows } = await admin('select product_id from gold.dim_product order by review_count desc, product_id limit 200', url.toString());
  const paths = rows.map((r: { product_id: string }) => `/api/products/${encodeURIComponent(r.product_id)}/reviews?limit=10`);
  const plan = (await admin(
    `explain (costs off) select * from gold.review_detail r where r.product_id = '${rows[0].product_id}' and r.rank_in_product > 0 order by r.rank_in_product limit 11`,
    url.toString(),
  )).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');

  const startLoad = Math.round(loadavg()[0]! * 10) / 10;
  const started = await startServe(project);
  serving = started.child;
  const base = started.base;
  const idle = memory(serving.pid!);
  await load(base, paths.slice(0, 20)); // warm-up: JIT, connections, caches
  const cold = await measured(serving.pid!, () => load(base, paths));
  const afterCold = memory(serving.pid!);

  const etags = new Map<string, string>();
  for (const p of paths) etags.set(p, (await fetch(base + p)).headers.get('etag')!);
  const revalidate = await measured(serving.pid!, () => load(base, paths, (p) => ({ 'If-None-Match': etags.get(p)! })));

  // Publishing under load: two new batches (review_detail rebuilt) and a rollback, back to back.
  let publishes = 0;
  let publishing = true;
  const publisher = (async () => {
    await new Promise((r) => setTimeout(r, 1000));
    while (publishing) {
      await new Promise<void>((resolve, reject) => {
        const c = spawn(process.execPath, ['--import', 'tsx', CLI, '--project-dir', project, publishes % 3 === 2 ? 'rollback' : 'run', ...(publishes % 3 === 2 ? [] : ['--select', 'review_detail'])], { cwd: root, env, stdio: 'ignore' });
        c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`publish exited with ${code}`))));
      });
      publishes++;
    }
  })();
  const during = await measured(serving.pid!, () => load(base, paths));
  publishing = false;
  await publisher;
  const final = memory(serving.pid!);
  serving.kill('SIGTERM');

  // The same cold load on a serve without the answer cache: every request reads the database.
  const bare = await startServe(project, '--cache-mb', '0');
  serving = bare.child;
  await load(bare.base, paths.slice(0, 20));
  const uncached = await measured(serving.pid!, () => load(bare.base, paths));

  const figures = {
    reviews,
    seconds,
    connections,
    endpoint: '/api/products/{id}/reviews?limit=10 over the 200 most reviewed products',
    ...(Number.isFinite(build.seconds) ? { buildSeconds: Math.round(build.seconds) } : { reusedDatabase: db }),
    cold,
    ifNoneMatch: revalidate,
    duringPublish: { ...during, publishes },
    uncached,
    memory: { idleRssMb: idle.rssMb, afterColdRssMb: afterCold.rssMb, peakRssMb: final.peakRssMb },
    plan,
    cpus: cpus().length,
    // The machine is shared: its load average over the run says how much of it `serve` had.
    loadAverage1m: { atStart: startLoad, atEnd: Math.round(loadavg()[0]! * 10) / 10 },
  };
  console.log(JSON.stringify(figures, null, 2));
  writeBenchResult('serve', figures);
} finally {
  serving?.kill('SIGTERM');
  rmSync(data, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
}
