import type { Project } from '../project/types.ts';
import { applyGrants, type GrantsResult } from '../security/apply.ts';
import { findDrift, type Drift } from '../security/drift.ts';
import { projectEnv } from '../project/env.ts';
import type { CommonOptions } from './context.ts';
import { withProjectSession, type Session } from './session.ts';

export type { GrantsResult } from '../security/apply.ts';

/** applyGrants in an open session, reported as a `grants` event (role names and counts only). */
export async function grantsInSession(session: Session, project: Project): Promise<GrantsResult> {
  const t = performance.now();
  const result = await applyGrants(session.engine, project);
  session.bus.emit({ event: 'grants', roles: result.roles, statements: result.statements, duration_s: Math.round(performance.now() - t) / 1000 });
  return result;
}

/** `strata grants`: creates/updates the roles of project.yaml and applies their grants. */
export async function grants(opts: CommonOptions): Promise<GrantsResult> {
  return withProjectSession(opts, async (session, project) => {
    const result = await grantsInSession(session, project);
    if (result.note) session.bus.emit({ event: 'warning', message: result.note });
    return result;
  });
}

/** `strata grants --check`: the drift between the database and project.yaml; changes nothing. */
export async function grantsCheck(opts: CommonOptions): Promise<Drift[]> {
  return withProjectSession(opts, (session, project) => findDrift(session.engine, project, projectEnv(project.dir)));
}
