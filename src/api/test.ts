import { loadAndCompile } from './compile.ts';
import { projectPaths, type CommonOptions } from './context.ts';
import { eventBus, openSession } from './session.ts';
import { testsFor } from './build-plan.ts';
import { chooseModels, type SelectionOptions } from './selection.ts';
import { batchRelations, currentBatchId, type BatchRelation } from '../batch/state.ts';
import { ensureAuditSchema, runDataTest } from '../checks/run-test.ts';
import { SharedScans } from '../checks/shared-scan.ts';
import { qualify } from '../engine/quote.ts';
import { resolvePlaceholders } from '../compile/placeholders.ts';
import { publishedRelation } from '../compile/relations.ts';
import { ExitCode } from '../core/errors.ts';
import type { RunSummary, TestResult } from '../core/results.ts';
import { writeJsonAtomic, runResultsArtifact } from '../observability/artifacts.ts';
import { inlineEphemerals } from '../materialize/ephemeral.ts';
import { assertSourceContracts } from '../sources/contracts.ts';

export interface TestOptions extends CommonOptions, SelectionOptions {}

/** Runs the data tests of the selected models against the published layers. */
export async function test(opts: TestOptions): Promise<{ summary: RunSummary; exitCode: number }> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const { compiled, tests: allTests } = await loadAndCompile(opts);
  const chosen = chooseModels(compiled, opts);
  const tests = testsFor(allTests, new Set([...chosen, ...(opts.select?.length ? [] : compiled.seeds.keys())]));
  const bus = eventBus(opts, compiled.project.dir);
  const session = await openSession(opts, compiled.project.dir, bus);
  const results: TestResult[] = [];
  try {
    bus.batchId = await currentBatchId(session.engine);
    await assertSourceContracts(session.engine, compiled.project);
    bus.emit({ event: 'run_start', command: 'test', target: session.target.label, models: 0, tests: tests.length });
    await ensureAuditSchema(session.engine);
    const resolver = { ref: (n: string) => publishedRelation(compiled, n), this: () => '' };
    const resolve = (sql: string): string => resolvePlaceholders(inlineEphemerals(compiled, sql), resolver);
    const shared = new SharedScans(session.engine, tests, resolve);
    // A published view is `select * from` its batch's table: that table's unique index proves a unique test.
    const relations = bus.batchId ? await batchRelations(session.engine, bus.batchId) : new Map<string, BatchRelation>();
    const tableOf = (model: string): string | undefined => {
      const r = relations.get(model);
      return r?.kind === 'table' ? qualify(r.physicalSchema, model) : undefined;
    };
    for (const t of tests) results.push(await runDataTest(session.engine, t, resolve(t.sql), bus, { shared, tableOf }));
  } finally {
    await session.close();
  }
  const failed = results.some((r) => r.status === 'fail' || r.status === 'error');
  const summary: RunSummary = {
    command: 'test', batchId: bus.batchId, target: session.target.label, status: failed ? 'failed' : 'success', published: false,
    startedAt, finishedAt: new Date().toISOString(), durationS: Math.round(performance.now() - started) / 1000, steps: {}, models: [], tests: results,
  };
  writeJsonAtomic(projectPaths(compiled.project.dir).runResults, runResultsArtifact(summary));
  bus.emit({
    event: 'run_end', status: summary.status, published: false, duration_s: summary.durationS,
    summary: {
      tests_total: results.length,
      tests_pass: results.filter((r) => r.status === 'pass').length,
      tests_fail: results.filter((r) => r.status === 'fail' || r.status === 'error').length,
      tests_warn: results.filter((r) => r.status === 'warn').length,
    },
  });
  await bus.close();
  return { summary, exitCode: failed ? ExitCode.failed : ExitCode.ok };
}
