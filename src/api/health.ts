import { resolve } from 'node:path';
import { errorMessage } from '../core/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { loadProject } from '../project/load.ts';
import { collectHealth, type HealthReport } from '../observability/health.ts';
import type { CommonOptions } from './context.ts';
import { openEngine, resolveTarget } from './target.ts';

/**
 * Health never throws for an unreachable database: that is a finding (`down`), reported
 * with the URL masked, while the file-based checks still run.
 */
export async function health(opts: CommonOptions & { now?: Date }): Promise<HealthReport> {
  const project = loadProject(resolve(opts.projectDir));
  const target = resolveTarget({ ...opts, projectDir: project.dir });
  let engine: Engine | null = null;
  let openError: string | null = null;
  try {
    engine = await openEngine(target, { threads: 1, lockTimeoutMs: 5_000 });
  } catch (err) {
    openError = errorMessage(err);
  }
  try {
    return await collectHealth(project, target.label, engine, openError, opts.now);
  } finally {
    await engine?.close().catch(() => undefined);
  }
}
