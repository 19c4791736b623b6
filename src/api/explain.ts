import { prepareBatch, type BuildOptions } from './build.ts';
import { eventBus, openSession } from './session.ts';
import { newBatchId } from '../batch/naming.ts';
import { batchRelations, currentBatchId } from '../batch/state.ts';
import { planBatch } from '../plan/plan.ts';
import type { BatchPlan } from '../plan/types.ts';

/**
 * `build --dry-run` / `explain`: the plan a build would execute, from what the target holds
 * now (its published batch), without building, testing or publishing anything. Reading the
 * published batch needs strata's bookkeeping schema, which is created if missing.
 */
export async function explainBatch(opts: BuildOptions): Promise<BatchPlan> {
  const batchId = opts.batchId ?? newBatchId();
  const { compileResult, chosen, tests } = await prepareBatch(opts, batchId);
  const { compiled } = compileResult;
  const bus = eventBus({ ...opts, sinks: [] }, compiled.project.dir);
  const session = await openSession(opts, compiled.project.dir, bus);
  try {
    const fromBatch = await currentBatchId(session.engine);
    const current = fromBatch ? await batchRelations(session.engine, fromBatch) : new Map();
    return planBatch({ compiled, batchId, chosen, current, fromBatch, fullRefresh: opts.fullRefresh ?? false, tests });
  } finally {
    await session.close();
    await bus.close();
  }
}

/** The plan for people: one line per model (action, materialization, relation, why), statements with `sql`. */
export function formatPlan(plan: BatchPlan, { sql = false }: { sql?: boolean } = {}): string {
  const width = Math.max(...plan.models.map((m) => m.relation.length), 8);
  const lines = [`plan for batch ${plan.batchId}, from ${plan.fromBatch ? `published batch ${plan.fromBatch}` : 'a database with no published batch'}${plan.fullRefresh ? ' (--full-refresh)' : ''}:`];
  if (plan.unitTests.length > 0) lines.push(`  first ${plan.unitTests.length} unit test${plan.unitTests.length > 1 ? 's' : ''} on an in-memory database: ${plan.unitTests.join(', ')}`);
  for (const m of plan.models) {
    lines.push(`  ${m.action.padEnd(8)} ${m.materialized.padEnd(11)} ${m.relation.padEnd(width)}  ${m.reason}`);
    if (sql) for (const s of m.statements) lines.push(`      ${s.sql.replace(/\n/g, '\n      ')};`);
  }
  const count = (a: string): number => plan.models.filter((m) => m.action === a).length;
  lines.push(`${plan.tests.length} data tests after their models; nothing is built, tested or published by a dry run.`);
  lines.push(`summary: ${['create', 'rebuild', 'merge', 'reuse', 'skip'].map((a) => `${count(a)} ${a}`).join(', ')}`);
  return lines.join('\n');
}
