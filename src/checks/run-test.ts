import type { CompiledTest } from '../compile/types.ts';
import type { TestResult } from '../core/results.ts';
import type { Engine } from '../engine/engine.ts';
import type { EventBus } from '../observability/events.ts';
import { describeSqlError } from '../engine/sql-error.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';
import type { SharedScans } from './shared-scan.ts';
import { uniqueIndexProof, type RowCopies } from './unique-proof.ts';
import { meetsCondition } from '../project/schema-docs.ts';

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
 * Counts the failing rows of one test; only when there are some are they stored in the audit
 * schema (replacing the last run's) and the first few returned. A passing test leaves no
 * relation and costs one scan and no DDL: creating and dropping an empty audit table per
 * test was a third of a small build's database time on PGlite. A failing test runs its
 * query a second time, into the audit table: failures are the rare case.
 */
export async function runTestQuery(engine: Engine, testName: string, sql: string, store = true): Promise<TestRunOutcome> {
  const audit = qualify(AUDIT_SCHEMA, testName.slice(0, 63));
  await engine.query(`drop table if exists ${audit}`);
  const counted = await engine.query<{ n: number }>(`select count(*)::int as n from (\n${sql}\n) as failing`);
  if ((counted.rows[0]?.n ?? 0) === 0) return { failures: 0, sample: [] };
  return engine.transaction(async (tx) => {
    await tx.query(`drop table if exists ${audit}`);
    const created = await tx.query(`create table ${audit} as\n${sql}`);
    const { rows } = await tx.query<Record<string, unknown>>(`select * from ${audit} limit ${SAMPLE_ROWS}`);
    const failures = created.rowCount;
    if (!store) {
      await tx.query(`drop table ${audit}`);
      return { failures, sample: rows };
    }
    return { failures, auditRelation: audit, sample: rows };
  });
}

/** dbt's rule: error when error_if holds (and severity is error), else warn when warn_if holds, else pass. */
export function testStatus(test: Pick<CompiledTest, 'severity' | 'warnIf' | 'errorIf'>, failures: number): 'pass' | 'warn' | 'fail' {
  if (test.severity === 'error' && meetsCondition(test.errorIf ?? '!=0', failures)) return 'fail';
  return meetsCondition(test.warnIf ?? '!=0', failures) ? 'warn' : 'pass';
}

export interface TestShortcuts {
  /** The model's tests decided in one scan (checks/shared-scan.ts). */
  shared?: SharedScans;
  /** The table a model's rows are in, for a unique index to prove its unique tests (checks/unique-proof.ts). */
  tableOf?: (model: string) => string | undefined;
  /** The model columns each model copies row for row, followed to such an index. */
  copies?: RowCopies;
}

/**
 * Runs one data test (its placeholders already resolved into `sql`), reports it on the
 * bus and returns its result: `pass`, `warn` or `fail` by failing rows and severity, or
 * `error` when the query itself failed.
 */
export async function runDataTest(engine: Engine, test: CompiledTest, sql: string, bus: EventBus, { shared, tableOf, copies }: TestShortcuts = {}): Promise<TestResult> {
  const started = performance.now();
  const base = { test: test.name, model: test.model ?? null, kind: test.kind, severity: test.severity };
  const seconds = (): number => Math.round(performance.now() - started) / 1000;
  let result: TestResult;
  try {
    // A test the catalog proves (checks/unique-proof.ts), or its model's shared scan cleared,
    // has no failing rows: no query, no audit table.
    const proof = tableOf && (await uniqueIndexProof(engine, test, tableOf, copies));
    const outcome = proof || (await shared?.fails(test)) === false ? { failures: 0, sample: [] } : await runTestQuery(engine, test.name, sql, test.storeFailures !== false);
    result = {
      ...base,
      status: testStatus(test, outcome.failures),
      failures: outcome.failures,
      durationS: seconds(),
      ...(proof ? { provenBy: proof } : {}),
      ...(outcome.auditRelation ? { auditRelation: outcome.auditRelation.replaceAll('"', '') } : {}),
      ...(outcome.sample.length ? { sample: outcome.sample } : {}),
    };
  } catch (err) {
    result = { ...base, status: 'error', failures: 0, durationS: seconds(), error: describeSqlError(err, test.file) };
  }
  bus.emit({
    event: 'test_end', test: result.test, model: result.model, severity: result.severity, status: result.status,
    failures: result.failures, duration_s: result.durationS,
    ...(result.provenBy ? { proven_by: result.provenBy } : {}),
    ...(result.sample ? { sample: result.sample } : {}),
    ...(result.auditRelation ? { audit_relation: result.auditRelation } : {}),
    ...(result.error ? { error: result.error } : {}),
  });
  return result;
}
