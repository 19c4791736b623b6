/**
 * `debug`: is this project and its target usable? Versions, the project's problems, the
 * target (masked), a round trip to the database, the published batch, and what `build`
 * would run with the given selection. Each check reports instead of throwing.
 */
import { currentBatchId } from '../batch/state.ts';
import { errorMessage, ExitCode, ProjectError } from '../core/errors.ts';
import { STRATA_VERSION } from '../core/version.ts';
import { maskSecrets } from '../engine/secrets.ts';
import { loadAndCompile } from './compile.ts';
import type { CommonOptions } from './context.ts';
import { chooseModels, type SelectionOptions } from './selection.ts';
import { eventBus, openSession } from './session.ts';
import { resolveTarget } from './target.ts';

export interface DebugCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export async function debug(opts: CommonOptions & SelectionOptions): Promise<{ checks: DebugCheck[]; exitCode: number }> {
  const checks: DebugCheck[] = [{ check: 'versions', ok: true, detail: `strata ${STRATA_VERSION}, node ${process.version}` }];
  let exitCode: number = ExitCode.ok;
  let projectDir = opts.projectDir;
  try {
    const { compiled, tests } = await loadAndCompile({ ...opts, writeArtifacts: false });
    projectDir = compiled.project.dir;
    checks.push({ check: 'project', ok: true, detail: `${compiled.project.config.name} in ${projectDir}: ${compiled.models.size} models, ${compiled.seeds.size} seeds, ${tests.length} tests` });
    const chosen = chooseModels(compiled, opts);
    checks.push({ check: 'would run', ok: true, detail: compiled.order.filter((n) => chosen.has(n)).join(', ') || 'nothing' });
  } catch (err) {
    checks.push({ check: 'project', ok: false, detail: errorMessage(err) });
    exitCode = err instanceof ProjectError ? ExitCode.usage : ExitCode.failed;
  }
  try {
    const target = resolveTarget({ ...opts, projectDir });
    checks.push({ check: 'target', ok: true, detail: target.label });
    const bus = eventBus({ ...opts, sinks: [] }, projectDir);
    try {
      const session = await openSession({ ...opts, sinks: [] }, projectDir, bus);
      try {
        const { rows } = await session.engine.query<{ v: string }>('select version() as v');
        checks.push({ check: 'connection', ok: true, detail: rows[0]!.v });
        checks.push({ check: 'published batch', ok: true, detail: (await currentBatchId(session.engine)) ?? 'none yet' });
      } finally {
        await session.close();
      }
    } finally {
      await bus.close();
    }
  } catch (err) {
    checks.push({ check: 'connection', ok: false, detail: maskSecrets(errorMessage(err)) });
    if (exitCode === ExitCode.ok) exitCode = ExitCode.failed;
  }
  return { checks, exitCode };
}
