import type { Engine, Queryable } from '../engine/engine.ts';
import type { Statement } from './statements.ts';

export interface ModelRunOutcome {
  rows: number | null;
  merged: number | null;
  /** Rows delete detection removed in an incremental merge. */
  deleted: number;
}

/** Rows inserted, updated or deleted so far in this transaction, per table of `schemas`. */
async function rowWrites(tx: Queryable, schemas: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await tx.query<{ rel: string; n: string | number }>(
    `select schemaname || '.' || relname as rel, n_tup_ins + n_tup_upd + n_tup_del as n
       from pg_stat_xact_user_tables where schemaname = any($1::text[])`,
    [schemas],
  );
  return new Map(rows.map((r) => [r.rel, Number(r.n)]));
}

/**
 * Runs a model's planned statements in one transaction and reads its row figures. Defense
 * in depth behind the compile-time check that a model is one reading SELECT: when the
 * transaction wrote a row of a `readOnly` schema (a source) — through a function, say — it
 * is rolled back. The counts are compared before and after, so writes of earlier
 * transactions on the same connection (which PostgreSQL may still report) never count.
 */
export async function runStatements(engine: Engine, statements: readonly Statement[], readOnly: readonly string[] = []): Promise<ModelRunOutcome> {
  return engine.transaction(async (tx) => {
    const before = readOnly.length > 0 ? await rowWrites(tx, readOnly) : new Map<string, number>();
    let rows: number | null = null;
    let merged: number | null = null;
    let deleted = 0;
    for (const s of statements) {
      const res = await tx.query<{ n?: string | number }>(s.sql);
      if (s.rows === 'written') rows = res.rowCount;
      if (s.rows === 'selected') rows = Number(res.rows[0]?.n ?? 0);
      if (s.merged) merged = res.rowCount;
      if (s.deleted) deleted = res.rowCount;
    }
    if (readOnly.length > 0) {
      const written = [...(await rowWrites(tx, readOnly))].filter(([rel, n]) => n > (before.get(rel) ?? 0)).map(([rel]) => rel);
      if (written.length > 0) {
        throw new Error(`it wrote to source table${written.length > 1 ? 's' : ''} ${written.sort().join(', ')}, and sources are read-only: its transaction was rolled back, nothing it did remains`);
      }
    }
    return { rows, merged, deleted };
  });
}
