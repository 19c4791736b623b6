import { existsSync } from 'node:fs';
import type { Engine, Queryable } from '../engine/engine.ts';

export interface MigrateResult {
  applied: string[];
}

/**
 * Applies `migrations/` with postgres-migrations on one dedicated session (it takes a
 * session advisory lock, which is why a pooled target should pass a direct URL).
 */
export async function runMigrations(engine: Engine, dir: string, log: (msg: string) => void = () => undefined): Promise<MigrateResult> {
  if (!existsSync(dir)) return { applied: [] };
  // Loaded here, not at the top: postgres-migrations loads node-postgres (≈0.1 s of CPU), which
  // a command on the embedded engine with no migrations to run (health, a jaffle_shop build) never uses.
  const { migrate } = await import('postgres-migrations');
  try {
    const applied = await engine.withSession((client) =>
      migrate({ client } as unknown as Parameters<typeof migrate>[0], dir, { logger: log }),
    );
    return { applied: applied.map((m) => m.fileName) };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    throw new Error(`migrations in ${dir} failed: ${e.message.replace(/^Migration failed\. Reason: /, '')}`);
  }
}

/** Applied migrations, for health: which files ran and whether any on disk are pending. */
export async function migrationState(engine: Queryable): Promise<{ applied: number; last: string | null }> {
  const { rows: exists } = await engine.query<{ t: string | null }>(`select to_regclass('public.migrations')::text as t`);
  if (!exists[0]?.t) return { applied: 0, last: null };
  const { rows } = await engine.query<{ name: string; n: string | number }>(
    'select (select count(*) from public.migrations) as n, (select name from public.migrations order by id desc limit 1) as name',
  );
  return { applied: Number(rows[0]?.n ?? 0), last: rows[0]?.name ?? null };
}
