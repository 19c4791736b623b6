import { join } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { projectEnv } from '../project/env.ts';
import { describeConnection, neonDirectFor, withConnectTimeout, parseConnection, sameEndpoint, type ConnectionSettings } from '../engine/connection.ts';
import { StrataError, ExitCode } from '../core/errors.ts';
import { STATE_VERSION } from '../batch/state.ts';
import type { TemplateTarget } from '../compile/render.ts';

export type Target =
  | { kind: 'postgres'; connection: ConnectionSettings; direct?: ConnectionSettings; label: string }
  | { kind: 'pglite'; dataDir: string; label: string };

export interface TargetOptions {
  projectDir: string;
  /** `--database-url`: wins over the environment. */
  databaseUrl?: string;
  /** `--target embedded` forces the embedded engine even when a URL is set. */
  target?: string;
  /** `--direct`: the target is DATABASE_URL_DIRECT (environment or .env), e.g. when the pooler is down. */
  direct?: boolean;
  /** Receives warnings, such as a world-readable .env. */
  warn?: (message: string) => void;
}

/** Which variable (or flag) names the target, in the order they win. */
function targetSource(opts: TargetOptions, env: Record<string, string | undefined>): { text: string; source: string } | null {
  if (opts.target === 'embedded' || opts.target === 'pglite') return null;
  if (opts.direct) {
    if (!env.DATABASE_URL_DIRECT) throw new StrataError('--direct needs DATABASE_URL_DIRECT (in the environment or .env)', ExitCode.usage);
    return { text: env.DATABASE_URL_DIRECT, source: 'DATABASE_URL_DIRECT' };
  }
  if (opts.databaseUrl !== undefined) return { text: opts.databaseUrl, source: '--database-url' };
  if (env.DATABASE_URL) return { text: env.DATABASE_URL, source: 'DATABASE_URL' };
  if (env.NEON_DB_URL) return { text: env.NEON_DB_URL, source: 'NEON_DB_URL' };
  return null;
}

/**
 * The database of this run, and the direct connection migrations use, both resolved once.
 * `--database-url` wins over everything; a DATABASE_URL_DIRECT that names another
 * database than the target is an error (migrations and the build must land in one place),
 * or, when `--database-url` chose the target, ignored with a warning.
 */
export function resolveTarget(opts: TargetOptions): Target {
  const env = projectEnv(opts.projectDir, opts.warn);
  if (opts.target !== undefined && !['embedded', 'pglite', 'postgres'].includes(opts.target)) {
    throw new StrataError(`--target must be embedded (PGlite) or postgres, got ${JSON.stringify(opts.target)}`, ExitCode.usage);
  }
  const chosen = targetSource(opts, env);
  if (opts.target === 'postgres' && !chosen) {
    throw new StrataError('--target postgres needs DATABASE_URL (or NEON_DB_URL, or --database-url)', ExitCode.usage);
  }
  if (chosen) {
    const connection = parseConnection(chosen.text, { source: chosen.source, env });
    for (const w of connection.warnings) opts.warn?.(w);
    if (connection.passwordSource === '--database-url') {
      opts.warn?.('the password in --database-url is visible to other users of this machine (ps): prefer DATABASE_URL in .env, or PGPASSWORD');
    }
    const direct = directConnection(connection, chosen.source, env, opts.warn);
    return { kind: 'postgres', connection, ...(direct ? { direct } : {}), label: describeConnection(connection) };
  }
  const dataDir = env.STRATA_PGLITE_DIR ?? join(opts.projectDir, '.strata', 'pglite');
  return { kind: 'pglite', dataDir, label: `embedded PGlite (${dataDir})` };
}

/** What `{{target.…}}` says, without connecting: the engine the flags and environment choose. */
export function templateTarget(opts: Pick<TargetOptions, 'projectDir' | 'databaseUrl' | 'target'>, env: Record<string, string | undefined>): TemplateTarget {
  let engine: TemplateTarget['engine'] = 'postgres';
  try {
    engine = resolveTarget({ projectDir: opts.projectDir, ...(opts.databaseUrl !== undefined ? { databaseUrl: opts.databaseUrl } : {}), ...(opts.target !== undefined ? { target: opts.target } : {}) }).kind;
  } catch {
    /* a bad URL is reported by the command that connects */
  }
  return { name: env.STRATA_TARGET_NAME || 'dev', engine };
}

/**
 * The direct connection for migrations. DATABASE_URL_DIRECT must name the target's database;
 * when its host or port differ too (a PgBouncer on another port, say), openMigrationEngine
 * checks that both really reach one server before anything runs.
 */
function directConnection(
  target: ConnectionSettings,
  targetSource: string,
  env: Record<string, string | undefined>,
  warn?: (message: string) => void,
): ConnectionSettings | null {
  if (!env.DATABASE_URL_DIRECT) return neonDirectFor(target);
  const direct = parseConnection(env.DATABASE_URL_DIRECT, { source: 'DATABASE_URL_DIRECT', env });
  if (sameEndpoint(direct, target)) return direct;
  const what = `DATABASE_URL_DIRECT points at ${describeConnection(direct)}, but the target is ${describeConnection(target)} (from ${targetSource})`;
  if (targetSource === '--database-url') {
    warn?.(`${what}: ignored, --database-url wins`);
    return neonDirectFor(target);
  }
  if (direct.database !== target.database) throw mismatch(what);
  return direct;
}

const mismatch = (what: string): StrataError =>
  new StrataError(`${what}: migrations and the build must use the same database; fix or unset DATABASE_URL_DIRECT`, ExitCode.usage);

/** Which server and database a connection reaches, whatever pooler sits in between. */
async function databaseIdentity(engine: Engine): Promise<string> {
  const { rows } = await engine.query<{ id: string }>(
    `select pg_postmaster_start_time()::text || '/' || d.oid::text || '/' || d.datname as id from pg_database d where d.datname = current_database()`,
  );
  return rows[0]?.id ?? '';
}

/**
 * Starts loading the driver of the target `opts` name, and returns at once: a build calls it
 * before compiling its project, so that resolving and reading PGlite's modules (≈0.2 s
 * through tsx, on its loader thread) is under way meanwhile. Opens nothing; an error is
 * openEngine's to report.
 */
export function preloadDriver(opts: TargetOptions): void {
  let kind: Target['kind'];
  try {
    kind = resolveTarget({ ...opts, warn: () => undefined }).kind;
  } catch {
    return;
  }
  (kind === 'pglite' ? import('../engine/pglite.ts') : import('../engine/postgres.ts')).catch(() => undefined);
}

/**
 * Each engine's driver is loaded when it is opened: a run loads PGlite's WASM or node-postgres,
 * never both. `withState`: the caller creates strata's bookkeeping schema right away
 * (openSession), so a new embedded database may be the spare npm install prepared with it; a
 * command that only looks (health, serve) gets a copy of the template, leaves the spare to
 * the first build, and sees a database strata never built on as one.
 */
export async function openEngine(
  target: Target,
  opts: { threads?: number; extraConnections?: number; lockTimeoutMs?: number; connectTimeoutSeconds?: number; withState?: boolean } = {},
): Promise<Engine> {
  if (target.kind === 'pglite') {
    const { createPgliteEngine } = await import('../engine/pglite.ts');
    return createPgliteEngine(target.dataDir, { ...(opts.withState ? { spare: STATE_VERSION } : {}), ...(opts.lockTimeoutMs !== undefined ? { lockTimeoutMs: opts.lockTimeoutMs } : {}) });
  }
  const { createPostgresEngine } = await import('../engine/postgres.ts');
  const connection = opts.connectTimeoutSeconds ? withConnectTimeout(target.connection, opts.connectTimeoutSeconds) : target.connection;
  // One connection more than threads: the lock heartbeat and bookkeeping never wait for a
  // model; and the build's lake export beside the models asks for its own (extraConnections).
  return createPostgresEngine(connection, { maxConnections: (opts.threads ?? 4) + 1 + (opts.extraConnections ?? 0) });
}

/** Migrations take a session lock: through a pooler they need the direct connection when there is one. */
export async function openMigrationEngine(target: Target, main: Engine): Promise<{ engine: Engine; close(): Promise<void> }> {
  if (target.kind === 'postgres' && target.direct) {
    const { createPostgresEngine } = await import('../engine/postgres.ts');
    const direct = createPostgresEngine(target.direct, { maxConnections: 1 });
    try {
      if (!sameEndpoint(target.direct, target.connection) && (await databaseIdentity(direct)) !== (await databaseIdentity(main))) {
        throw mismatch(`DATABASE_URL_DIRECT (${describeConnection(target.direct)}) reaches another server than the target ${describeConnection(target.connection)}`);
      }
    } catch (err) {
      await direct.close();
      throw err;
    }
    return { engine: direct, close: () => direct.close() };
  }
  return { engine: main, close: async () => undefined };
}
