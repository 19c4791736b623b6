import type { Engine } from '../engine/engine.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';

export const AUDIT_SCHEMA = 'strata_audit';
const SAMPLE_ROWS = 5;

export interface TestRunOutcome {
  failures: number;
  auditRelation?: string;
  sample: Record<string, unknown>[];
}

export async function ensureAuditSchema(engine: Engine): Promise<void> {
  await engine.query(`create schema if not exists ${quoteIdent(AUDIT_SCHEMA)}`);
}

/**
 * Stores the failing rows of one test in the audit schema (replacing the last run's) and
 * returns how many there were plus the first few. A passing test leaves no relation.
 */
export async function runTestQuery(engine: Engine, testName: string, sql: string): Promise<TestRunOutcome> {
  const audit = qualify(AUDIT_SCHEMA, testName.slice(0, 63));
  return engine.transaction(async (tx) => {
    await tx.query(`drop table if exists ${audit}`);
    const created = await tx.query(`create table ${audit} as\n${sql}`);
    const failures = created.rowCount;
    if (failures === 0) {
      await tx.query(`drop table ${audit}`);
      return { failures, sample: [] };
    }
    const { rows } = await tx.query<Record<string, unknown>>(`select * from ${audit} limit ${SAMPLE_ROWS}`);
    return { failures, auditRelation: audit, sample: rows };
  });
}
