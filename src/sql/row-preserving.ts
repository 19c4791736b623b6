/**
 * Whether each output row of a SELECT is one row of the single relation it reads: the query
 * only filters and projects that relation (`select a, b as c from r where …`), so a value
 * unique in a column of the relation is unique in the column that copies it. No join, no
 * CTE, no set operation, no grouping, no subquery or function in FROM, and every output
 * column a plain column reference: a function there could return a set and repeat rows.
 * Used to prove `unique` tests of such models from their input's unique index
 * (checks/unique-proof.ts).
 */
import type { SelectStmt } from 'libpg-query';

export function preservesRows(stmt: SelectStmt): boolean {
  if (stmt.withClause || (stmt.op && stmt.op !== 'SETOP_NONE') || stmt.valuesLists?.length) return false;
  if (stmt.groupClause?.length || stmt.havingClause || stmt.intoClause) return false;
  const from = stmt.fromClause ?? [];
  if (from.length !== 1 || !('RangeVar' in (from[0] as object))) return false;
  const targets = stmt.targetList ?? [];
  return targets.length > 0 && targets.every((t) => {
    const val = (t as { ResTarget?: { val?: object } }).ResTarget?.val;
    return val !== undefined && 'ColumnRef' in val;
  });
}
