import type { Engine } from '../engine/engine.ts';
import { sqlLiteral } from '../engine/quote.ts';
import { buildStatements, type BuildTarget } from './statements.ts';
import type { CompiledModel } from '../compile/types.ts';

export interface ModelRunOutcome {
  rows: number | null;
  merged: number | null;
}

/** Runs a model's statements in one transaction and reads its row figures. */
export async function runModel(
  engine: Engine,
  model: CompiledModel,
  target: BuildTarget,
  sql: string,
  incrementalSql?: string,
): Promise<ModelRunOutcome> {
  const statements = buildStatements(model, target, sql, incrementalSql);
  return engine.transaction(async (tx) => {
    // `set local` ends with the transaction: the next model on this connection starts clean.
    for (const { name, value } of model.config.settings ?? []) await tx.query(`set local ${name} = ${sqlLiteral(value)}`);
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
