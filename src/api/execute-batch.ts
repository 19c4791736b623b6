import type { CompiledProject } from '../compile/compile.ts';
import { resolvePlaceholders } from '../compile/placeholders.ts';
import { publishedRelation } from '../compile/relations.ts';
import type { CompiledTest } from '../compile/types.ts';
import type { ModelResult, TestResult } from '../core/results.ts';
import type { Engine } from '../engine/engine.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';
import { buildGraph, testNode } from './build-plan.ts';
import { runDag, type NodeOutcome } from '../graph/run-parallel.ts';
import { inlineEphemerals } from '../materialize/ephemeral.ts';
import { runModel } from '../materialize/run-model.ts';
import { SNAPSHOT_SCHEMA } from '../materialize/snapshot.ts';
import { contractAtBuild, ContractError, modelContract } from '../checks/contract.ts';
import { physicalSchema } from '../batch/naming.ts';
import { claimSchemas } from '../batch/schemas.ts';
import type { BatchRelation } from '../batch/state.ts';
import type { ReuseDecision } from '../batch/reuse.ts';
import { ensureAuditSchema, runDataTest } from '../checks/run-test.ts';
import { SharedScans } from '../checks/shared-scan.ts';
import { describeSqlError } from '../engine/sql-error.ts';
import type { EventBus } from '../observability/events.ts';

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
  batchId: string;
  chosen: ReadonlySet<string>;
  tests: readonly CompiledTest[];
  /** The published mapping this batch starts from. */
  current: ReadonlyMap<string, BatchRelation>;
  /** Every seed's relation in this batch (loaded into it, or carried over): refs read these. */
  seeds: ReadonlyMap<string, BatchRelation>;
  fullRefresh: boolean;
  threads: number;
  bus: EventBus;
  /** Stop starting models and tests after the first failure. */
  failFast?: boolean;
  /** The plan of src/batch/reuse.ts: a reused model is not built, the batch points at its published table. */
  reuse?: ReadonlyMap<string, ReuseDecision>;
}

const round = (ms: number): number => Math.round(ms) / 1000;

/**
 * Builds the chosen models of a batch into its own physical schemas, running each
 * model's tests right after it, in DAG order and in parallel up to `threads`. Nothing
 * published is touched: publishing is the caller's separate, atomic step.
 */
export async function executeBatch(o: ExecuteOptions): Promise<BatchExecution> {
  const { engine, compiled, batchId, chosen, bus } = o;
  const layers = new Map(compiled.project.config.layers.map((l) => [l.name, l]));
  const reusedFrom = (name: string): BatchRelation | undefined => {
    const d = o.reuse?.get(name);
    return d?.action === 'reuse' ? d.from : undefined;
  };
  const built = [...chosen].filter((m) => compiled.models.get(m)!.config.materialized !== 'ephemeral' && !reusedFrom(m));
  const schemaOf = (model: string): string => physicalSchema(layers.get(compiled.models.get(model)!.layer)!.schema, batchId);

  const sourceSchemas = [...new Set(compiled.project.config.sources.map((s) => s.schema))];
  const schemas = [...new Set(built.map(schemaOf))].sort();
  const named = [...new Set(compiled.project.config.layers.map((l) => physicalSchema(l.schema, batchId)))];
  await claimSchemas(engine, batchId, schemas, named);
  // Before models run in parallel: two snapshots creating it at once would collide.
  if (built.some((m) => compiled.models.get(m)!.config.materialized === 'snapshot')) {
    await engine.query(`create schema if not exists ${quoteIdent(SNAPSHOT_SCHEMA)}`);
  }
  if (o.tests.length > 0) await ensureAuditSchema(engine);

  // A ref points at this batch's relation when the model is built in it, else at the published one.
  const refTo = (name: string): string => {
    const reused = reusedFrom(name);
    if (reused) return qualify(reused.physicalSchema, name);
    if (chosen.has(name) && compiled.models.get(name)?.config.materialized !== 'ephemeral') return qualify(schemaOf(name), name);
    const seed = o.seeds.get(name);
    return seed ? qualify(seed.physicalSchema, name) : publishedRelation(compiled, name);
  };
  const resolve = (sql: string, self: string): string =>
    resolvePlaceholders(inlineEphemerals(compiled, sql), { ref: refTo, this: () => self });

  // People read the published name; the batch's physical schema is an implementation detail.
  const displayName = (name: string): string => {
    const m = compiled.models.get(name)!;
    return m.config.materialized === 'ephemeral' ? `(ephemeral) ${name}` : `${layers.get(m.layer)!.schema}.${name}`;
  };
  const modelOrder = compiled.order.filter((n) => chosen.has(n) && compiled.models.has(n));
  const index = new Map(modelOrder.map((n, i) => [n, i + 1]));
  const models: ModelResult[] = [];
  const tests: TestResult[] = [];
  const testsByNode = new Map(o.tests.map((t) => [testNode(t.name), t]));

  /** Why `physical` breaks the model's enforced contract, or null when it keeps it (or has none). */
  const contractError = async (name: string, relation: string, physical: string): Promise<string | null> => {
    const contract = modelContract(name, compiled.project.docs.get(name), []);
    if (!contract) return null;
    const broken = await contractAtBuild(engine, physical, contract);
    return broken.length > 0 ? `contract of ${relation} not met (${compiled.models.get(name)!.relPath}):\n  - ${broken.join('\n  - ')}` : null;
  };

  const buildModel = async (name: string): Promise<NodeOutcome> => {
    const model = compiled.models.get(name)!;
    const ephemeral = model.config.materialized === 'ephemeral';
    const relation = displayName(name);
    const event = { model: name, index: index.get(name)!, total: modelOrder.length, materialized: model.config.materialized, relation };
    bus.emit({ event: 'model_start', ...event });
    const started = performance.now();
    let note: string | undefined;
    const reused = reusedFrom(name);
    if (reused) {
      const reason = o.reuse!.get(name)!.reason;
      // The contract holds for what the batch publishes, reused or not (the contract may be new).
      const broken = await contractError(name, relation, qualify(reused.physicalSchema, name));
      if (broken) {
        models.push({ model: name, layer: model.layer, materialized: model.config.materialized, relation, status: 'error', rows: null, merged: null, durationS: 0, error: broken });
        bus.emit({ event: 'model_end', ...event, status: 'error', rows: null, merged: null, duration_s: 0, error: broken });
        return 'error';
      }
      models.push({ model: name, layer: model.layer, materialized: model.config.materialized, relation, status: 'success', rows: null, merged: null, durationS: 0, reused: reason });
      bus.emit({ event: 'model_end', ...event, status: 'success', rows: null, merged: null, duration_s: 0, note: `reused: ${reason}` });
      return 'success';
    }
    try {
      let outcome = { rows: null as number | null, merged: null as number | null, deleted: 0 };
      if (!ephemeral) {
        const target = qualify(schemaOf(name), name);
        const previous = o.current.get(name);
        // A changed model (its SQL, a macro or a var) is rebuilt in full: merging rows of the
        // new definition into rows of the old would mix two versions in one table.
        const changed = previous !== undefined && previous.checksum !== model.checksum;
        const canMerge = model.config.materialized === 'incremental' && previous?.kind === 'table' && !o.fullRefresh && !changed && o.reuse?.get(name)?.action !== 'rebuild';
        if (model.config.materialized === 'incremental' && changed && !o.fullRefresh) note = 'rebuilt in full: the model changed since the published batch';
        let incrementalSql: string | undefined;
        if (canMerge) {
          const prevRel = qualify(previous.physicalSchema, name);
          const again = model.usesIsIncremental
            ? compiled.renderer.render(compiled.templates.get(name)!, model.relPath, { isIncremental: true, batchId, schema: compiled.project.config.layers.find((l) => l.name === model.layer)?.schema })
              .sql
            : model.sql;
          incrementalSql = resolve(again.trim(), prevRel);
        }
        outcome = await runModel(
          engine,
          model,
          {
            schema: schemaOf(name), name, batchId,
            ...(canMerge ? { previous: qualify(previous.physicalSchema, name) } : {}),
            ...(canMerge && model.config.keysFrom ? { keysFrom: refTo(model.config.keysFrom) } : {}),
            ...(compiled.analyses?.get(name)?.columns ? { columns: compiled.analyses.get(name)!.columns!.map((c) => c.name) } : {}),
          },
          resolve(model.sql, target),
          incrementalSql,
          sourceSchemas,
        );
        // The staged relation must keep its contract before anything reads or publishes it.
        const broken = await contractError(name, relation, target);
        if (broken) throw new ContractError(broken);
        if (outcome.deleted > 0) {
          note = `${outcome.deleted} row${outcome.deleted > 1 ? 's' : ''} deleted: their ${model.config.uniqueKey.join(', ')} left ${model.config.keysFrom}`;
        }
      }
      const result: ModelResult = {
        model: name, layer: model.layer, materialized: model.config.materialized, relation, status: 'success',
        rows: outcome.rows, merged: outcome.merged, durationS: round(performance.now() - started),
      };
      models.push(result);
      bus.emit({ event: 'model_end', ...event, status: 'success', rows: result.rows, merged: result.merged, duration_s: result.durationS, ...(note ? { note } : {}) });
      return 'success';
    } catch (err) {
      const error = describeSqlError(err, model.relPath);
      models.push({
        model: name, layer: model.layer, materialized: model.config.materialized, relation, status: 'error',
        rows: null, merged: null, durationS: round(performance.now() - started), error,
      });
      bus.emit({ event: 'model_end', ...event, status: 'error', rows: null, merged: null, duration_s: round(performance.now() - started), error });
      return 'error';
    }
  };

  const shared = new SharedScans(engine, o.tests, (sql) => resolve(sql, ''));
  const runTest = async (test: CompiledTest): Promise<NodeOutcome> => {
    const result = await runDataTest(engine, test, resolve(test.sql, ''), bus, shared);
    tests.push(result);
    return result.status === 'fail' || result.status === 'error' ? 'error' : 'success';
  };

  const graph = buildGraph(compiled, chosen, o.tests);
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
        tests.push({ test: test.name, model: test.model ?? null, kind: test.kind, severity: test.severity, status: 'skipped', failures: 0, durationS: 0 });
        bus.emit({ event: 'test_end', test: test.name, model: test.model ?? null, severity: test.severity, status: 'skipped', failures: 0, duration_s: 0 });
        return;
      }
      const model = compiled.models.get(node)!;
      const relation = displayName(node);
      models.push({ model: node, layer: model.layer, materialized: model.config.materialized, relation, status: 'skipped', rows: null, merged: null, durationS: 0, skippedBecause: reason });
      bus.emit({
        event: 'model_end', model: node, index: index.get(node)!, total: modelOrder.length, materialized: model.config.materialized,
        relation, status: 'skipped', rows: null, merged: null, duration_s: 0, skipped_because: reason,
      });
    },
    { failFast: o.failFast === true },
  );

  const ok = models.every((m) => m.status === 'success') && tests.every((t) => t.status !== 'fail' && t.status !== 'error' && t.status !== 'skipped');
  const mapping = new Map<string, BatchRelation>();
  for (const [name, rel] of o.current) if (compiled.models.has(name) && !chosen.has(name)) mapping.set(name, rel);
  for (const name of chosen) {
    const reused = reusedFrom(name);
    if (reused) mapping.set(name, { ...reused, checksum: compiled.models.get(name)!.checksum });
  }
  for (const [name, rel] of o.seeds) if (compiled.seeds.has(name)) mapping.set(name, rel);
  for (const name of built) {
    const model = compiled.models.get(name)!;
    mapping.set(name, {
      model: name,
      layer: model.layer,
      publishedSchema: layers.get(model.layer)!.schema,
      physicalSchema: schemaOf(name),
      kind: model.config.materialized === 'view' || model.config.materialized === 'snapshot' ? 'view' : 'table',
      checksum: model.checksum,
    });
  }
  return { models, tests, mapping, schemas, ok };
}
