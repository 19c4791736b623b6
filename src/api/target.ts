import { join } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { projectEnv } from '../project/env.ts';
import { createPgliteEngine } from '../engine/pglite.ts';
import { createPostgresEngine } from '../engine/postgres.ts';
import { connectionSettings, directUrlFor, maskSecrets } from '../engine/url.ts';
import { StrataError, ExitCode } from '../core/errors.ts';

export type Target =
  | { kind: 'postgres'; url: string; directUrl?: string; label: string }
  | { kind: 'pglite'; dataDir: string; label: string };

export interface TargetOptions {
  projectDir: string;
  /** `--database-url`: wins over the environment. */
  databaseUrl?: string;
  /** `--target embedded` forces the embedded engine even when a URL is set. */
  target?: string;
  /** Receives warnings, such as a world-readable .env. */
  warn?: (message: string) => void;
}

export function resolveTarget(opts: TargetOptions): Target {
  const env = projectEnv(opts.projectDir, opts.warn);
  if (opts.target !== undefined && !['embedded', 'pglite', 'postgres'].includes(opts.target)) {
    throw new StrataError(`--target must be embedded (PGlite) or postgres, got ${JSON.stringify(opts.target)}`, ExitCode.usage);
  }
  const url = opts.target === 'embedded' || opts.target === 'pglite' ? undefined : (opts.databaseUrl ?? env.DATABASE_URL ?? env.NEON_DB_URL);
  if (opts.target === 'postgres' && !url) {
    throw new StrataError('--target postgres needs DATABASE_URL (or NEON_DB_URL, or --database-url)', ExitCode.usage);
  }
  if (url) {
    try {
      connectionSettings(url);
      if (env.DATABASE_URL_DIRECT) connectionSettings(env.DATABASE_URL_DIRECT);
    } catch (err) {
      throw new StrataError((err as Error).message, ExitCode.usage);
    }
    const directUrl = env.DATABASE_URL_DIRECT || directUrlFor(url);
    return { kind: 'postgres', url, ...(directUrl ? { directUrl } : {}), label: maskSecrets(url) };
  }
  const dataDir = env.STRATA_PGLITE_DIR ?? join(opts.projectDir, '.strata', 'pglite');
  return { kind: 'pglite', dataDir, label: `embedded PGlite (${dataDir})` };
}

export async function openEngine(target: Target, opts: { threads?: number; lockTimeoutMs?: number } = {}): Promise<Engine> {
  if (target.kind === 'pglite') {
    return createPgliteEngine(target.dataDir, opts.lockTimeoutMs !== undefined ? { lockTimeoutMs: opts.lockTimeoutMs } : {});
  }
  // One connection more than threads: the lock heartbeat and bookkeeping never wait for a model.
  return createPostgresEngine(target.url, { maxConnections: (opts.threads ?? 4) + 1 });
}

/** Migrations take a session lock: through a pooler they need the direct URL when there is one. */
export async function openMigrationEngine(target: Target, main: Engine): Promise<{ engine: Engine; close(): Promise<void> }> {
  if (target.kind === 'postgres' && target.directUrl) {
    const direct = createPostgresEngine(target.directUrl, { maxConnections: 1 });
    return { engine: direct, close: () => direct.close() };
  }
  return { engine: main, close: async () => undefined };
}
