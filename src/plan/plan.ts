/**
 * One pure function from the compiled project, the selection, what the database holds (the
 * published batch's relations) and the flags to the batch plan: per model, the action, its
 * statements and why. Each materialization's strategy (strategies/) owns its decision and
 * its SQL; nothing here touches a database.
 */
import { physicalSchema } from '../batch/naming.ts';
import type { BatchRelation } from '../batch/state.ts';
import type { CompiledProject } from '../compile/compile.ts';
import { resolvePlaceholders } from '../compile/placeholders.ts';
import { publishedRelation } from '../compile/relations.ts';
import type { CompiledTest } from '../compile/types.ts';
import { qualify } from '../engine/quote.ts';
import { inlineEphemerals } from '../materialize/ephemeral.ts';
import type { Materialization } from '../project/types.ts';
import { ephemeralStrategy } from './strategies/ephemeral.ts';
import { incrementalStrategy } from './strategies/incremental.ts';
import { snapshotStrategy } from './strategies/snapshot.ts';
import type { Strategy } from './strategies/strategy.ts';
import { tableStrategy } from './strategies/table.ts';
import { viewStrategy } from './strategies/view.ts';
import { PLAN_VERSION, type BatchPlan, type ModelPlan } from './types.ts';

export const STRATEGIES: Record<Materialization, Strategy> = {
  view: viewStrategy,
  table: tableStrategy,
  incremental: incrementalStrategy,
  ephemeral: ephemeralStrategy,
  snapshot: snapshotStrategy,
};

export interface PlanInput {
  compiled: CompiledProject;
  batchId: string;
  chosen: ReadonlySet<string>;
  /** The published batch's relations, by model (empty on a fresh database). */
  current: ReadonlyMap<string, BatchRelation>;
  fromBatch: string | null;
  fullRefresh: boolean;
  tests?: readonly CompiledTest[];
}

export function planBatch(input: PlanInput): BatchPlan {
  const { compiled, batchId, chosen, current } = input;
  const layers = new Map(compiled.project.config.layers.map((l) => [l.name, l]));
  const schemaOf = (model: string): string => physicalSchema(layers.get(compiled.models.get(model)!.layer)!.schema, batchId);
  const builtHere = (name: string): boolean => chosen.has(name) && compiled.models.get(name)?.config.materialized !== 'ephemeral';
  // A ref points at this batch's relation when the model is built in it, else at the published one.
  const refTo = (name: string): string => (builtHere(name) ? qualify(schemaOf(name), name) : publishedRelation(compiled, name));
  const resolve = (sql: string, self: string): string => resolvePlaceholders(inlineEphemerals(compiled, sql), { ref: refTo, this: () => self });

  const models: ModelPlan[] = [];
  for (const name of compiled.order) {
    const model = compiled.models.get(name);
    if (!model) continue;
    const { materialized } = model.config;
    const relation = materialized === 'ephemeral' ? `(ephemeral) ${name}` : `${layers.get(model.layer)!.schema}.${name}`;
    const previous = current.get(name);
    if (!chosen.has(name)) {
      models.push(previous
        ? { model: name, materialized, relation, action: 'reuse', reason: 'not selected: the published relation is carried into the batch', statements: [] }
        : { model: name, materialized, relation, action: 'skip', reason: 'not selected, and not built before', statements: [] });
      continue;
    }
    const target = { schema: schemaOf(name), name, relation: qualify(schemaOf(name), name), batchId };
    const decision = STRATEGIES[materialized]({
      model,
      target,
      previous,
      fullRefresh: input.fullRefresh,
      sql: resolve(model.sql, target.relation),
      incrementalSql: (prev) => {
        const again = model.usesIsIncremental
          ? compiled.renderer.render(compiled.templates.get(name)!, model.relPath, { isIncremental: true, batchId, schema: layers.get(model.layer)!.schema }).sql
          : model.sql;
        return resolve(again.trim(), prev);
      },
      columns: compiled.analyses?.get(name)?.columns?.map((c) => c.name),
    });
    models.push({ model: name, materialized, relation, ...decision });
  }
  return {
    version: PLAN_VERSION,
    batchId,
    fromBatch: input.fromBatch,
    fullRefresh: input.fullRefresh,
    models,
    tests: (input.tests ?? []).map((t) => t.name),
    unitTests: compiled.project.unitTests.filter((u) => chosen.has(u.model)).map((u) => u.name),
  };
}
