import { existsSync } from 'node:fs';
import { ExitCode, StrataError } from '../core/errors.ts';
import type { Engine, Queryable } from '../engine/engine.ts';
import { quoteIdent } from '../engine/quote.ts';
import { tablesFromMigrations } from '../sql/ddl-columns.ts';
import { loadSqlParser } from '../sql/parser.ts';

export interface MigrateResult {
  applied: string[];
  /**
   * Sources whose tables were all there already while strata's migrations had never run on
   * this database: their owner's schema (the shop's application made it), left as it is.
   */
  adopted: string[];
}

/** A source's tables, as project.yaml declares them. */
export interface DeclaredSource {
  name: string;
  schema: string;
  tables: readonly string[];
}

/**
 * Applies `migrations/` with postgres-migrations on one dedicated session (it takes a
 * session advisory lock, which is why a pooled target should pass a direct URL).
 *
 * The migrations create the sources where they are missing (the embedded quick start, a
 * test server). A database where no migration was ever recorded but the source tables the
 * migrations create all exist holds its owner's schema (in production, the shop's
 * application created `amazon`): nothing is run, since the migration would fail on the first
 * existing table, and nothing is written, not even the migrations ledger (sourceOwnership).
 */
export async function runMigrations(engine: Engine, dir: string, sources: readonly DeclaredSource[] = []): Promise<MigrateResult> {
  if (!existsSync(dir)) return { applied: [], adopted: [] };
  const owned = await sourceOwnership(engine, sources, dir);
  if (owned.adopted.length > 0) return { applied: [], adopted: owned.adopted };
  // Loaded here, not at the top: postgres-migrations loads node-postgres (≈0.1 s of CPU), which
  // a command on the embedded engine with no migrations to run (health, a jaffle_shop build) never uses.
  const { migrate } = await import('postgres-migrations');
  try {
    const applied = await engine.withSession((client) => migrate({ client } as unknown as Parameters<typeof migrate>[0], dir, { logger: () => undefined }));
    return { applied: applied.map((m) => m.fileName), adopted: [] };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    throw new Error(`migrations in ${dir} failed: ${e.message.replace(/^Migration failed\. Reason: /, '')}`);
  }
}

/**
 * Whether the declared sources are strata's to create or their owner's. Only a database
 * where no migration was ever recorded is looked at, and only the source tables that
 * `dir`'s migrations create (read with PostgreSQL's parser: migrations that make other
 * things run as always): where those all exist, their source is adopted; where some do and
 * some do not, the error names both (strata will not complete someone else's schema, and
 * the migration would fail half-way anyway).
 */
export async function sourceOwnership(
  db: Queryable,
  sources: readonly DeclaredSource[],
  dir: string,
  /** Rows of the migrations ledger, when the caller has read them (migrationState). */
  recorded?: number,
): Promise<{ adopted: string[] }> {
  const declared = sources.flatMap((s) => s.tables.map((t) => ({ source: s.name, relation: `${s.schema}.${t}`, quoted: `${quoteIdent(s.schema)}.${quoteIdent(t)}` })));
  if (declared.length === 0) return { adopted: [] };
  // The ledger's own bootstrap (migration 0) is recorded even when migration 1 then fails.
  if ((recorded ?? (await migrationState(db)).applied) > 1) return { adopted: [] };
  await loadSqlParser();
  const created = tablesFromMigrations(dir);
  const relations = declared.filter((r) => created.has(r.relation));
  if (relations.length === 0) return { adopted: [] };
  const { rows } = await db.query<{ present: boolean[] }>('select array_agg(to_regclass(r) is not null order by o) as present from unnest($1::text[]) with ordinality as t(r, o)', [relations.map((r) => r.quoted)]);
  const present = rows[0]?.present ?? [];
  const there = relations.filter((_, i) => present[i] === true);
  if (there.length === 0) return { adopted: [] };
  const missing = relations.filter((_, i) => present[i] !== true);
  // The migrations run all or nothing: one source made by its owner and another still to
  // create cannot both be served.
  if (missing.length > 0) {
    const involved = [...new Set(relations.map((r) => r.source))];
    const names = (rs: typeof relations): string => rs.map((r) => r.relation).join(', ');
    throw new StrataError(
      `${involved.length === 1 ? 'source' : 'sources'} ${involved.join(', ')} ${involved.length === 1 ? 'is' : 'are'} partly there: ${names(there)} exist${there.length === 1 ? 's' : ''} but ${names(missing)} ${missing.length === 1 ? 'does' : 'do'} not, ` +
        `and strata's migrations never ran on this database, so nothing was created or run. Complete the schema where its owner made it (the shop's application), or point strata at the right database.`,
      ExitCode.failed,
    );
  }
  return { adopted: [...new Set(there.map((r) => r.source))] };
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
