/**
 * `strata compile`: the project compiled into target/ — or, when nothing it is made from has
 * changed since the last compile, that compile's result, found with one stat per file
 * (compile/up-to-date.ts). Parsing, rendering and analyzing are loaded only when needed.
 */
import { CompileInputs, type CompileSummary } from '../compile/up-to-date.ts';
import { projectEnv } from '../project/env.ts';
import type { CompileOptions } from './compile.ts';
import type { SelectionOptions } from './selection.ts';
import { templateTarget } from './target.ts';

export interface CompileCommandResult extends CompileSummary {
  /** Nothing changed: the last compile's result stands, nothing was written. */
  upToDate: boolean;
  ms: { readMs: number; compileMs: number; analyzeMs: number };
}

/**
 * Compiles the project, writing the selected models' SQL (the manifest always describes the
 * whole project). `partialParse: false` compiles even when nothing changed (dbt's
 * --no-partial-parse). A compile with a selection or --vars is neither skipped nor kept. `build`: the
 * strata build compiling (default: the bundle running; none through tsx).
 */
export async function compileCommand(
  opts: CompileOptions,
  selection: SelectionOptions,
  { partialParse = true, build = undefined as string | undefined } = {},
): Promise<CompileCommandResult> {
  const t0 = performance.now();
  const selected = Boolean(selection.select?.length || selection.exclude?.length || selection.selector || selection.state);
  // --vars may carry a secret, which even a hash in target/ must not: such a compile is never kept.
  const inputs = selected || opts.vars !== undefined
    ? null
    : CompileInputs.list(opts.projectDir, { batchId: opts.batchId ?? null, target: templateTarget(opts, projectEnv(opts.projectDir)) }, build);
  const kept = partialParse ? inputs?.unchanged() : null;
  if (kept) return { ...kept, upToDate: true, ms: { readMs: performance.now() - t0, compileMs: 0, analyzeMs: 0 } };

  const [{ loadAndCompile }, { chooseModels }] = await Promise.all([import('./compile.ts'), import('./selection.ts')]);
  let chosen = new Set<string>();
  const { compiled, tests, timings, readEnv } = await loadAndCompile({ ...opts, analysisCache: true, writeOnly: (c) => (chosen = chooseModels(c, selection)) });
  const summary = { models: chosen.size, total: compiled.models.size, tests: tests.length, order: compiled.order.filter((n) => chosen.has(n)) };
  inputs?.keep(summary, readEnv);
  return { ...summary, upToDate: false, ms: timings };
}
