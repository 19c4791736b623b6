/**
 * What the end-to-end specs share: the engines to run on (PGlite always, PostgreSQL when
 * STRATA_TEST_DATABASE_URL is set, each spec in a database of its own), throwaway
 * project copies, and the CLI run as a real child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import type { Engine } from '../src/engine/engine.ts';
import { createPgliteEngine } from '../src/engine/pglite.ts';
import { createPostgresEngine } from '../src/engine/postgres.ts';
import { acquireFileLock } from '../src/engine/file-lock.ts';
import { strataCacheOf } from '../src/core/bundle-cache.mjs';

export const REPO = join(import.meta.dirname, '..');
export const CLI = join(REPO, 'src', 'cli.ts');

/**
 * How a spec starts `strata`: node on the cached bundle of src/cli.ts that scripts/test.mjs
 * found or built for this run (STRATA_SPEC_CLI, scripts/cli-bundle.mjs; a third of tsx's start-up CPU), else node with tsx on
 * src/cli.ts (a spec file run on its own). Under the runner (STRATA_SPEC_NODE_FLAGS), V8
 * compiles WebAssembly with its baseline compiler only (--liftoff-only): the optimising tier
 * recompiles PGlite's whole module in the background, which a short-lived process never pays
 * back (opening a PGlite database: 4.0 → 2.6 s CPU; the jaffle_shop build: 8.7 → 5.3 s; the
 * Amazon sample build: 21.1 → 20.0 s). For the same reason JavaScript goes without TurboFan
 * (--no-opt; the quick start's build: 6.8 → 5.7 s CPU, median of 6). Same code, same results.
 */
export const CLI_ARGS: readonly string[] = process.env.STRATA_SPEC_CLI
  ? [...(process.env.STRATA_SPEC_NODE_FLAGS ?? '').split(' ').filter(Boolean), process.env.STRATA_SPEC_CLI]
  : ['--import', 'tsx', CLI];

export interface TestTarget {
  name: 'pglite' | 'postgres';
  /** Environment for the CLI: selects this target. */
  env: Record<string, string>;
  databaseUrl?: string;
  /** An engine on the same database, for assertions (PGlite: only while no CLI runs). */
  open(): Promise<Engine>;
  cleanup(): Promise<void>;
}

export interface TargetFactory {
  name: 'pglite' | 'postgres';
  create(): Promise<TestTarget>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** PGlite always; PostgreSQL too when STRATA_TEST_DATABASE_URL names a server (databases named `strata_spec_<label>_…`). */
export function targets(label?: string): TargetFactory[] {
  const list: TargetFactory[] = [
    {
      name: 'pglite',
      async create() {
        const dir = mkdtempSync(join(tmpdir(), 'strata-spec-pglite-'));
        const dataDir = join(dir, 'db');
        return {
          name: 'pglite',
          env: { STRATA_PGLITE_DIR: dataDir, DATABASE_URL: '', NEON_DB_URL: '' },
          open: () => createPgliteEngine(dataDir),
          cleanup: async () => rmSync(dir, { recursive: true, force: true }),
        };
      },
    },
  ];
  const server = process.env.STRATA_TEST_DATABASE_URL;
  if (server) {
    list.push({
      name: 'postgres',
      async create() {
        const database = `strata_spec_${label ? `${label}_` : ''}${randomBytes(5).toString('hex')}`;
        const admin = new pg.Client({ connectionString: server });
        await admin.connect();
        await admin.query(`create database ${database}`);
        await admin.end();
        const databaseUrl = withDatabase(server, database);
        return {
          name: 'postgres',
          env: { DATABASE_URL: databaseUrl },
          databaseUrl,
          open: async () => createPostgresEngine(databaseUrl),
          async cleanup() {
            const c = new pg.Client({ connectionString: server });
            await c.connect();
            await c.query(`drop database if exists ${database} with (force)`);
            await c.end();
          },
        };
      },
    });
  }
  return list;
}

/** A describe block's database and project copy, ready once its `before` hook ran. */
export interface SpecProject {
  target: TestTarget;
  project: string;
}

/**
 * Registers the hooks of one describe block: a fresh database on the target and a private
 * copy of the project (`prepare` may build it), both removed afterwards.
 */
export function useSpecProject(factory: TargetFactory, from = REPO, prepare?: (s: SpecProject) => Promise<void>): SpecProject {
  const spec = {} as SpecProject;
  before(async () => {
    spec.target = await factory.create();
    spec.project = copyProject(from);
    await prepare?.(spec);
  });
  after(async () => {
    await spec.target?.cleanup();
    if (spec.project) rmSync(spec.project, { recursive: true, force: true });
  });
  return spec;
}

/** A private copy of a project directory (the repo's own by default). */
export function copyProject(from = REPO): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-spec-project-'));
  for (const entry of ['project.yaml', 'models', 'macros', 'seeds', 'sample', 'tests', 'migrations']) {
    try {
      cpSync(join(from, entry), join(dir, entry), { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return dir;
}

export const JAFFLE = join(REPO, 'spec', 'fixtures', 'jaffle');

/** What a project copy holds (copyProject), and what the CLI that builds it is made of. */
const QUICK_START_INPUTS = ['project.yaml', 'models', 'macros', 'seeds', 'sample', 'tests', 'migrations', 'src', 'package-lock.json'];

/** Adds a file, or every file under a directory (sorted, by path), to `hash`. */
function hashTree(hash: ReturnType<typeof createHash>, path: string): void {
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory()) {
    hash.update(`${path.slice(REPO.length)}\0`).update(readFileSync(path)).update('\0');
    return;
  }
  for (const name of readdirSync(path).sort()) hashTree(hash, join(path, name));
}

/** A digest of everything the quick start's result depends on: the project, strata's sources, the packages, node and its flags. */
function quickStartKey(): string {
  const hash = createHash('sha256').update(`${process.version}\0${CLI_ARGS.slice(0, -1).join(' ')}\0`);
  for (const entry of QUICK_START_INPUTS) hashTree(hash, join(REPO, entry));
  return hash.digest('hex').slice(0, 16);
}

/** A copy of the repo's project after the quick start, and the embedded database it built. */
export interface QuickStart {
  project: string;
  /** The PGlite data directory (STRATA_PGLITE_DIR) the project was built on. */
  dataDir: string;
  /** That database as a test target; its cleanup removes the project copy too. */
  target: TestTarget;
}

/**
 * The quick start, done once per test run and copied for each caller: the repo's project
 * after one `strata build` on a new embedded database (target/, data/, logs/ and docs/
 * included). The first build of the Amazon sample costs ≈9 s of CPU; a copy of its
 * result (project and PGlite data directory) ≈0.2 s. For specs whose starting point is
 * "the quick start was run", not the first build itself (spec/pipeline.test.ts builds for
 * real). Kept under node_modules/.cache/strata/spec-fixtures, named by a digest of the
 * project, strata's sources, the packages and node (quickStartKey), so a stale one is never
 * used; built under a file lock, so specs running side by side build it once.
 */
export async function quickStartCopy(): Promise<QuickStart> {
  const root = strataCacheOf(import.meta.resolve('@electric-sql/pglite'), 'spec-fixtures');
  if (!root) throw new Error('the quick-start fixture is kept beside the installed packages, and PGlite is in no node_modules');
  const key = quickStartKey();
  const built = join(root, `quick-start-${key}`);
  if (!existsSync(join(built, 'done'))) {
    mkdirSync(root, { recursive: true });
    const release = await acquireFileLock(join(root, 'quick-start.lock'), 'the quick-start fixture', 15 * 60_000);
    try {
      if (!existsSync(join(built, 'done'))) {
        const source = copyProject();
        const scratch = mkdtempSync(join(tmpdir(), 'strata-spec-quick-start-build-'));
        const staging = join(root, `staging-${process.pid}`);
        try {
          const r = await runCli(['build'], { projectDir: source, env: pgliteEnv(join(scratch, 'db')) });
          if (r.code !== 0) throw new Error(`the quick-start fixture did not build (exit ${r.code}):\n${r.stdout}${r.stderr}`);
          rmSync(staging, { recursive: true, force: true });
          cpSync(source, join(staging, 'project'), { recursive: true });
          cpSync(join(scratch, 'db'), join(staging, 'db'), { recursive: true });
          for (const old of readdirSync(root).filter((d) => d.startsWith('quick-start-'))) rmSync(join(root, old), { recursive: true, force: true });
          renameSync(staging, built);
        } finally {
          for (const d of [source, scratch, staging]) rmSync(d, { recursive: true, force: true });
        }
        // `done` last: a directory without it is a build that did not finish.
        writeFileSync(join(built, 'done'), `${key}\n`);
      }
    } finally {
      release();
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'strata-spec-quick-start-'));
  const project = join(dir, 'project');
  const dataDir = join(dir, 'db');
  cpSync(join(built, 'project'), project, { recursive: true });
  cpSync(join(built, 'db'), dataDir, { recursive: true });
  const target: TestTarget = {
    name: 'pglite',
    env: pgliteEnv(dataDir),
    open: () => createPgliteEngine(dataDir),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
  return { project, dataDir, target };
}

const pgliteEnv = (dataDir: string): Record<string, string> => ({ STRATA_PGLITE_DIR: dataDir, DATABASE_URL: '', NEON_DB_URL: '' });

/** A program some specs drive, and the Debian package that installs it. */
export interface SystemTool {
  name: string;
  path: string;
  apt: string;
}

export const TOOLS = {
  chromium: { name: 'Chromium', path: process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium', apt: 'chromium' },
  promtool: { name: 'promtool', path: process.env.STRATA_PROMTOOL ?? '/usr/bin/promtool', apt: 'prometheus' },
  pgbouncer: { name: 'PgBouncer', path: process.env.STRATA_PGBOUNCER ?? '/usr/sbin/pgbouncer', apt: 'pgbouncer' },
} as const satisfies Record<string, SystemTool>;

/** Why a tool's specs cannot run here, with the command that fixes it. */
export const missingToolReason = (t: SystemTool): string => `not run: no ${t.name} at ${t.path} — apt-get install -y ${t.apt}`;

/**
 * The `skip` option of a describe or test that needs system tools: false when they are
 * all there; else "not run" with the exact install command, so `npm test` passes on a
 * fresh machine and says what it left out. CI sets STRATA_REQUIRE_TOOLS=1: there a
 * missing tool fails the spec file instead, so nothing is skipped.
 */
export function needs(...tools: SystemTool[]): { skip: string | false } {
  const missing = tools.filter((t) => !existsSync(t.path));
  if (missing.length === 0) return { skip: false };
  const reason = missing.map(missingToolReason).join('; ');
  if (process.env.STRATA_REQUIRE_TOOLS === '1') throw new Error(`STRATA_REQUIRE_TOOLS=1 and a tool is missing: ${reason}`);
  return { skip: reason };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `strata <args>` in a child process against `projectDir` and `target`. */
export function runCli(
  args: string[],
  opts: { projectDir: string; target?: TestTarget; env?: Record<string, string> },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, '--project-dir', opts.projectDir, ...args], {
      cwd: REPO,
      env: { ...process.env, ...opts.target?.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A CLI run in the background: wait for a line of its output, kill it, or await its end. */
export interface RunningCli {
  child: ChildProcess;
  /** Resolves with the first stdout line matching `pattern` (rejects if the run ends first). */
  waitFor(pattern: RegExp): Promise<string>;
  done: Promise<CliResult>;
}

export function startCli(args: string[], opts: { projectDir: string; target?: TestTarget; env?: Record<string, string> }): RunningCli {
  const child = spawn(process.execPath, [...CLI_ARGS, '--project-dir', opts.projectDir, ...args], {
    cwd: REPO,
    env: { ...process.env, ...opts.target?.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    for (const w of [...waiters]) {
      const line = stdout.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
  return {
    child,
    done,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const line = stdout.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) return resolve(line);
        waiters.push({ pattern, resolve });
        void done.then((r) => reject(new Error(`the run ended before printing ${pattern}:\n${r.stdout}${r.stderr}`)));
      }),
  };
}

/** The JSON events a `--json` run printed. */
export function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs `fn` with an engine on the target and always closes it. */
export async function withEngine<T>(target: TestTarget, fn: (e: Engine) => Promise<T>): Promise<T> {
  const engine = await target.open();
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** An order-independent checksum of a relation's rows. */
export async function relationChecksum(engine: Engine, relation: string): Promise<string> {
  const { rows } = await engine.query<{ c: string | null; n: string | number }>(
    `select md5(string_agg(md5(t::text), '' order by md5(t::text))) as c, count(*) as n from ${relation} t`,
  );
  return `${rows[0]!.n}:${rows[0]!.c}`;
}

export type Cell = string | number | boolean | null;

/** A CSV cell as the generator writes them: quoted only when needed, NULL as an empty field. */
const csvCell = (v: Cell): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]|^\s|\s$/.test(s) || s === '' ? `"${s.replaceAll('"', '""')}"` : s;
};

/** A hand-made seed file for `build --seed-from`. */
export const csv = (header: string[], rows: Cell[][]): string =>
  [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
