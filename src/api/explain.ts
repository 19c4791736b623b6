import { prepareBatch, type BuildOptions } from './build.ts';
import { eventBus, openSession } from './session.ts';
import { newBatchId } from '../batch/naming.ts';
import { readDatabaseState } from '../batch/reuse.ts';
import { planBatch } from '../plan/plan.ts';
import { PLAN_ACTIONS, type BatchPlan } from '../plan/types.ts';

/**
 * `build --dry-run` / `explain`: the plan a build would execute — the very function and
 * inputs the build uses — from what the target holds now, without building, testing or
 * publishing anything. Reading the published batch needs strata's bookkeeping schema,
 * which is created if missing. With the same `--batch-id`, the build executes this plan.
 */
export async function explainBatch(opts: BuildOptions): Promise<BatchPlan> {
  const batchId = opts.batchId ?? newBatchId();
  const { compileResult, chosen, tests } = await prepareBatch(opts, batchId);
  const { compiled } = compileResult;
  const bus = eventBus({ ...opts, sinks: [] }, compiled.project.dir);
  const session = await openSession(opts, compiled.project.dir, bus);
  try {
    const db = await readDatabaseState(session.engine, compiled, { chosen, command: opts.mode });
    return planBatch({ compiled, batchId, command: opts.mode, chosen, tests, fullRefresh: opts.fullRefresh ?? false, db });
  } finally {
    await session.close();
    await bus.close();
  }
}

/** The plan for people: one line per seed loaded and per model (action, materialization, relation, why), statements with `sql`. */
export function formatPlan(plan: BatchPlan, { sql = false }: { sql?: boolean } = {}): string {
  const width = Math.max(...plan.models.map((m) => m.relation.length), 8);
  const lines = [`plan for batch ${plan.batchId}, from ${plan.fromBatch ? `published batch ${plan.fromBatch}` : 'a database with no published batch'}${plan.fullRefresh ? ' (--full-refresh)' : ''}:`];
  if (plan.unitTests.length > 0) lines.push(`  first ${plan.unitTests.length} unit test${plan.unitTests.length > 1 ? 's' : ''} before any data is touched: ${plan.unitTests.join(', ')}`);
  for (const s of plan.seeds) if (s.action === 'load') lines.push(`  load     seed        ${`${s.publishes.publishedSchema}.${s.seed}`.padEnd(width)}  ${s.reason}`);
  for (const m of plan.models) {
    lines.push(`  ${m.action.padEnd(8)} ${m.materialized.padEnd(11)} ${m.relation.padEnd(width)}  ${m.reason}`);
    if (sql) for (const s of m.statements) lines.push(`      ${s.sql.replace(/\n/g, '\n      ')};`);
  }
  const count = (a: string): number => plan.models.filter((m) => m.action === a).length;
  const skipped = plan.tests.filter((t) => t.action === 'skip').length;
  const kept = plan.seeds.filter((s) => s.action === 'keep').length;
  lines.push(`${plan.tests.length - skipped} data tests after their models${skipped ? ` (${skipped} not run again: passed in batch ${plan.fromBatch} on the same relations)` : ''}; ${kept} seed${kept === 1 ? '' : 's'} unchanged; nothing is built, tested or published by a dry run.`);
  lines.push(`summary: ${PLAN_ACTIONS.map((a) => `${count(a)} ${a}`).join(', ')}`);
  return lines.join('\n');
}
