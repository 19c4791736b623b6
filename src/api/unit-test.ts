import { loadAndCompile, type CompileResult } from './compile.ts';
import type { CommonOptions } from './context.ts';
import { eventBus, openSession } from './session.ts';
import { chooseModels, type SelectionOptions } from './selection.ts';
import { projectCatalog } from '../compile/comprehend.ts';
import { ExitCode } from '../core/errors.ts';
import type { Engine } from '../engine/engine.ts';
import type { EventBus } from '../observability/events.ts';
import { runUnitTests, type UnitTestResult } from '../unit/run.ts';
import type { UnitTestSpec } from '../unit/spec.ts';

export interface UnitTestOptions extends CommonOptions, SelectionOptions {}

/**
 * Runs the unit tests of the chosen models and reports each on the bus. On a throw-away
 * PGlite unless `target` is given (the build's own database, or a server), where each runs
 * in a transaction rolled back at its end (unit/run.ts).
 */
export async function runProjectUnitTests(
  compiled: CompileResult,
  chosen: ReadonlySet<string>,
  bus: EventBus,
  target?: Engine,
  /** Of the chosen models' unit tests, the ones to run (default: all). */
  only?: (spec: UnitTestSpec) => boolean,
): Promise<UnitTestResult[]> {
  // Declarations were checked by compile (unitTestProblems), whatever the selection.
  const specs = compiled.compiled.project.unitTests.filter((u) => chosen.has(u.model) && (!only || only(u)));
  if (specs.length === 0) return [];
  // Loaded only here: a build passes its own engine and never pays for PGlite's modules
  // (40–50 ms of CPU to import) or a throw-away database (≈ 1 s of CPU, ≈ 200 MB).
  const engine = target ?? (await (await import('../engine/pglite.ts')).createMemoryPgliteEngine());
  try {
    const ctx = { compiled: compiled.compiled, analyses: compiled.analyses, catalog: projectCatalog(compiled.compiled.project) };
    return await runUnitTests(engine, ctx, specs, (r) =>
      bus.emit({
        event: 'unit_test_end', test: r.name, model: r.model, status: r.status, duration_s: r.durationS,
        missing: r.missing, unexpected: r.unexpected, ...(r.error ? { error: `${r.error} (${r.file}${r.line ? `:${r.line}` : ''})` } : {}),
      }),
    );
  } finally {
    if (!target) await engine.close();
  }
}

/** `test --unit`: the unit tests of the selected models; exit 1 when one fails. */
export async function unitTest(opts: UnitTestOptions): Promise<{ results: UnitTestResult[]; exitCode: number }> {
  const started = performance.now();
  const result = await loadAndCompile({ ...opts, writeArtifacts: false });
  const { compiled } = result;
  const chosen = chooseModels(compiled, opts);
  const bus = eventBus(opts, compiled.project.dir);
  // The embedded engine unless a target is asked for explicitly.
  const onTarget = opts.target !== undefined || opts.databaseUrl !== undefined;
  const session = onTarget ? await openSession(opts, compiled.project.dir, bus) : undefined;
  const count = compiled.project.unitTests.filter((u) => chosen.has(u.model)).length;
  bus.emit({ event: 'run_start', command: 'test --unit', target: session?.target.label ?? 'embedded PGlite (throw-away)', models: 0, tests: count });
  let results: UnitTestResult[];
  try {
    results = await runProjectUnitTests(result, chosen, bus, session?.engine);
  } finally {
    await session?.close();
  }
  const failed = results.filter((r) => r.status !== 'pass').length;
  bus.emit({
    event: 'run_end', status: failed ? 'failed' : 'success', published: false, duration_s: Math.round(performance.now() - started) / 1000,
    summary: { tests_total: results.length, tests_pass: results.length - failed, tests_fail: failed },
  });
  await bus.close();
  return { results, exitCode: failed ? ExitCode.failed : ExitCode.ok };
}
