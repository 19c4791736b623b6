/**
 * Builds a copy of the project on a data set with strata's own `build` (the shipped
 * models, seeds and vars — nothing re-implemented) on PGlite, or on PostgreSQL in a fresh
 * database, and hands back a query function on the result.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/api/build.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { createPgliteEngine } from '../../src/engine/pglite.ts';
import { createPostgresEngine } from '../../src/engine/postgres.ts';
import { REPO } from './real-data.ts';
import { adminSql } from '../support/admin-sql.ts';

export interface BuiltProject {
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  seconds: number;
  close(): Promise<void>;
}

export interface BuildOn {
  /** The project to build (default: this repository). */
  projectDir?: string;
  /** A PostgreSQL server URL; without it, PGlite. */
  server?: string;
  /** Var overrides, as `--vars` takes them. */
  vars?: string;
  /** Files of the copied project replaced before the build (path in the project → text), e.g. a seed being trained. */
  files?: Record<string, string>;
}


export async function buildOn(dataDir: string, opts: BuildOn = {}): Promise<BuiltProject> {
  const project = mkdtempSync(join(tmpdir(), 'strata-scoring-project-'));
  for (const part of ['project.yaml', 'models', 'macros', 'seeds', 'tests', 'migrations']) {
    cpSync(join(opts.projectDir ?? REPO, part), join(project, part), { recursive: true });
  }
  for (const [path, text] of Object.entries(opts.files ?? {})) writeFileSync(join(project, path), text);
  let databaseUrl: string | undefined;
  let database: string | undefined;
  if (opts.server) {
    database = `strata_scoring_${randomBytes(5).toString('hex')}`;
    await adminSql(opts.server, `create database ${database}`);
    const u = new URL(opts.server);
    u.pathname = `/${database}`;
    databaseUrl = u.toString();
  }
  const cleanup = async (): Promise<void> => {
    if (opts.server && database) await adminSql(opts.server, `drop database if exists ${database} with (force)`);
    rmSync(project, { recursive: true, force: true });
  };
  const started = performance.now();
  const result = await build({
    projectDir: project,
    mode: 'build',
    seedFrom: dataDir,
    export: false,
    sinks: [],
    ...(opts.vars ? { vars: opts.vars } : {}),
    ...(databaseUrl ? { databaseUrl, target: 'postgres' } : { target: 'embedded' }),
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.exitCode !== 0) {
    const failed = [...result.summary.models, ...result.summary.tests].filter((x) => x.status === 'error' || x.status === 'fail');
    await cleanup();
    throw new Error(`build on ${dataDir} failed: ${result.summary.error ?? ''} ${JSON.stringify(failed).slice(0, 2000)}`);
  }
  const engine: Engine = databaseUrl ? createPostgresEngine(databaseUrl) : await createPgliteEngine(join(project, '.strata', 'pglite'));
  return {
    seconds,
    query: async <T>(sql: string) => (await engine.query<T & Record<string, unknown>>(sql)).rows as T[],
    async close() {
      await engine.close();
      await cleanup();
    },
  };
}
