import type { CompiledProject } from '../compile/compile.ts';
import type { CompiledTest } from '../compile/types.ts';
import type { ModelResult, TestResult } from '../core/results.ts';
import type { Engine } from '../engine/engine.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';
import { buildGraph, testNode } from './build-plan.ts';
import { runDag, type NodeOutcome } from '../graph/run-parallel.ts';
import { runStatements } from '../materialize/run-model.ts';
import { SNAPSHOT_SCHEMA } from '../materialize/snapshot.ts';
import { contractAtBuild, ContractError, modelContract } from '../checks/contract.ts';
import { physicalSchema } from '../batch/naming.ts';
import { claimSchemas } from '../batch/schemas.ts';
import type { BatchRelation } from '../batch/state.ts';
import { ensureAuditSchema, runDataTest } from '../checks/run-test.ts';
import { SharedScans } from '../checks/shared-scan.ts';
import { rowCopies } from '../checks/unique-proof.ts';
import { refMarker } from '../compile/placeholders.ts';
import { describeSqlError } from '../engine/sql-error.ts';
import type { EventBus } from '../observability/events.ts';
import { planResolver } from '../plan/plan.ts';
import type { BatchPlan, ModelPlan } from '../plan/types.ts';

export interface BatchExecution {
  models: ModelResult[];
  tests: TestResult[];
  /** The complete mapping the batch would publish: built models plus the ones carried over. */
  mapping: Map<string, BatchRelation>;
  /** Physical schemas this batch created (dropped again if it is not published). */
  schemas: string[];
  ok: boolean;
}

export interface ExecuteOptions {
  engine: Engine;
  compiled: CompiledProject;
  /** What to do, decided beforehand (src/plan/plan.ts): the runner decides nothing. */
  plan: BatchPlan;
  /** The compiled data tests of the plan (those it runs, and those it skips). */
  tests: readonly CompiledTest[];
  threads: number;
  bus: EventBus;
  /** Stop starting models and tests after the first failure. */
  failFast?: boolean;
  /** Told as each model's relation is final (built, or reused, and within its contract). */
  onModelDone?: (model: string) => void;
}

const round = (ms: number): number => Math.round(ms) / 1000;

/** What the console says beside a model that was not simply built as asked. */
function noteOf(p: ModelPlan): string | undefined {
  if (p.action === 'reuse') return `reused: ${p.reason}`;
  if (p.action === 'rebuild' && p.materialized === 'incremental' && p.reason !== '--full-refresh') return `rebuilt in full: ${p.reason}`;
  return undefined;
}

/**
 * Executes a batch plan: runs each selected model's planned statements in its own
 * transaction (in the batch's own physical schemas), checks its contract, and runs the
 * planned data tests right after the models they read — in DAG order, in parallel up to
 * `threads`. Nothing published is touched: publishing is the caller's separate, atomic step.
 */
export async function executeBatch(o: ExecuteOptions): Promise<BatchExecution> {
  const { engine, compiled, plan, bus } = o;
  const planned = new Map(plan.models.map((m) => [m.model, m]));
  const selected = plan.models.filter((m) => m.selected);
  const built = selected.filter((m) => m.statements.length > 0);
  const chosen = new Set(selected.map((m) => m.model));
  const ran = new Set(plan.tests.filter((t) => t.action === 'run').map((t) => t.test));
  const tests = o.tests.filter((t) => ran.has(t.name));

  const sourceSchemas = [...new Set(compiled.project.config.sources.map((s) => s.schema))];
  const schemas = [...new Set(built.map((m) => m.publishes!.physicalSchema))].sort();
  const named = [...new Set(compiled.project.config.layers.map((l) => physicalSchema(l.schema, plan.batchId)))];
  await claimSchemas(engine, plan.batchId, schemas, named);
  // Before models run in parallel: two snapshots creating it at once would collide.
  if (built.some((m) => m.materialized === 'snapshot')) await engine.query(`create schema if not exists ${quoteIdent(SNAPSHOT_SCHEMA)}`);
  if (tests.length > 0) await ensureAuditSchema(engine);
  const resolve = planResolver(compiled, plan);

  const index = new Map(selected.map((m, i) => [m.model, i + 1]));
  const modelResults: ModelResult[] = [];
  const testResults: TestResult[] = [];
  const testsByNode = new Map(tests.map((t) => [testNode(t.name), t]));

  /** Why `physical` breaks the model's enforced contract, or null when it keeps it (or has none). */
  const contractError = async (p: ModelPlan, physical: string): Promise<string | null> => {
    const contract = modelContract(p.model, compiled.project.docs.get(p.model), []);
    if (!contract) return null;
    const broken = await contractAtBuild(engine, physical, contract);
    return broken.length > 0 ? `contract of ${p.relation} not met (${compiled.models.get(p.model)!.relPath}):\n  - ${broken.join('\n  - ')}` : null;
  };

  const buildModel = async (name: string): Promise<NodeOutcome> => {
    const p = planned.get(name)!;
    const model = compiled.models.get(name)!;
    const event = { model: name, index: index.get(name)!, total: selected.length, materialized: p.materialized, relation: p.relation };
    const result: ModelResult = { model: name, layer: model.layer, materialized: p.materialized, relation: p.relation, action: p.action, status: 'success', rows: null, merged: null, durationS: 0 };
    bus.emit({ event: 'model_start', ...event });
    const started = performance.now();
    let note = noteOf(p);
    try {
      if (p.statements.length > 0) {
        const outcome = await runStatements(engine, p.statements, sourceSchemas);
        Object.assign(result, { rows: outcome.rows, merged: outcome.merged });
        if (outcome.deleted > 0) note = `${outcome.deleted} row${outcome.deleted > 1 ? 's' : ''} deleted: their ${model.config.uniqueKey.join(', ')} left ${model.config.keysFrom}`;
      }
      // What the batch publishes keeps its contract, built or reused (the contract may be new),
      // before anything reads or publishes it.
      const broken = p.publishes && !p.contractKept ? await contractError(p, qualify(p.publishes.physicalSchema, name)) : null;
      if (broken) throw new ContractError(broken);
      if (p.action === 'reuse') result.reused = p.reason;
      result.durationS = round(performance.now() - started);
      modelResults.push(result);
      bus.emit({ event: 'model_end', ...event, action: p.action, status: 'success', rows: result.rows, merged: result.merged, duration_s: result.durationS, ...(note ? { note } : {}) });
      o.onModelDone?.(name);
      return 'success';
    } catch (err) {
      const error = describeSqlError(err, model.relPath);
      Object.assign(result, { status: 'error', rows: null, merged: null, durationS: round(performance.now() - started), error });
      modelResults.push(result);
      bus.emit({ event: 'model_end', ...event, action: p.action, status: 'error', rows: null, merged: null, duration_s: result.durationS, error });
      return 'error';
    }
  };

  const shared = new SharedScans(engine, tests, resolve);
  const copies = rowCopies(o.compiled);
  const runTest = async (test: CompiledTest): Promise<NodeOutcome> => {
    const result = await runDataTest(engine, test, resolve(test.sql), bus, { shared, tableOf: (model) => resolve(refMarker(model)), copies });
    testResults.push(result);
    return result.status === 'fail' || result.status === 'error' ? 'error' : 'success';
  };

  // A warning the published batch found on the very same relations is reported again from
  // its record (plan.ts planTests), not hidden because the query did not run.
  const compiledTests = new Map(o.tests.map((t) => [t.name, t]));
  for (const t of plan.tests) {
    const test = compiledTests.get(t.test);
    if (t.action !== 'skip' || t.outcome?.status !== 'warn' || !test) continue;
    const { failures, auditRelation } = t.outcome;
    testResults.push({ test: t.test, model: test.model ?? null, kind: test.kind, severity: test.severity, status: 'warn', failures, durationS: 0, ...(auditRelation ? { auditRelation } : {}) });
    bus.emit({ event: 'test_end', test: t.test, model: test.model ?? null, severity: test.severity, status: 'warn', failures, duration_s: 0, ...(auditRelation ? { audit_relation: auditRelation } : {}), reused: t.reason });
  }

  const graph = buildGraph(compiled, chosen, tests);
  const { order } = graph.sort();
  await runDag(
    graph,
    order,
    new Set(graph.nodes),
    Math.max(1, Math.min(o.threads, engine.maxConcurrency)),
    (node) => {
      const test = testsByNode.get(node);
      return test ? runTest(test) : buildModel(node);
    },
    (node, because) => {
      const reason = because.startsWith('test:') ? `test ${because.slice(5)}` : because;
      const test = testsByNode.get(node);
      if (test) {
        testResults.push({ test: test.name, model: test.model ?? null, kind: test.kind, severity: test.severity, status: 'skipped', failures: 0, durationS: 0 });
        bus.emit({ event: 'test_end', test: test.name, model: test.model ?? null, severity: test.severity, status: 'skipped', failures: 0, duration_s: 0 });
        return;
      }
      const p = planned.get(node)!;
      modelResults.push({ model: node, layer: compiled.models.get(node)!.layer, materialized: p.materialized, relation: p.relation, action: p.action, status: 'skipped', rows: null, merged: null, durationS: 0, skippedBecause: reason });
      bus.emit({
        event: 'model_end', model: node, index: index.get(node)!, total: selected.length, materialized: p.materialized,
        relation: p.relation, action: p.action, status: 'skipped', rows: null, merged: null, duration_s: 0, skipped_because: reason,
      });
    },
    { failFast: o.failFast === true },
  );

  const ok = modelResults.every((m) => m.status === 'success') && testResults.every((t) => t.status !== 'fail' && t.status !== 'error' && t.status !== 'skipped');
  return { models: modelResults, tests: testResults, mapping: publishedMapping(plan), schemas, ok };
}

/** The complete mapping the plan's batch publishes: every model and seed it points at. */
export function publishedMapping(plan: BatchPlan): Map<string, BatchRelation> {
  const mapping = new Map<string, BatchRelation>();
  for (const s of plan.seeds) mapping.set(s.seed, s.publishes);
  for (const m of plan.models) if (m.publishes) mapping.set(m.model, m.publishes);
  return mapping;
}
