import type { Engine } from '../engine/engine.ts';
import type { Statement } from './statements.ts';

export interface ModelRunOutcome {
  rows: number | null;
  merged: number | null;
}

/** Runs a model's planned statements in one transaction and reads its row figures. */
export async function runStatements(engine: Engine, statements: readonly Statement[]): Promise<ModelRunOutcome> {
  return engine.transaction(async (tx) => {
    let rows: number | null = null;
    let merged: number | null = null;
    for (const s of statements) {
      const res = await tx.query<{ n?: string | number }>(s.sql);
      if (s.rows === 'written') rows = res.rowCount;
      if (s.rows === 'selected') rows = Number(res.rows[0]?.n ?? 0);
      if (s.merged) merged = res.rowCount;
    }
    return { rows, merged };
  });
}
