import { ExitCode, StrataError, errorMessage } from '../core/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { maskSecrets } from '../engine/secrets.ts';
import { EventBus, type EventSink } from '../observability/events.ts';
import { logFileSink } from '../observability/json-sinks.ts';
import { currentBatchId, ensureState } from '../batch/state.ts';
import { loadProject } from '../project/load.ts';
import type { Project } from '../project/types.ts';
import { projectPaths, type CommonOptions } from './context.ts';
import { openEngine, resolveTarget, type Target } from './target.ts';

export interface Session {
  target: Target;
  engine: Engine;
  bus: EventBus;
  close(): Promise<void>;
}

/** The event bus of a command: the caller's sinks plus logs/pipeline.log. */
export function eventBus(opts: CommonOptions, projectDir: string, extra: EventSink[] = []): EventBus {
  return new EventBus([...(opts.sinks ?? []), logFileSink(projectPaths(projectDir).log), ...extra]);
}

/**
 * Opens the target and strata's bookkeeping schema. A database that cannot be reached
 * becomes one clear error naming the (masked) target.
 */
export async function openSession(
  opts: CommonOptions & { threads?: number; extraConnections?: number; lockTimeoutMs?: number },
  projectDir: string,
  bus: EventBus,
): Promise<Session> {
  const target = resolveTarget({ ...opts, projectDir, warn: (message) => bus.emit({ event: 'warning', message }) });
  let engine: Engine;
  try {
    engine = await openEngine(target, { ...opts, withState: true });
    await ensureState(engine);
  } catch (err) {
    throw new StrataError(`cannot use the database at ${target.label}: ${maskSecrets(errorMessage(err))}`, ExitCode.failed);
  }
  return { target, engine, bus, close: () => engine.close() };
}

/**
 * Runs one short command: loads the project, opens its event bus and a session (log lines
 * carry the published batch id), and always closes both.
 */
export async function withProjectSession<T>(opts: CommonOptions, fn: (session: Session, project: Project) => Promise<T>): Promise<T> {
  const project = loadProject(opts.projectDir, opts.vars !== undefined ? { vars: opts.vars } : {});
  const bus = eventBus(opts, project.dir);
  try {
    const session = await openSession(opts, project.dir, bus);
    try {
      bus.batchId = await currentBatchId(session.engine);
      return await fn(session, project);
    } finally {
      await session.close();
    }
  } finally {
    await bus.close();
  }
}
