import { resolve } from 'node:path';
import { errorMessage } from '../core/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { loadProject } from '../project/load.ts';
import { collectHealth, timedOutReport, type HealthReport } from '../observability/health.ts';
import { DEFAULT_HEALTH_TIMEOUT_MS } from '../observability/health-timeout.ts';
import type { CommonOptions } from './context.ts';
import { openEngine, resolveTarget } from './target.ts';

/**
 * Health never throws for an unreachable database and never hangs: that is a finding
 * (`down`), reported with the URL masked. Connecting, every query and the whole check
 * are bounded; a check that runs out of time reports `down` naming its deadline.
 */
export async function health(opts: CommonOptions & { now?: Date; timeoutMs?: number }): Promise<HealthReport> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const project = loadProject(resolve(opts.projectDir));
  // A connection that is less safe than it should be (plaintext to a remote host because
  // sslmode=disable was asked) is a finding of every health check, not only of builds.
  const warnings: string[] = [];
  const target = resolveTarget({ ...opts, projectDir: project.dir, warn: (w) => warnings.push(w) });
  let engine: Engine | null = null;
  let openError: string | null = null;
  const open = async (): Promise<void> => {
    try {
      engine = await openEngine(target, { threads: 1, lockTimeoutMs: Math.min(5_000, timeoutMs / 2), connectTimeoutSeconds: timeoutMs / 2000 });
    } catch (err) {
      openError = errorMessage(err);
    }
  };
  // Starting the embedded engine is CPU work in this process (WASM), bounded by its file-lock
  // wait, not a network wait that can hang: on a loaded machine it alone may take seconds,
  // so the deadline starts after it. A server's connect is inside the deadline.
  if (target.kind === 'pglite') await open();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<HealthReport>((done) => {
    timer = setTimeout(() => done(timedOutReport(target.label, Math.round(timeoutMs / 100) / 10)), timeoutMs);
  });
  const check = async (): Promise<HealthReport> => {
    if (target.kind !== 'pglite') await open();
    const perQuery = Math.max(100, Math.min(5_000, timeoutMs / 4));
    return collectHealth(project, target.label, engine, openError, opts.now, { statementTimeoutMs: perQuery, lockTimeoutMs: perQuery / 2 });
  };
  try {
    const report = await Promise.race([check(), deadline]);
    for (const w of warnings) report.checks.push({ name: 'connection', status: 'ok', detail: `warning: ${w}` });
    return report;
  } finally {
    clearTimeout(timer);
    // Closing waits for running queries; past the deadline nobody waits for that.
    const closing = (engine as Engine | null)?.close().catch(() => undefined);
    await Promise.race([closing, new Promise((r) => setTimeout(r, 500).unref())]);
  }
}
